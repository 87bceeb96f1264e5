"""Burn rate, runway, top-ups and spend spikes, per currency, from consecutive checks.

Pure functions over plain data. Each check updates running aggregates kept in the state
record (an exponentially weighted rate and the last hour of spend), so the work per check
never grows with the length of the history. README, "How the estimates are computed".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from balance_monitor.balance import BalanceReport

RATE_TIME_CONSTANT = timedelta(hours=12)  # how fast the rate forgets: older spend weighs e^(-age/12h)
MIN_OBSERVATION = timedelta(hours=6)  # before this much history, rate and runway are not yet known
SPIKE_WINDOW = timedelta(hours=1)
_DAY_SECONDS = Decimal(86400)
_RATE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime
    spend: Decimal


@dataclass(frozen=True)
class CurrencySpend:
    """What is kept between checks for one currency."""

    at: datetime  # the last check that read this currency's total
    total: Decimal
    granted: Decimal | None = None
    topped_up: Decimal | None = None
    rate_per_day: Decimal | None = None  # exponentially weighted spend per day
    observed_since: datetime | None = None  # start of the first interval in the estimate
    recent: tuple[Interval, ...] = ()  # spend intervals ending within the last SPIKE_WINDOW


@dataclass(frozen=True)
class SpendEvent:
    """Balance that moved without being spent: a top-up, or granted credit that expired."""

    kind: str  # "top_up" or "expiry"
    currency: str
    amount: Decimal


@dataclass(frozen=True)
class Spike:
    recent_rate_per_day: Decimal
    usual_rate_per_day: Decimal
    factor: Decimal


@dataclass(frozen=True)
class Estimate:
    """What a reader is told: rate and runway when known, and a spike when there is one."""

    rate_per_day: Decimal | None
    runway_days: Decimal | None  # None: not yet known, or nothing is being spent
    runway_until: datetime | None
    spike: Spike | None = None


def update_spend(
    previous: Mapping[str, CurrencySpend], report: BalanceReport, at: datetime, *, spike_factor: Decimal
) -> tuple[dict[str, CurrencySpend], list[SpendEvent]]:
    """The aggregates after this check, and the top-ups and expiries it revealed."""
    spend = dict(previous)
    events: list[SpendEvent] = []
    for currency, balance in report.balances.items():
        if balance.total is None:
            continue
        before = previous.get(currency)
        now = CurrencySpend(at, balance.total, balance.granted, balance.topped_up)
        if before is None or at <= before.at:
            spend[currency] = now if before is None else before
            continue
        event = _unspent_change(before, now, currency, spike_factor)
        if event:
            events.append(event)
            # The interval mixes spend with the change; it teaches nothing about the rate.
            spend[currency] = replace(before, at=at, total=now.total, granted=now.granted, topped_up=now.topped_up)
        else:
            spend[currency] = _with_interval(before, now, Interval(before.at, at, before.total - now.total))
    return spend, events


def estimate(spend: CurrencySpend, at: datetime, *, spike_factor: Decimal) -> Estimate:
    known = spend.observed_since is not None and at - spend.observed_since >= MIN_OBSERVATION
    rate = spend.rate_per_day if known else None
    runway_days = runway_until = None
    if rate is not None and rate > 0:
        runway_days = (spend.total / rate).quantize(Decimal("0.01"))
        runway_until = at + timedelta(seconds=float(runway_days * _DAY_SECONDS))
    return Estimate(rate, runway_days, runway_until, _spike(spend, rate, spike_factor))


def _unspent_change(before: CurrencySpend, now: CurrencySpend, currency: str, factor: Decimal) -> SpendEvent | None:
    if now.total > before.total:
        return SpendEvent("top_up", currency, now.total - before.total)
    granted_drop = (before.granted or Decimal(0)) - (now.granted or Decimal(0))
    if (
        now.granted == 0
        and granted_drop > 0
        and now.topped_up is not None
        and now.topped_up == before.topped_up
        and granted_drop > factor * _expected_spend(before, now.at)
    ):
        # Granted credit gone at once while paid credit is untouched: it expired, it was not spent.
        return SpendEvent("expiry", currency, granted_drop)
    return None


def _expected_spend(before: CurrencySpend, at: datetime) -> Decimal:
    if before.rate_per_day is None:
        return Decimal(0)
    return before.rate_per_day * Decimal((at - before.at).total_seconds()) / _DAY_SECONDS


def _with_interval(before: CurrencySpend, now: CurrencySpend, interval: Interval) -> CurrencySpend:
    seconds = Decimal((interval.end - interval.start).total_seconds())
    sample = interval.spend * _DAY_SECONDS / seconds
    if before.rate_per_day is None:
        rate = sample
    else:
        weight = 1 - (-seconds / Decimal(RATE_TIME_CONSTANT.total_seconds())).exp()
        rate = before.rate_per_day + weight * (sample - before.rate_per_day)
    recent = tuple(kept for kept in (*before.recent, interval) if kept.end > interval.end - SPIKE_WINDOW)
    return replace(
        now,
        rate_per_day=rate.quantize(_RATE_PLACES),
        observed_since=before.observed_since or interval.start,
        recent=recent,
    )


def _spike(spend: CurrencySpend, usual: Decimal | None, factor: Decimal) -> Spike | None:
    if usual is None or usual <= 0 or not spend.recent:
        return None
    seconds = Decimal((spend.recent[-1].end - spend.recent[0].start).total_seconds())
    recent = (sum((interval.spend for interval in spend.recent), Decimal(0)) * _DAY_SECONDS / seconds).quantize(
        _RATE_PLACES
    )
    return Spike(recent, usual, factor) if recent > factor * usual else None
