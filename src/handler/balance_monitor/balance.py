"""DeepSeek's balance response, parsed into Decimal amounts keyed by currency, and the report
every provider's answer becomes (providers/).

Pure functions over plain data. Two shapes are accepted (docs/operations.md, "The balance response"):
the specification's `{"type", "amount", "currency"}` entries and the live service's
`{"currency", "total_balance", "granted_balance", "topped_up_balance"}` entries, and any mix.
A missing amount is unknown (None), never zero. The other providers' parsers (providers/) read
their answers with the same rules: json_object, parse_amount and the helpers beside them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from balance_monitor.errors import ResponseFormatError

KNOWN_CURRENCIES = frozenset({"CNY", "USD"})
# No DeepSeek account holds a trillion; a larger figure is a corrupted answer, not money.
MAX_AMOUNT = Decimal("1e12")
_AMOUNT_TEXT = re.compile(r"-?\d{1,15}(\.\d{1,10})?")


@dataclass(frozen=True)
class CurrencyBalance:
    """One currency's balance, and its granted and topped-up parts when the provider says."""

    currency: str
    total: Decimal | None
    granted: Decimal | None = None
    topped_up: Decimal | None = None


@dataclass(frozen=True)
class BalanceReport:
    """A provider's answer, read: whether the account can serve calls, and its balances."""

    is_available: bool
    # Keyed and ordered by currency code, so the order DeepSeek sends them in never matters.
    balances: Mapping[str, CurrencyBalance]


@dataclass(frozen=True)
class Thresholds:
    """Low-balance thresholds: one for every currency, overridden per currency."""

    default: Decimal | None = None
    per_currency: Mapping[str, Decimal] = field(default_factory=dict)

    def for_currency(self, currency: str) -> Decimal | None:
        return self.per_currency.get(currency, self.default)


def parse_balance_response(body: bytes | str) -> BalanceReport:
    """Parse a 200 response body, or raise ResponseFormatError saying what is wrong with it."""
    document = json_object(body)
    is_available = document.get("is_available")
    if not isinstance(is_available, bool):
        raise ResponseFormatError("is_available is missing or not true/false")
    entries = document.get("balance_infos")
    if not isinstance(entries, list) or not entries:
        raise ResponseFormatError("balance_infos is missing or empty")

    balances: dict[str, CurrencyBalance] = {}
    for index, entry in enumerate(entries):
        balance = _parse_entry(entry, f"balance_infos[{index}]")
        if balance.currency in balances:
            raise ResponseFormatError(f"currency {balance.currency} appears twice in balance_infos")
        balances[balance.currency] = balance
    if all(balance.total is None for balance in balances.values()):
        raise ResponseFormatError("no balance_infos entry has an amount")
    return BalanceReport(is_available=is_available, balances=dict(sorted(balances.items())))


def _parse_entry(entry: Any, where: str) -> CurrencyBalance:
    if not isinstance(entry, dict):
        raise ResponseFormatError(f"{where} is not an object")
    currency = entry.get("currency")
    if not isinstance(currency, str) or not currency.strip():
        raise ResponseFormatError(f"{where} has no currency")
    currency = currency.strip().upper()
    if currency not in KNOWN_CURRENCIES:
        raise ResponseFormatError(f"{where} has unknown currency {currency[:12]!r}")

    total = _amount(entry, "total_balance", where)
    amount = _amount(entry, "amount", where)
    if total is None:
        total = amount
    elif amount is not None and amount != total:
        raise ResponseFormatError(f"{where} has amount and total_balance that disagree")
    granted = _amount(entry, "granted_balance", where)
    topped_up = _amount(entry, "topped_up_balance", where)
    if total is None and granted is not None and topped_up is not None:
        total = granted + topped_up
    return CurrencyBalance(currency=currency, total=total, granted=granted, topped_up=topped_up)


def _amount(entry: dict[str, Any], name: str, where: str) -> Decimal | None:
    return parse_amount(entry.get(name), f"{where}.{name}")


def json_object(body: bytes | str) -> dict[str, Any]:
    """A 200 answer's JSON object, its numbers as Decimal; ResponseFormatError for anything else."""
    try:
        document = json.loads(body, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise ResponseFormatError("response is not valid JSON") from exc
    if not isinstance(document, dict):
        raise ResponseFormatError("response is not a JSON object")
    return document


def object_field(document: Mapping[str, Any], name: str) -> dict[str, Any]:
    """document[name], which must be a JSON object (the `data` most providers wrap amounts in)."""
    value = document.get(name)
    if not isinstance(value, dict):
        raise ResponseFormatError(f"{name} is missing or not an object")
    return value


def require_success_code(document: Mapping[str, Any], success: int) -> None:
    """A 200 answer that carries its own `code` and `status` (Moonshot, SiliconFlow) holds a
    balance only with the success code and status true; any other code is an error or one not
    documented, and either way a failed read."""
    code = document.get("code")
    if type(code) is not int:  # not a bool, not 0.0, not "0"
        raise ResponseFormatError("code is missing or not a whole number")
    if code != success:
        shown = str(code) if abs(code) < 10**12 else f"{str(code)[:12]}..."
        raise ResponseFormatError(f"code is {shown}, not {success}: the answer reports an error")
    if document.get("status") is not True:
        raise ResponseFormatError("status is not true: the answer reports an error")


def required_amount(container: Mapping[str, Any], name: str, where: str = "", *, negative: bool = False) -> Decimal:
    """parse_amount of container[name] (`where` names the container), which must be there: a
    missing amount is a failed read, never zero."""
    label = f"{where}.{name}" if where else name
    amount = parse_amount(container.get(name), label, negative=negative)
    if amount is None:
        raise ResponseFormatError(f"{label} is missing")
    return amount


def parse_amount(value: Any, where: str, *, negative: bool = False) -> Decimal | None:
    """An amount as text or a JSON number, exactly; None when absent. Anything but a finite
    decimal of at most 10 places, under MAX_AMOUNT (and not below zero unless `negative`) is
    a ResponseFormatError naming `where`."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ResponseFormatError(f"{where} is not a number")
    if isinstance(value, int) or (isinstance(value, str) and _AMOUNT_TEXT.fullmatch(value)):
        value = Decimal(value)
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ResponseFormatError(f"{where} is not a number")
    if value < 0 and not negative:
        raise ResponseFormatError(f"{where} is negative")
    if abs(value) > MAX_AMOUNT:
        raise ResponseFormatError(f"{where} is implausibly large")
    if not _AMOUNT_TEXT.fullmatch(format(value, "f")):  # 1e-200 as a JSON number, say
        raise ResponseFormatError(f"{where} has more than 10 decimal places")
    return value


def _reject_constant(name: str) -> Decimal:
    raise ResponseFormatError(f"response contains {name}")
