"""Plain tables for the terminal."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from balance_monitor.alert_messages import exact_amount, format_amount
from balance_monitor.balance import CurrencyBalance


def amount(value: Decimal | None) -> str:
    return "-" if value is None else format_amount(value)


def exact_amounts(balance: CurrencyBalance) -> dict[str, str | None]:
    """Total, granted and topped up, for --json: exact strings, None when unknown."""
    return {name: exact_amount(getattr(balance, name)) for name in ("total", "granted", "topped_up")}


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned text, right-aligned numbers, one space-padded column each."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            str(cell).rjust(width) if _numeric(str(cell)) else str(cell).ljust(width)
            for cell, width in zip(cells, widths, strict=True)
        ).rstrip()

    return "\n".join([line(headers), *(line(row) for row in rows)])


def _numeric(text: str) -> bool:
    return text.replace(",", "").replace(".", "", 1).isdigit()
