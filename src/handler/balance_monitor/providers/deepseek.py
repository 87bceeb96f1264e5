"""DeepSeek: `GET /user/balance`, parsed by balance.py (both the specification's shape and the
live service's). The default provider; `DeepSeekBaseUrl` sets its base URL for the stack."""

from balance_monitor.balance import BalanceReport, parse_balance_response
from balance_monitor.providers import Provider


def _parse(body: bytes, currency: str) -> BalanceReport:
    return parse_balance_response(body)  # every entry names its currency


DEEPSEEK = Provider(
    name="deepseek",
    label="DeepSeek",
    base_url="https://api.deepseek.com",
    path="/user/balance",
    parse=_parse,
    currency="CNY",
    key_variable="DEEPSEEK_API_KEY",
    top_up_url="https://platform.deepseek.com/top_up",
    api_keys_url="https://platform.deepseek.com/api_keys",
    unavailable_reason="reports the account cannot serve API calls (is_available: false)",
)
