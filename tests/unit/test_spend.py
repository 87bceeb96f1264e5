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
    Spike,
    estimate,
    update_spend,
)

START = datetime(2026, 11, 25, tzinfo=UTC)
STEP = timedelta(minutes=15)
FACTOR = Decimal(3)


def report(granted: str, topped_up: str) -> BalanceReport:
    g, t = Decimal(granted), Decimal(topped_up)
    return BalanceReport(True, {"CNY": CurrencyBalance("CNY", g + t, g, t)})


def replay(balances: list[tuple[str, str]], step: timedelta = STEP, first: datetime = START):
    """Feed (granted, topped_up) checks one step apart from `first`; the aggregates, events and last time."""
    spend: dict = {}
    events: list[SpendEvent] = []
    at = first
    for index, (granted, topped_up) in enumerate(balances):
        at = first + index * step
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


@pytest.mark.parametrize(("checks", "rate"), [(24, None), (25, Decimal("24.0000"))], ids=["5h45", "6h"])
def test_the_rate_is_known_from_six_hours_of_history_on(checks, rate):
    # 0.25 every 15 minutes is 24 a day; 25 checks span exactly MIN_OBSERVATION, 24 checks 15 minutes less.
    spend, _, at = replay(steady(Decimal(100), Decimal("0.25"), checks))

    assert at - START == (checks - 1) * STEP
    assert estimate(spend, at, spike_factor=FACTOR).rate_per_day == rate


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


@pytest.mark.parametrize(
    ("quarters_before", "counted"),
    [(24, Decimal("6.25")), (23, Decimal("5.75"))],
    ids=["the rate known: 6 hours observed", "not yet known: 5 hours 45 minutes"],
)
def test_a_top_up_interval_is_counted_at_the_burn_rate_once_it_is_known(quarters_before, counted):
    # 0.25 a quarter-hour, then a top-up of 100 the next quarter: once 6 hours are observed its
    # interval counts the rate's 0.25 (6.00 + 0.25); before, it counts nothing (5.75 + 0).
    history = steady(Decimal(100), QUARTER, quarters_before + 1)
    history.append(("0", str(Decimal(history[-1][1]) + 100)))

    spend, events, _ = replay(history)

    assert events == [SpendEvent("top_up", "CNY", Decimal(100))]
    assert sum(spend.hourly) == counted


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


def spends(per_step: list[Decimal], start: Decimal = Decimal(10_000), step: timedelta = STEP, first: datetime = START):
    """Checks one step apart, each after spending the given amount (the first reads the start)."""
    history, total = [], start
    for amount in per_step:
        total -= amount
        history.append(("0", str(total)))
    return replay(history, step, first)


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


@pytest.mark.parametrize("steady_quarters", [91, 92], ids=["23h45", "24h"])
def test_spikes_are_judged_from_a_full_day_of_history_on(steady_quarters):
    # 1 CNY an hour, then an hour at 20: the last check comes 23h45 or exactly SPIKE_LEARNING after the first.
    spend, _, at = spends([Decimal(0)] + [QUARTER] * steady_quarters + [Decimal(5)] * 4)

    spike = estimate(spend, at, spike_factor=FACTOR).spike

    if at - START < timedelta(hours=24):
        assert spike is None
    else:
        assert spike is not None
        assert spike.recent_rate_per_day == Decimal("480.0000")
        assert spike.expected_rate_per_day == Decimal("24.0000")
        assert spike.usual_rate_per_day == Decimal("43.0000")  # 23 + 20 CNY over the 24 hours


@pytest.mark.parametrize(("factor", "spike"), [(Decimal(8), False), (Decimal("7.99"), True)])
def test_a_spike_is_an_excess_of_more_than_the_factor_times_the_usual(factor, spike):
    # 39 hours at 1 an hour, then an hour at 11: 50 CNY over 40 hours is a usual 1.25 an hour, and
    # the excess over the busiest hour so far (1) is 10, exactly eight times the usual.
    spend, _, at = spends([Decimal(0)] + [QUARTER] * 156 + [Decimal("2.75")] * 4)

    found = estimate(spend, at, spike_factor=factor).spike

    assert at - START == timedelta(hours=40)
    if spike:
        assert found == Spike(Decimal("264.0000"), Decimal("24.0000"), Decimal("30.0000"), factor)
    else:
        assert found is None


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


@pytest.mark.parametrize("hours_late", [-1, 0, 1, 2])
def test_a_daily_job_is_expected_at_its_hour_and_the_hour_either_side(hours_late):
    # 4 CNY from 10:00 to 11:00 for eight days; on the ninth the job starts `hours_late` hours
    # later and is judged half an hour in: the last hour spent 2. An hour early or late, the
    # job's own hour is "this time of day" and expected; two hours late, it is a spike.
    job = day_of({10: Decimal(4)}, days=8)
    ninth_day = day_of({10 + hours_late: Decimal(4)})[: (10 + hours_late) * 4 + 2]

    spend, _, at = spends([Decimal(0), *job, *ninth_day])
    spike = estimate(spend, at, spike_factor=FACTOR).spike

    assert at == START + timedelta(days=8, hours=10 + hours_late, minutes=30)
    if abs(hours_late) <= 1:
        assert spike is None
    else:
        # 26 CNY in the week's window: six whole days of the job and today's 2; 26 / 7 a day.
        assert spike == Spike(Decimal("48.0000"), Decimal("0.0000"), Decimal("3.7143"), FACTOR)


@pytest.mark.parametrize("days_ago", [1, 7])
def test_a_job_run_at_this_hour_on_any_day_of_the_last_week_is_not_a_spike(days_ago):
    # An hour's job from midnight at 4 an hour, on the eighth day and on one day of the week before
    # it (the day before, or the very first hour observed); judged at 01:00 on the eighth day.
    week = [amount for day in range(7) for amount in day_of({0: Decimal(4)} if day == 7 - days_ago else {})]
    tonight = day_of({0: Decimal(4)})[:4]

    again, _, at = spends([Decimal(0), *week, *tonight])
    new, _, _ = spends([Decimal(0), *day_of({}, days=7), *tonight])

    assert at - START == timedelta(hours=169)
    assert estimate(again, at, spike_factor=FACTOR).spike is None
    assert estimate(new, at, spike_factor=FACTOR).spike is not None


def test_in_the_first_week_the_busiest_hour_so_far_is_the_baseline():
    # Day 1 had a 4-an-hour burst in the evening; day 2 has one in the morning.
    day_one = day_of({20: Decimal(4), 12: Decimal(1)})
    morning = day_of({9: Decimal(4)})[: 10 * 4]

    spend, _, at = spends([Decimal(0), *day_one, *morning])

    assert at - START < timedelta(days=7)
    assert estimate(spend, at, spike_factor=FACTOR).spike is None


def test_in_the_first_week_the_hour_before_the_last_counts_among_the_busiest_so_far():
    # A day at 1 an hour, then a job at 6 an hour from 08:00; judged at 10:00, its second hour
    # is no more than its first (08:00-09:00), which is before the last hour's window.
    spend, _, at = spends([Decimal(0), *[QUARTER] * (96 + 32), *[Decimal("1.5")] * 8])

    assert at == START + timedelta(days=1, hours=10)
    assert estimate(spend, at, spike_factor=FACTOR).spike is None


def test_a_week_later_only_the_same_time_of_day_counts():
    # Every evening a 4-an-hour burst for 8 days, then the same burst in the morning.
    evenings = day_of({20: Decimal(4)}, days=8)
    morning = day_of({9: Decimal(4)})[: 10 * 4]

    spend, _, at = spends([Decimal(0), *evenings, *morning])

    spike = estimate(spend, at, spike_factor=FACTOR).spike
    assert spike is not None
    assert spike.expected_rate_per_day == Decimal("0.0000")


@pytest.mark.parametrize("last_check", [timedelta(hours=167, minutes=45), timedelta(hours=168)])
def test_from_a_full_week_on_the_busiest_hour_at_another_time_is_no_baseline(last_check):
    # A 4-an-hour burst every evening at 20:00, then on the seventh day one at 23:00 too.
    # Until a week has passed the evening bursts are the baseline; from WEEK_HOURS on they are not.
    bursts = [*day_of({20: Decimal(4)}, days=6), *day_of({20: Decimal(4), 23: Decimal(4)})]

    spend, _, at = spends([Decimal(0), *bursts[: last_check // STEP]])
    spike = estimate(spend, at, spike_factor=FACTOR).spike

    assert at - START == last_check
    if last_check < timedelta(days=7):
        assert spike is None
    else:
        # 4 an hour over nothing expected; 32 CNY over the week is 32 / 7 a day.
        assert spike == Spike(Decimal("96.0000"), Decimal("0.0000"), Decimal("4.5714"), FACTOR)


def test_spend_too_small_to_matter_is_never_a_spike():
    # A cent a quarter-hour for two days, then ten times that: 0.40 an hour is under the floor.
    small = [Decimal("0.01")] * 192 + [Decimal("0.10")] * 4

    spend, _, at = spends([Decimal(0), *small])

    assert estimate(spend, at, spike_factor=FACTOR).spike is None


def test_a_top_up_during_a_leak_leaves_the_leak_seen():
    # Two days at 24 a day, an hour at 480 a day, then a top-up of 200 at the next check. Its
    # interval's spend is unknown and kept out: the last hour's spend is the leak's hour before it.
    spend, events, at = spends([Decimal(0)] + [QUARTER] * 192 + [Decimal(5)] * 4 + [Decimal(-200)])

    spike = estimate(spend, at, spike_factor=FACTOR).spike

    assert events == [SpendEvent("top_up", "CNY", Decimal(200))]
    assert spike is not None
    assert spike.recent_rate_per_day == Decimal("480.0000")


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


def test_a_cent_a_day_is_a_rate_and_gives_a_runway():
    # One cent spent in a day of checks, with 30 CNY left: 0.01 a day, 3,000 days of runway.
    spend, _, at = spends([Decimal(0), Decimal("0.01"), *[Decimal(0)] * 95], start=Decimal("30.01"))

    result = estimate(spend, at, spike_factor=FACTOR)

    assert at - START == timedelta(days=1)
    assert result.rate_per_day == MIN_RATE_PER_DAY
    assert result.runway_days == Decimal("3000.00")
    assert result.runway_until == at + timedelta(days=3000)


def test_the_rate_is_the_busier_of_the_last_day_and_the_last_week():
    week = [QUARTER] * 96 * 7
    doubled = [QUARTER * 2] * 96

    after_a_busy_day, _, at = spends([Decimal(0), *week, *doubled])
    quiet_day = [Decimal(0)] * 96
    after_a_quiet_day, _, later = spends([Decimal(0), *week, *quiet_day])

    assert estimate(after_a_busy_day, at, spike_factor=FACTOR).rate_per_day == Decimal(48)
    # A quiet day does not hide the week: six of the last seven days spent 24.
    assert estimate(after_a_quiet_day, later, spike_factor=FACTOR).rate_per_day == Decimal("20.5714")


def test_the_last_day_counts_only_the_part_of_its_oldest_hour_inside_it():
    # Nothing until 06:00, then 1 an hour until 06:30 the next day. The last 24 hours hold half
    # of 06:00-07:00 on the first day, 23 whole hours and 06:00-06:30: 24 CNY. (The week's average,
    # 24.5 over 30.5 hours, is lower.)
    spend, _, at = spends([Decimal(0), *[Decimal(0)] * 24, *[QUARTER] * 98])

    assert at == START + timedelta(days=1, hours=6, minutes=30)
    assert estimate(spend, at, spike_factor=FACTOR).rate_per_day == Decimal(24)


def test_a_week_after_a_first_check_at_half_past_that_first_half_hour_counts_whole():
    # From 00:30, six days at 1 an hour and a quiet seventh; judged exactly a week after the first
    # check, the week holds all 144 CNY, the first half hour's 0.5 included: 144 / 7 a day.
    first = START + timedelta(minutes=30)
    spend, _, at = spends([Decimal(0), *[QUARTER] * 96 * 6, *[Decimal(0)] * 96], first=first)

    assert at - first == timedelta(days=7)
    assert estimate(spend, at, spike_factor=FACTOR).rate_per_day == Decimal("20.5714")


@pytest.mark.parametrize(
    ("first", "step", "hourly"),
    [
        # 00:00 to 03:20, 10 CNY: 3 for each whole hour and 1 for the twenty minutes.
        (START, timedelta(hours=3, minutes=20), ("3.000000", "3.000000", "3.000000", "1.000000")),
        # 00:00:30 to 03:20:30: 3570 s of the first hour (2.975), two whole hours, the last 1230 s.
        (
            START + timedelta(seconds=30),
            timedelta(hours=3, minutes=20),
            ("2.975000", "3.000000", "3.000000", "1.025000"),
        ),
        # 00:00 to 03:00: thirds, the last hour taking what rounding left; nothing in 03:00-04:00.
        (START, timedelta(hours=3), ("3.333333", "3.333333", "3.333334", "0")),
    ],
    ids=["on the hour", "seconds past the hour", "ending on the hour"],
)
def test_an_interval_across_hours_is_shared_among_them_exactly(first, step, hourly):
    spend, _, _ = spends([Decimal(0), Decimal(10)], step=step, first=first)

    assert spend.hourly == tuple(Decimal(amount) for amount in hourly)
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


@pytest.mark.parametrize(
    "cny",
    [CurrencyBalance("CNY", None), CurrencyBalance("CNY", Decimal(100))],
    ids=["without an amount", "seen for the first time"],
)
def test_a_currency_not_counted_at_this_check_does_not_hold_back_the_next(cny):
    # USD spends 0.25 between two checks; at the second, CNY (ordered first) has nothing to count.
    first = BalanceReport(True, {"USD": CurrencyBalance("USD", Decimal(10))})
    second = BalanceReport(True, {"CNY": cny, "USD": CurrencyBalance("USD", Decimal("9.75"))})

    spend, _ = update_spend({}, first, START, spike_factor=FACTOR)
    spend, _ = update_spend(spend, second, START + STEP, spike_factor=FACTOR)

    assert (spend["USD"].total, spend["USD"].hourly) == (Decimal("9.75"), (Decimal("0.25"),))
    assert ("CNY" in spend) == (cny.total is not None)


@pytest.mark.parametrize("offset", [timedelta(0), -STEP], ids=["at the same time", "earlier"])
def test_a_check_at_or_before_the_last_changes_nothing(offset):
    # Six hours at 24 a day; then a report, at the last check's time or before it, that reads 200 more.
    spend, _, at = replay(steady(Decimal(100), Decimal("0.25"), 25))

    again, events = update_spend({"CNY": spend}, report("0", "294"), at + offset, spike_factor=FACTOR)

    assert (again, events) == ({"CNY": spend}, [])
    assert estimate(again["CNY"], at, spike_factor=FACTOR).rate_per_day == Decimal(24)


def test_granted_credit_that_vanishes_before_any_rate_is_known_expired():
    history = [("10", "90"), ("10", "89.75"), ("0", "89.75")]

    _, events, _ = replay(history)

    assert events == [SpendEvent("expiry", "CNY", Decimal(10))]


@pytest.mark.parametrize(
    ("granted", "events", "counted"),
    [
        ("0.75", [], Decimal("6.75")),
        ("0.76", [SpendEvent("expiry", "CNY", Decimal("0.76"))], Decimal("6.25")),
    ],
    ids=["three times the expected spend", "more"],
)
def test_granted_credit_gone_by_more_than_the_factor_times_the_expected_spend_expired(granted, events, counted):
    # Six hours at 0.25 a quarter-hour (24 a day) predict 0.25 for the next quarter; the factor 3
    # makes 0.75 the line. At 0.75 the granted credit was spent (6.00 + 0.75 counted); above it, it
    # expired and the interval is counted at the burn rate (6.00 + 0.25).
    paid = [(granted, str(Decimal(90) - QUARTER * index)) for index in range(25)]

    spend, found, _ = replay([*paid, ("0", paid[-1][1])])

    assert found == events
    assert sum(spend.hourly) == counted


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


@pytest.mark.parametrize("hours_late", [-1, 1])
def test_a_daily_job_an_hour_early_or_late_judged_on_the_hour_is_not_a_spike(hours_late):
    # 4 CNY from 10:00 to 11:00 for eight days; on the ninth the job runs an hour early or late and
    # is judged at the end of its hour, on the hour (as a schedule of every 15 minutes or every hour is).
    job = day_of({10: Decimal(4)}, days=8)
    ninth_day = day_of({10 + hours_late: Decimal(4)})[: (11 + hours_late) * 4]

    spend, _, at = spends([Decimal(0), *job, *ninth_day])

    assert at == START + timedelta(days=8, hours=11 + hours_late)
    assert estimate(spend, at, spike_factor=FACTOR).spike is None


def test_with_checks_every_five_minutes_the_time_of_day_is_the_middle_of_the_last_hour():
    # A job spends 4 from 07:00 to 08:00 every day for eight days; on the ninth it starts at 08:25.
    # Judged at 09:25, the last hour (08:25 to 09:25) is centred in the 8 o'clock hour, whose
    # neighbours include 07:00, the job's usual hour: this is the job, late, not a leak.
    five_minutes = timedelta(minutes=5)
    per_step = Decimal(4) / 12
    eight_days = [per_step if 85 <= index % 288 <= 96 else Decimal(0) for index in range(1, 8 * 288 + 1)]
    ninth_morning = [per_step if index >= 102 else Decimal(0) for index in range(1, 114)]

    spend, _, at = spends([Decimal(0), *eight_days, *ninth_morning], step=five_minutes)

    assert at == START + timedelta(days=8, hours=9, minutes=25)
    assert estimate(spend, at, spike_factor=FACTOR).spike is None
