"""SiliconFlow: `GET /v1/user/info`, documented for api.siliconflow.cn (CNY); the .com twin
bills in USD.

    {"code": 20000, "message": "OK", "status": true,
     "data": {"id": "...", "name": "...", "balance": "0.88", "chargeBalance": "88.00",
              "totalBalance": "88.88", "status": "normal", ...}}

A balance only with code 20000 and status true. total = totalBalance, granted = balance (the
gift credit), topped_up = chargeBalance; none may be negative. The answer says nothing of
whether the account can serve (one that cannot answers 402), so is_available is true.
"""

from balance_monitor.balance import (
    BalanceReport,
    CurrencyBalance,
    json_object,
    object_field,
    require_success_code,
    required_amount,
)
from balance_monitor.providers import Provider


def _parse(body: bytes, currency: str) -> BalanceReport:
    document = json_object(body)
    require_success_code(document, 20000)
    data = object_field(document, "data")
    total = required_amount(data, "totalBalance", "data")
    granted = required_amount(data, "balance", "data")
    topped_up = required_amount(data, "chargeBalance", "data")
    return BalanceReport(is_available=True, balances={currency: CurrencyBalance(currency, total, granted, topped_up)})


SILICONFLOW = Provider(
    name="siliconflow",
    label="SiliconFlow",
    base_url="https://api.siliconflow.cn",
    path="/v1/user/info",
    parse=_parse,
    currency="CNY",
    key_variable="SILICONFLOW_API_KEY",
    rejected_statuses=frozenset({401, 403}),
    currency_by_host={"api.siliconflow.com": "USD"},
)
