"""Usage patterns people have, as a month of 15-minute steps, and what a person on call should
be told over that month. Pure: no AWS, no HTTP, no clock; the same seed gives the same month.

Every pattern is judged over the same script (docs/simulation.md):
- two leaks of a key, each burning ten times the pattern's average hourly spend for an hour:
  one at 10:30 on a weekday morning, one at 03:30 at night;
- the balance falls through a short runway to the low threshold and is topped up six hours
  later, by when the busier patterns have spent it below the critical level;
- the account cannot serve (`is_available: false`) for two hours near the end.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

STEP = timedelta(minutes=15)
START = datetime(2026, 10, 5, tzinfo=UTC)  # a Monday
DAYS = 28
MEAN_DAILY = Decimal(40)  # CNY a day, averaged over a week, for every pattern but the idle one
RUNWAY_ALERT_DAYS = Decimal(3)
CENT = Decimal("0.01")
LEAKS = (START + timedelta(days=9, hours=10, minutes=30), START + timedelta(days=16, hours=3, minutes=30))
LEAK_FACTOR = 10
IDLE_LEAK_PER_HOUR = Decimal(5)  # an idle account has no usual rate: a leak of 5 CNY an hour
UNAVAILABLE = (START + timedelta(days=26, hours=10), START + timedelta(days=26, hours=12))
LOW_CROSSING_DAY = 23  # the balance is sized to reach the threshold about then


@dataclass(frozen=True)
class Pattern:
    name: str
    description: str
    spend: Callable[[datetime, random.Random], Decimal]  # spent in the step ending at this time
    mean_daily: Callable[[datetime], Decimal]  # the pattern's true average spend a day, at this time
    idle: bool = False


@dataclass(frozen=True)
class Step:
    at: datetime
    spend: Decimal
    leak: Decimal
    top_up: Decimal
    is_available: bool
    balance: Decimal  # after this step's spend and top-up: what the check reads


def _noisy(base: Decimal, rng: random.Random, spread: float) -> Decimal:
    return (base * Decimal(str(round(rng.uniform(1 - spread, 1 + spread), 3)))).quantize(CENT)


def _steady(at: datetime, rng: random.Random) -> Decimal:
    return _noisy(MEAN_DAILY / 96, rng, 0.2)


def _office_hours(at: datetime, rng: random.Random) -> Decimal:
    working = at.weekday() < 5 and 9 <= (at - STEP).hour < 18
    return _noisy(MEAN_DAILY * 7 / 5 / 36, rng, 0.3) if working else Decimal(0)


def _nightly_batch(at: datetime, rng: random.Random) -> Decimal:
    hour = (at - STEP).hour
    if hour == 2:
        return _noisy(MEAN_DAILY * Decimal("0.7") / 4, rng, 0.1)  # the batch: 70% of the day's spend
    if 8 <= hour < 20:
        return _noisy(MEAN_DAILY * Decimal("0.3") / 48, rng, 0.5)
    return Decimal(0)


class _Bursts:
    """Agent runs of 30 to 60 minutes at four times the average rate, about half of waking hours."""

    def __init__(self) -> None:
        self.left = 0

    def __call__(self, at: datetime, rng: random.Random) -> Decimal:
        if self.left == 0 and 7 <= (at - STEP).hour < 23 and rng.random() < 0.22:
            self.left = rng.choice((2, 3, 4))
        if self.left == 0:
            return Decimal(0)
        self.left -= 1
        return _noisy(MEAN_DAILY / 24, rng, 0.3)


def _idle(at: datetime, rng: random.Random) -> Decimal:
    return Decimal("0.35") if at == START + timedelta(hours=2) else Decimal(0)  # one small call, then nothing


def _doubling_extra(at: datetime) -> Decimal:
    """A leak that grows slowly: nothing for a week, then up to the usual rate again over a week."""
    days = Decimal((at - START).total_seconds()) / 86400
    return MEAN_DAILY * min(max(days - 7, Decimal(0)) / 7, Decimal(1))


def _slow_leak(at: datetime, rng: random.Random) -> Decimal:
    return _noisy((MEAN_DAILY + _doubling_extra(at)) / 96, rng, 0.2)


def patterns() -> list[Pattern]:
    """Fresh patterns (the bursty one keeps state between steps)."""

    def flat(_: datetime) -> Decimal:
        return MEAN_DAILY

    return [
        Pattern("steady", "steady use around the clock, ±20% from one quarter-hour to the next", _steady, flat),
        Pattern(
            "office hours", "weekdays 09:00-18:00 UTC only, ±30%; nothing at night or at weekends", _office_hours, flat
        ),
        Pattern(
            "nightly batch",
            "a batch job at 02:00 spends 70% of the day in an hour; light use 08:00-20:00",
            _nightly_batch,
            flat,
        ),
        Pattern(
            "bursty agents",
            "agent runs of 30-60 minutes at 4x the average rate, at random, 07:00-23:00",
            _Bursts(),
            flat,
        ),
        Pattern(
            "idle",
            "8,000 CNY, one small call in the first hours, then nothing for four weeks",
            _idle,
            lambda _: Decimal(0),
            idle=True,
        ),
        Pattern(
            "slow leak",
            "steady use, then from day 7 a leak that grows over a week until spend has doubled",
            _slow_leak,
            lambda at: MEAN_DAILY + _doubling_extra(at),
        ),
    ]


def leak_per_step(pattern: Pattern, at: datetime) -> Decimal:
    """A leaked key's spend in the step ending at `at`: ten times the usual hourly spend, for an hour."""
    if not any(start < at <= start + timedelta(hours=1) for start in LEAKS):
        return Decimal(0)
    per_hour = IDLE_LEAK_PER_HOUR if pattern.idle else pattern.mean_daily(at) / 24 * LEAK_FACTOR
    return (per_hour / 4).quantize(CENT)


def steps(pattern: Pattern, *, days: int = DAYS, seed: int = 7) -> Iterator[Step]:
    """The month, one step every 15 minutes, with the balance sized so that it reaches the
    threshold on about day LOW_CROSSING_DAY and is topped up six hours later."""
    rng = random.Random(f"{pattern.name}-{seed}")  # noqa: S311  (usage, not secrets: the same seed, the same month)
    balance = opening_balance(pattern)
    threshold = low_threshold(pattern)
    topped_up = False
    low_since: datetime | None = None
    at = START
    while at < START + timedelta(days=days):
        spend = pattern.spend(at, rng) if at > START else Decimal(0)
        leak = leak_per_step(pattern, at)
        balance = max(Decimal(0), balance - spend - leak)
        top_up = Decimal(0)
        if balance < threshold and low_since is None:
            low_since = at
        if low_since is not None and not topped_up and at >= low_since + timedelta(hours=6):
            top_up = opening_balance(pattern)
            balance += top_up
            topped_up = True
        available = not (UNAVAILABLE[0] <= at < UNAVAILABLE[1])
        yield Step(at, spend, leak, top_up, available, balance)
        at += STEP


def opening_balance(pattern: Pattern) -> Decimal:
    if pattern.idle:
        return Decimal(8000)
    days = [pattern.mean_daily(START + timedelta(days=day, hours=12)) for day in range(LOW_CROSSING_DAY)]
    leaks = 2 * MEAN_DAILY / 24 * LEAK_FACTOR
    return (sum(days, Decimal(0)) + leaks + low_threshold(pattern)).quantize(CENT)


def low_threshold(pattern: Pattern) -> Decimal:
    """A day of spend: so a steady decline meets the 3-day runway first."""
    return Decimal(100) if pattern.idle else MEAN_DAILY


def critical_threshold(pattern: Pattern) -> Decimal:
    """Half a day of spend: what a busy afternoon leaves before the top-up comes."""
    return low_threshold(pattern) / 2
