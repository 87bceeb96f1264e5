"""Burn rate, runway, top-ups, expiries and spikes over synthetic histories."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from balance_monitor.balance import BalanceReport, CurrencyBalance
from balance_monitor.spend import (
    HOURS_KEPT,
    MIN_OBSERVATION,
    MIN_RATE_PER_DAY,
    RUNWAY_HORIZON_DAYS,
    SpendEvent,
    estimate,
    update_spend,
)

START = datetime(2026, 11, 25, tzinfo=UTC)
STEP = timedelta(minutes=15)
FACTOR = Decimal(3)


def report(granted: str, topped_up: str) -> BalanceReport:
    g, t = Decimal(granted), Decimal(topped_up)
    return BalanceReport(True, {"CNY": CurrencyBalance("CNY", g + t, g, t)})


def replay(balances: list[tuple[str, str]], step: timedelta = STEP):
    """Feed (granted, topped_up) checks one step apart; the aggregates, events and last time."""
    spend: dict = {}
    events: list[SpendEvent] = []
    at = START
    for index, (granted, topped_up) in enumerate(balances):
        at = START + index * step
        spend, new = update_spend(spend, report(granted, topped_up), at, spike_factor=FACTOR)
        events += new
    return spend["CNY"], events, at


def steady(start: Decimal, per_step: Decimal, steps: int) -> list[tuple[str, str]]:
    return [("0", str(start - per_step * index)) for index in range(steps)]


def test_steady_spend_gives_its_rate_and_the_runway_to_zero():
    # 0.25 CNY every 15 minutes is 24 CNY a day; 10 hours of checks.
    spend, events, at = replay(steady(Decimal(100), Decimal("0.25"), 41))

    result = estimate(spend, at, spike_factor=FACTOR)

    assert events == []
    assert result.rate_per_day == Decimal("24.0000")
    assert spend.total == Decimal("90.00")
    assert result.runway_days == Decimal("3.75")
    assert result.runway_until == at + timedelta(days=3.75)
    assert all(type(value) is Decimal for value in (result.rate_per_day, result.runway_days))


def test_too_little_history_is_not_yet_known_never_a_guess():
    spend, _, at = replay(steady(Decimal(100), Decimal("0.25"), 20))  # under 5 hours

    result = estimate(spend, at, spike_factor=FACTOR)

    assert at - START < MIN_OBSERVATION
    assert (result.rate_per_day, result.runway_days, result.runway_until) == (None, None, None)


def test_bursty_spend_is_smoothed_around_its_average():
    # 2 CNY in one check of every eight, nothing in the others: 24 CNY a day on average.
    balances, total = [], Decimal(500)
    for index in range(8 * 12):
        balances.append(("0", str(total)))
        total -= Decimal(2) if index % 8 == 7 else Decimal(0)

    spend, _, at = replay(balances)
    rate = estimate(spend, at, spike_factor=FACTOR).rate_per_day

    assert Decimal(15) < rate < Decimal(35)


def test_a_top_up_is_an_event_never_negative_spend():
    history = steady(Decimal(50), Decimal("0.25"), 30)
    history += [("0", str(Decimal(history[-1][1]) + 200))]  # someone tops up 200
    history += [("0", str(Decimal(history[-1][1]) - Decimal("0.25") * step)) for step in range(1, 11)]

    spend, events, at = replay(history)
    result = estimate(spend, at, spike_factor=FACTOR)

    assert events == [SpendEvent("top_up", "CNY", Decimal("200.00"))]
    assert result.rate_per_day == Decimal("24.0000")
    assert result.runway_days > Decimal(9)


def test_granted_credit_that_expires_is_not_spend():
    history = [("10", str(Decimal(90) - Decimal("0.25") * step)) for step in range(30)]
    history += [("0", history[-1][1])]  # the 10 granted expire; topped-up untouched
    history += [("0", str(Decimal(history[-1][1]) - Decimal("0.25") * step)) for step in range(1, 11)]

    spend, events, at = replay(history)

    assert events == [SpendEvent("expiry", "CNY", Decimal(10))]
    assert estimate(spend, at, spike_factor=FACTOR).rate_per_day == Decimal("24.0000")


def test_granted_credit_being_used_is_spend():
    history = [(str(Decimal(20) - Decimal("0.25") * step), "50") for step in range(30)]

    spend, events, at = replay(history)

    assert events == []
    assert estimate(spend, at, spike_factor=FACTOR).rate_per_day == Decimal("24.0000")


def spends(per_step: list[Decimal], start: Decimal = Decimal(10_000), step: timedelta = STEP):
    """Checks one step apart, each after spending the given amount (the first reads the start)."""
    history, total = [], start
    for amount in per_step:
        total -= amount
        history.append(("0", str(total)))
    return replay(history, step)


def day_of(per_hour: dict[int, Decimal], days: int = 1) -> list[Decimal]:
    """Quarter-hour spends for whole days, from an amount per hour of the day (missing: 0)."""
    return [per_hour.get(hour, Decimal(0)) / 4 for _ in range(days) for hour in range(24) for _ in range(4)]


QUARTER = Decimal("0.25")  # a quarter-hour at 24 CNY a day


def test_a_spike_is_reported_with_the_numbers_that_triggered_it():
    # Two days at 24 a day, then an hour at 480 a day.
    spend, _, at = spends([Decimal(0)] + [QUARTER] * 192 + [Decimal(5)] * 4)

    spike = estimate(spend, at, spike_factor=FACTOR).spike

    assert spike is not None
    assert spike.recent_rate_per_day == Decimal("480.0000")
    assert spike.expected_rate_per_day == Decimal("24.0000")  # this time of day spent 1 CNY an hour
    assert spike.usual_rate_per_day == Decimal("33.3061")  # 68 CNY over the 49 hours observed
    assert spike.factor == FACTOR


def test_the_spike_factor_sets_how_far_above_the_usual_a_spike_begins():
    # Two days at 24 a day (1 an hour), then an hour at 5 more than this time of day's 1.
    history = [Decimal(0)] + [QUARTER] * 192 + [Decimal("1.5")] * 4

    assert estimate(*spends(history)[::2], spike_factor=Decimal(3)).spike is not None
    assert estimate(*spends(history)[::2], spike_factor=Decimal(6)).spike is None


def test_no_spike_in_the_first_day_when_nothing_is_known_of_the_hours():
    spend, _, at = spends([Decimal(0)] + [QUARTER] * 80 + [Decimal(5)] * 4)

    assert estimate(spend, at, spike_factor=FACTOR).spike is None


def test_office_hours_every_morning_are_not_a_spike():
    # 09:00-18:00 at 6 CNY an hour, nothing at night; a week of it, judged every quarter-hour.
    office = day_of(dict.fromkeys(range(9, 18), Decimal(6)))
    spend_state: dict = {}
    spikes = []
    total = Decimal(10_000)
    for index, amount in enumerate([Decimal(0), *office * 7]):
        total -= amount
        at = START + index * STEP
        spend_state, _ = update_spend(spend_state, report("0", str(total)), at, spike_factor=FACTOR)
        if estimate(spend_state["CNY"], at, spike_factor=FACTOR).spike:
            spikes.append(at)
    assert spikes == []
    assert estimate(spend_state["CNY"], at, spike_factor=FACTOR).rate_per_day == Decimal(54)


def test_a_nightly_batch_is_its_hours_usual_but_a_leak_at_the_same_hour_is_not():
    nightly = day_of({2: Decimal(30), 12: Decimal(1)})
    leak = [Decimal(0)] * 8 + [Decimal(30) / 4 + Decimal("2.5")] * 4  # the batch, and 10 an hour more

    batch_again, _, at = spends([Decimal(0), *nightly * 3, *nightly[:12]])
    leaked, _, _ = spends([Decimal(0), *nightly * 3, *leak])

    assert estimate(batch_again, at, spike_factor=FACTOR).spike is None
    assert estimate(leaked, at, spike_factor=FACTOR).spike is not None


def test_in_the_first_week_the_busiest_hour_so_far_is_the_baseline():
    # Day 1 had a 4-an-hour burst in the evening; day 2 has one in the morning.
    day_one = day_of({20: Decimal(4), 12: Decimal(1)})
    morning = day_of({9: Decimal(4)})[: 10 * 4]

    spend, _, at = spends([Decimal(0), *day_one, *morning])

    assert at - START < timedelta(days=7)
    assert estimate(spend, at, spike_factor=FACTOR).spike is None


def test_a_week_later_only_the_same_time_of_day_counts():
    # Every evening a 4-an-hour burst for 8 days, then the same burst in the morning.
    evenings = day_of({20: Decimal(4)}, days=8)
    morning = day_of({9: Decimal(4)})[: 10 * 4]

    spend, _, at = spends([Decimal(0), *evenings, *morning])

    spike = estimate(spend, at, spike_factor=FACTOR).spike
    assert spike is not None
    assert spike.expected_rate_per_day == Decimal("0.0000")


def test_spend_too_small_to_matter_is_never_a_spike():
    # A cent a quarter-hour for two days, then ten times that: 0.40 an hour is under the floor.
    small = [Decimal("0.01")] * 192 + [Decimal("0.10")] * 4

    spend, _, at = spends([Decimal(0), *small])

    assert estimate(spend, at, spike_factor=FACTOR).spike is None


def test_an_idle_account_with_a_large_balance_never_overflows():
    # One small spend, then four weeks of nothing, with 8,000 CNY: the runway is no date at all.
    spend, _, at = spends([Decimal(0), Decimal("0.35"), *[Decimal(0)] * (96 * 28)], start=Decimal(8000))

    result = estimate(spend, at, spike_factor=FACTOR)

    assert result.rate_per_day == Decimal(0)
    assert (result.runway_days, result.runway_until) == (None, None)


@pytest.mark.parametrize(
    ("days", "runway_days"),
    [(RUNWAY_HORIZON_DAYS, RUNWAY_HORIZON_DAYS), (RUNWAY_HORIZON_DAYS + 1, None)],
)
def test_a_runway_beyond_ten_years_is_no_runway_to_speak_of(days, runway_days):
    # 24 a day for a day; a balance of `days` days of that.
    spend, _, at = spends([Decimal(0)] + [QUARTER] * 96, start=days * 24 + 24)

    assert estimate(spend, at, spike_factor=FACTOR).runway_days == runway_days


def test_a_rate_under_a_cent_a_day_is_zero():
    # Half a cent over a day and a half.
    spend, _, at = spends([Decimal(0), Decimal("0.005"), *[Decimal(0)] * 144])

    assert estimate(spend, at, spike_factor=FACTOR).rate_per_day == Decimal(0)
    assert Decimal("0.01") == MIN_RATE_PER_DAY


def test_the_rate_is_the_busier_of_the_last_day_and_the_last_week():
    week = [QUARTER] * 96 * 7
    doubled = [QUARTER * 2] * 96

    after_a_busy_day, _, at = spends([Decimal(0), *week, *doubled])
    quiet_day = [Decimal(0)] * 96
    after_a_quiet_day, _, later = spends([Decimal(0), *week, *quiet_day])

    assert estimate(after_a_busy_day, at, spike_factor=FACTOR).rate_per_day == Decimal(48)
    # A quiet day does not hide the week: six of the last seven days spent 24.
    assert estimate(after_a_quiet_day, later, spike_factor=FACTOR).rate_per_day == Decimal("20.5714")


def test_an_interval_across_hours_is_shared_among_them_exactly():
    # Checks at 00:00 and 03:20, 10 CNY spent between them.
    spend, _, _ = spends([Decimal(0), Decimal(10)], step=timedelta(hours=3, minutes=20))

    assert spend.hourly == (Decimal("3.000000"), Decimal("3.000000"), Decimal("3.000000"), Decimal("1.000000"))
    assert sum(spend.hourly) == 10


def test_two_currencies_are_kept_apart():
    spend: dict = {}
    for index in range(97):
        both = BalanceReport(
            True,
            {
                "CNY": CurrencyBalance("CNY", Decimal(1000) - QUARTER * index),
                "USD": CurrencyBalance("USD", Decimal(100) - Decimal("0.01") * index),
            },
        )
        spend, _ = update_spend(spend, both, START + index * STEP, spike_factor=FACTOR)

    at = START + 96 * STEP
    assert estimate(spend["CNY"], at, spike_factor=FACTOR).rate_per_day == Decimal(24)
    assert estimate(spend["USD"], at, spike_factor=FACTOR).rate_per_day == Decimal("0.96")


def test_granted_credit_that_vanishes_before_any_rate_is_known_expired():
    history = [("10", "90"), ("10", "89.75"), ("0", "89.75")]

    _, events, _ = replay(history)

    assert events == [SpendEvent("expiry", "CNY", Decimal(10))]


def test_steady_spend_is_no_spike():
    spend, _, at = replay(steady(Decimal(100), Decimal("0.25"), 41))

    assert estimate(spend, at, spike_factor=FACTOR).spike is None


def test_nothing_spent_means_no_runway_to_run_out():
    spend, _, at = replay([("0", "100")] * 30)

    result = estimate(spend, at, spike_factor=FACTOR)

    assert result.rate_per_day == Decimal("0.0000")
    assert result.runway_days is None


@pytest.mark.parametrize("years", [0, 1])
def test_the_state_kept_per_currency_stays_the_same_size(years):
    steps = 96 + years * 96 * 365
    spend, _, _ = replay(steady(Decimal(10**6), Decimal("0.25"), steps))

    assert len(spend.recent) <= 4  # the last hour at one check every 15 minutes
    assert len(spend.hourly) <= HOURS_KEPT
