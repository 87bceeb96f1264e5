"""A week's digest of one account, the same in every test that renders one: a check every hour,
a low balance from Wednesday, one failed read and a top-up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from balance_monitor.alert_lifecycle import AlertState, CheckOutcome, NotificationKind, Observation, Status
from balance_monitor.alert_messages import AlertMessage
from balance_monitor.balance import BalanceReport, CurrencyBalance
from balance_monitor.digest import Period, render_digest, summarise
from balance_monitor.history import CheckRecord

PERIOD = Period.days_before(datetime(2026, 11, 23, 8, tzinfo=UTC), 7)  # Mon 16 to Sun 22 November


def digest_records() -> list[CheckRecord]:
    """A check every hour, spending 1.25 each; low from Wednesday; one failed read; a top-up."""
    records, total, at = [], Decimal(200), PERIOD.start - timedelta(minutes=30)
    for index in range(24 * 7 + 1):
        total += Decimal(100) if index == 100 else Decimal("-1.25")
        if index == 50:
            observation = Observation(CheckOutcome.FAILED, error="DeepSeek answered HTTP 503")
        else:
            balance = CurrencyBalance("CNY", total, Decimal(0), total)
            observation = Observation(CheckOutcome.OK, BalanceReport(True, {"CNY": balance}))
        status = Status.LOW if 60 <= index < 100 else Status.HEALTHY
        kind = NotificationKind.ALERT if index == 60 else None
        records.append(CheckRecord("team-a", at, observation, PERIOD.end, status, kind))
        at += timedelta(hours=1)
    return records


def digest_in(language: str) -> AlertMessage:
    return render_digest(summarise("team-a", digest_records(), PERIOD, AlertState()), language)
