"""Novita: `GET /openapi/v1/billing/balance/detail`, documented, in USD:

    {"availableBalance": "123456", "cashBalance": "100000", "creditLimit": "0",
     "pendingCharges": "0", "outstandingInvoices": "0"}

Amounts are strings in units of 1/10,000 USD, converted exactly ("123456" is 12.3456 USD).
total = availableBalance, topped_up = cashBalance; no granted figure. The documentation says
nothing of negative amounts, so one is a failed read. is_available is true (an account that
cannot serve answers 402).
"""

from decimal import Decimal
from typing import Any

from balance_monitor.balance import BalanceReport, CurrencyBalance, json_object, required_amount
from balance_monitor.errors import ResponseFormatError
from balance_monitor.providers import Provider

_TEN_PLACES = Decimal("1e-10")


def _usd(document: dict[str, Any], name: str) -> Decimal:
    usd = required_amount(document, name).scaleb(-4)  # exact: only the exponent moves
    if usd != usd.quantize(_TEN_PLACES):
        raise ResponseFormatError(f"{name} has more than 6 decimal places of 1/10,000 USD")
    return usd


def _parse(body: bytes, currency: str) -> BalanceReport:
    document = json_object(body)
    total, topped_up = _usd(document, "availableBalance"), _usd(document, "cashBalance")
    return BalanceReport(is_available=True, balances={currency: CurrencyBalance(currency, total, topped_up=topped_up)})


NOVITA = Provider(
    name="novita",
    label="Novita",
    base_url="https://api.novita.ai",
    path="/openapi/v1/billing/balance/detail",
    parse=_parse,
    currency="USD",
    key_variable="NOVITA_API_KEY",
    rejected_statuses=frozenset({401, 403}),
)
