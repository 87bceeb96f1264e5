"""Burn rate, runway, top-ups and spend spikes, per currency, from consecutive checks.

Pure functions over plain data. Each check folds the interval since the previous one into
aggregates kept in the state record: the spend of every clock hour of the last week, and the
last hour's intervals. The work per check never grows with the length of the history.
The method, and why: docs/estimates.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from balance_monitor.balance import BalanceReport

MIN_OBSERVATION = timedelta(hours=6)  # before this much history, rate and runway are not yet known
SPIKE_LEARNING = timedelta(hours=24)  # before a day of history, no hour of the day has a baseline
SPIKE_WINDOW = timedelta(hours=1)
DAY_HOURS = 24
WEEK_HOURS = 7 * DAY_HOURS
HOURS_KEPT = WEEK_HOURS + 2  # a week back from this hour, and the hour either side of that
MIN_RATE_PER_DAY = Decimal("0.01")  # under a cent a day, nothing is being spent
MIN_SPIKE_PER_HOUR = Decimal("0.5")  # an hour must spend more than this above its usual to be a spike
RUNWAY_HORIZON_DAYS = Decimal(3650)  # beyond ten years there is no runway to speak of
_HOUR = timedelta(hours=1)
_HOUR_SECONDS = Decimal(3600)
_BUCKET_PLACES = Decimal("0.000001")
_RATE_PLACES = Decimal("0.0001")
_ZERO = Decimal(0)


@dataclass(frozen=True)
class Interval:
    """The spend between two checks."""

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
    observed_since: datetime | None = None  # start of the first interval folded in
    # Spend per clock hour, oldest first; the last entry is the hour that `at` falls in.
    hourly: tuple[Decimal, ...] = ()
    recent: tuple[Interval, ...] = ()  # spend intervals ending within the last SPIKE_WINDOW


@dataclass(frozen=True)
class SpendEvent:
    """Balance that moved without being spent: a top-up, or granted credit that expired."""

    kind: str  # "top_up" or "expiry"
    currency: str
    amount: Decimal


@dataclass(frozen=True)
class Spike:
    """The last hour spent far more than this time of day usually does."""

    recent_rate_per_day: Decimal  # the last hour's spend, per day
    expected_rate_per_day: Decimal  # the most this time of day spent on any day of the last week
    usual_rate_per_day: Decimal  # the average over the last week
    factor: Decimal


@dataclass(frozen=True)
class Estimate:
    """What a reader is told: rate and runway when known, and a spike when there is one."""

    rate_per_day: Decimal | None  # None: not yet known
    runway_days: Decimal | None  # None: not yet known, nothing is being spent, or beyond the horizon
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
            # The interval mixes spend with the change, so its spend is unknown: count it at the
            # burn rate, and keep it out of the last hour's spend that spikes are judged on.
            guess = Interval(before.at, at, _expected_spend(before, at))
            spend[currency] = replace(_with_interval(before, now, guess), recent=before.recent)
        else:
            spend[currency] = _with_interval(before, now, Interval(before.at, at, before.total - now.total))
    return spend, events


def estimate(spend: CurrencySpend, at: datetime, *, spike_factor: Decimal) -> Estimate:
    rate = rate_per_day(spend, at)
    runway_days = runway_until = None
    if rate is not None and rate > 0:
        days = spend.total / rate
        if days <= RUNWAY_HORIZON_DAYS:
            runway_days = days.quantize(Decimal("0.01"))
            runway_until = at + timedelta(days=float(runway_days))
    return Estimate(rate, runway_days, runway_until, _spike(spend, spike_factor))


def rate_per_day(spend: CurrencySpend, at: datetime) -> Decimal | None:
    """Spend per day: the higher of the last day's and the last week's averages, so that a
    change shows within a day, while a quiet night or weekend does not hide a week's use.
    None until MIN_OBSERVATION of history; zero under MIN_RATE_PER_DAY."""
    if spend.observed_since is None or at - spend.observed_since < MIN_OBSERVATION:
        return None
    since = spend.observed_since
    rate = max(_average_per_day(spend, since, DAY_HOURS), _average_per_day(spend, since, WEEK_HOURS))
    return rate.quantize(_RATE_PLACES) if rate >= MIN_RATE_PER_DAY else _ZERO.quantize(_RATE_PLACES)


def _average_per_day(spend: CurrencySpend, since: datetime, hours: int) -> Decimal:
    """Spend per day over the last `hours` hours, or since observation began if that is later.
    The oldest clock hour counts for the part of it inside the window."""
    cut = spend.at - hours * _HOUR
    seconds = Decimal((spend.at - max(cut, since)).total_seconds())
    if seconds <= 0:
        return _ZERO
    spent = _ZERO
    hour = _hour_of(spend.at)
    for amount in reversed(spend.hourly):
        if hour + _HOUR <= cut:
            break
        inside = 1 if hour >= cut or cut <= since else Decimal((hour + _HOUR - cut).total_seconds()) / _HOUR_SECONDS
        spent += amount * inside
        hour -= _HOUR
    return spent * DAY_HOURS * _HOUR_SECONDS / seconds


def _unspent_change(before: CurrencySpend, now: CurrencySpend, currency: str, factor: Decimal) -> SpendEvent | None:
    if now.total > before.total:
        return SpendEvent("top_up", currency, now.total - before.total)
    granted_drop = (before.granted or _ZERO) - (now.granted or _ZERO)
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
    """What the burn rate predicts for the time from the last check to `at`; nothing while the
    rate is not yet known (a few minutes of history would predict anything)."""
    rate = rate_per_day(before, before.at) or _ZERO
    return (rate * Decimal((at - before.at).total_seconds()) / (DAY_HOURS * _HOUR_SECONDS)).quantize(_BUCKET_PLACES)


def _with_interval(before: CurrencySpend, now: CurrencySpend, interval: Interval) -> CurrencySpend:
    hourly = list(_advance(before.hourly, before.at, interval.end))
    last_hour = _hour_of(interval.end)
    for hour, amount in _split_by_hour(interval):
        index = len(hourly) - 1 - _hours_between(hour, last_hour)
        if index >= 0:
            hourly[index] += amount
    recent = tuple(kept for kept in (*before.recent, interval) if kept.end > interval.end - SPIKE_WINDOW)
    return replace(
        now,
        observed_since=before.observed_since or interval.start,
        hourly=tuple(hourly),
        recent=recent,
    )


def _advance(hourly: tuple[Decimal, ...], before: datetime, at: datetime) -> tuple[Decimal, ...]:
    """The hourly spend moved on from the hour of `before` to the hour of `at`, new hours empty."""
    if not hourly:
        hourly = (_ZERO,)
    new_hours = min(_hours_between(_hour_of(before), _hour_of(at)), HOURS_KEPT)
    return (*hourly, *([_ZERO] * new_hours))[-HOURS_KEPT:]


def _split_by_hour(interval: Interval) -> list[tuple[datetime, Decimal]]:
    """The interval's spend shared among the clock hours it covers, in proportion to time;
    the last hour takes what is left, so the shares add up to the spend exactly."""
    seconds = Decimal((interval.end - interval.start).total_seconds())
    hours = []
    hour = _hour_of(interval.start)
    while hour < interval.end:
        hours.append(hour)
        hour += _HOUR
    shares = []
    for hour in hours[:-1]:
        overlap = min(hour + _HOUR, interval.end) - max(hour, interval.start)
        shares.append((hour, (interval.spend * Decimal(overlap.total_seconds()) / seconds).quantize(_BUCKET_PLACES)))
    given = sum((share for _, share in shares), _ZERO)
    return [*shares, (hours[-1], interval.spend - given)]


def _spike(spend: CurrencySpend, factor: Decimal) -> Spike | None:
    """The last hour's spend against the most that this time of day (the hour either side
    included) spent on any of the last seven days; until a week is known, against the busiest
    hour so far. A spike is an excess over that of more than `factor` times the week's
    average hourly spend, and of more than MIN_SPIKE_PER_HOUR."""
    since = spend.observed_since
    if since is None or spend.at - since < SPIKE_LEARNING or not spend.recent:
        return None
    seconds = Decimal((spend.recent[-1].end - spend.recent[0].start).total_seconds())
    recent = sum((interval.spend for interval in spend.recent), _ZERO) * _HOUR_SECONDS / seconds
    # The time of day is the hour the last hour's window is centred in: 10:00 for a check at 10:30
    # and for one at 11:00 (whose window is 10:00 to 11:00).
    middle = len(spend.hourly) - 1 - _hours_between(_hour_of(spend.at - SPIKE_WINDOW / 2), _hour_of(spend.at))
    same_time_of_day = [
        spend.hourly[index]
        for day in range(1, 8)
        for offset in (-1, 0, 1)
        if (index := middle - day * DAY_HOURS + offset) >= 0
    ]
    if spend.at - since < timedelta(hours=WEEK_HOURS):
        same_time_of_day += spend.hourly[:-2]  # every hour before the last hour's window
    expected = max(same_time_of_day, default=_ZERO)
    usual = _average_per_day(spend, since, WEEK_HOURS) / DAY_HOURS
    if recent - expected <= max(factor * usual, MIN_SPIKE_PER_HOUR):
        return None
    return Spike(
        recent_rate_per_day=(recent * DAY_HOURS).quantize(_RATE_PLACES),
        expected_rate_per_day=(expected * DAY_HOURS).quantize(_RATE_PLACES),
        usual_rate_per_day=(usual * DAY_HOURS).quantize(_RATE_PLACES),
        factor=factor,
    )


def _hour_of(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _hours_between(earlier: datetime, later: datetime) -> int:
    return int((later - earlier) // _HOUR)
