"""Burn rate, runway, top-ups, expiries and spikes over synthetic histories."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from balance_monitor.balance import BalanceReport, CurrencyBalance
from balance_monitor.spend import MIN_OBSERVATION, SpendEvent, estimate, update_spend

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


def test_a_spike_is_reported_with_the_numbers_that_triggered_it():
    history = steady(Decimal(500), Decimal("0.25"), 40)  # 10 hours at 24 a day
    last = Decimal(history[-1][1])
    history += [("0", str(last - Decimal(5) * step)) for step in range(1, 5)]  # an hour at 480 a day

    spend, _, at = replay(history)
    spike = estimate(spend, at, spike_factor=FACTOR).spike

    assert spike is not None
    assert spike.recent_rate_per_day == Decimal("480.0000")
    assert spike.usual_rate_per_day > Decimal(24)
    assert spike.recent_rate_per_day > FACTOR * spike.usual_rate_per_day


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
