"""Moonshot (Kimi): `GET /v1/users/me/balance`, documented for api.moonshot.cn (CNY); the
international api.moonshot.ai serves the same path (USD, from second-hand sources).

    {"code": 0, "scode": "0x0", "status": true,
     "data": {"available_balance": 49.58894, "voucher_balance": 46.58893, "cash_balance": 3.00001}}

A balance only with code 0 and status true. total = available_balance (cash plus vouchers; at or
below 0 the API refuses calls, so that is is_available), granted = voucher_balance, topped_up =
cash_balance. Cash may be negative (a debt to repay), and so then may the available balance.
"""

from dataclasses import replace

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
    require_success_code(document, 0)
    data = object_field(document, "data")
    total = required_amount(data, "available_balance", "data", negative=True)
    granted = required_amount(data, "voucher_balance", "data")
    topped_up = required_amount(data, "cash_balance", "data", negative=True)
    return BalanceReport(
        is_available=total > 0, balances={currency: CurrencyBalance(currency, total, granted, topped_up)}
    )


MOONSHOT = Provider(
    name="moonshot",
    label="Moonshot",
    base_url="https://api.moonshot.cn",
    path="/v1/users/me/balance",
    parse=_parse,
    currency="CNY",
    key_variable="MOONSHOT_API_KEY",
    rejected_statuses=frozenset({401, 403}),
    currency_by_host={"api.moonshot.ai": "USD"},  # the international twin, as a base_url
    unavailable_reason="reports an available balance at or below zero, so it refuses API calls",
)

MOONSHOT_GLOBAL = replace(
    MOONSHOT,
    name="moonshot-global",
    base_url="https://api.moonshot.ai",
    currency="USD",
    currency_by_host={"api.moonshot.cn": "CNY"},
)
