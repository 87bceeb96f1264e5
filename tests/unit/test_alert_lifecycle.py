from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from balance_monitor.alert_lifecycle import (
    MAX_CLOCK_SKEW,
    SEVERITY,
    AlertState,
    CheckOutcome,
    Notification,
    NotificationKind,
    Observation,
    Status,
    balance_status,
    evaluate,
    is_duplicate,
    is_stale,
    without_future,
)
from balance_monitor.balance import BalanceReport, CurrencyBalance, Thresholds
from balance_monitor.spend import Estimate, SpendEvent, Spike

THRESHOLDS = Thresholds(per_currency={"CNY": Decimal(50), "USD": Decimal(7)})
CRITICAL = Thresholds(per_currency={"CNY": Decimal(10), "USD": Decimal(2)})
SPIKE = Spike(Decimal(240), Decimal(24), Decimal(24), Decimal(3))
REMINDER = timedelta(hours=24)
START = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
STEP = timedelta(minutes=15)


def balances(is_available: bool = True, **totals: str | None) -> Observation:
    report = BalanceReport(
        is_available=is_available,
        balances={
            currency: CurrencyBalance(currency, None if total is None else Decimal(total))
            for currency, total in sorted(totals.items())
        },
    )
    return Observation(CheckOutcome.OK, report=report)


FAILED = Observation(CheckOutcome.FAILED, error="DeepSeek answered HTTP 503")
KEY_REJECTED = Observation(CheckOutcome.KEY_REJECTED, error="DeepSeek rejected the API key (HTTP 401)")
INSUFFICIENT = Observation(CheckOutcome.INSUFFICIENT_BALANCE, error="HTTP 402")


def notifications(
    observations: list[Observation],
    state: AlertState | None = None,
    step: timedelta = STEP,
    critical: Thresholds | None = None,
):
    """Feed checks one step apart; return the final state and each notification."""
    state = state or AlertState()
    sent = []
    for index, observation in enumerate(observations):
        evaluation = evaluate(
            state,
            observation,
            checked_at=START + index * step,
            thresholds=THRESHOLDS,
            critical_thresholds=critical,
            reminder_interval=REMINDER,
        )
        state = evaluation.state
        if evaluation.notification:
            sent.append(evaluation.notification)
    return state, sent


def run(
    observations: list[Observation],
    state: AlertState | None = None,
    step: timedelta = STEP,
    critical: Thresholds | None = None,
):
    """Feed checks one step apart; return the final state and (kind, status) of each notification."""
    state, sent = notifications(observations, state, step, critical)
    return state, [(notification.kind, notification.status) for notification in sent]


def test_a_healthy_account_is_never_notified():
    state, sent = run([balances(CNY="100.00", USD="10.00")] * 10)

    assert state.status is Status.HEALTHY
    assert sent == []


def test_falling_below_a_threshold_alerts_once_then_reminds_once_per_interval():
    low = balances(CNY="49.99", USD="10.00")

    state, sent = run([low] * (4 * 24 * 2 + 1))  # two days of 15-minute checks

    assert state.status is Status.LOW
    assert sent == [
        (NotificationKind.ALERT, Status.LOW),
        (NotificationKind.REMINDER, Status.LOW),
        (NotificationKind.REMINDER, Status.LOW),
    ]


def test_exactly_at_the_threshold_is_not_low():
    _, sent = run([balances(CNY="50.00", USD="7.00")])

    assert sent == []


def test_returning_to_healthy_sends_one_recovery():
    _, sent = run([balances(CNY="10.00"), balances(CNY="10.00"), balances(CNY="500.00"), balances(CNY="500.00")])

    assert sent == [(NotificationKind.ALERT, Status.LOW), (NotificationKind.RECOVERY, Status.HEALTHY)]


def test_unavailable_outranks_low():
    _, sent = run([balances(CNY="10.00"), balances(is_available=False, CNY="0.00")])

    assert sent == [(NotificationKind.ALERT, Status.LOW), (NotificationKind.ALERT, Status.UNAVAILABLE)]


def test_unavailable_even_when_the_amounts_look_fine():
    state, sent = run([balances(is_available=False, CNY="900.00")])

    assert state.status is Status.UNAVAILABLE
    assert sent == [(NotificationKind.ALERT, Status.UNAVAILABLE)]


def test_402_means_unavailable():
    state, sent = run([INSUFFICIENT])

    assert state.status is Status.UNAVAILABLE
    assert sent == [(NotificationKind.ALERT, Status.UNAVAILABLE)]


def test_a_rejected_key_alerts_at_once():
    state, sent = run([balances(CNY="100.00"), KEY_REJECTED])

    assert state.status is Status.KEY_REJECTED
    assert sent == [(NotificationKind.ALERT, Status.KEY_REJECTED)]


def test_a_misconfigured_monitor_alerts_at_once_reminds_and_recovers_when_fixed():
    misconfigured = Observation(CheckOutcome.MISCONFIGURED, error="LowBalanceThreshold: ... is invalid")

    state, sent = run([balances(CNY="100.00"), misconfigured, misconfigured])
    assert (state.status, sent) == (Status.MISCONFIGURED, [(NotificationKind.ALERT, Status.MISCONFIGURED)])
    assert state.consecutive_failures == 0  # not a failing monitor: it knows what is wrong

    _, sent = run([balances(CNY="100.00")] + [misconfigured] * 97 + [balances(CNY="100.00")])  # a day, then fixed
    assert sent == [
        (NotificationKind.ALERT, Status.MISCONFIGURED),
        (NotificationKind.REMINDER, Status.MISCONFIGURED),
        (NotificationKind.RECOVERY, Status.HEALTHY),
    ]


def test_one_failed_read_alerts_nobody_three_in_a_row_do():
    state, sent = run([balances(CNY="100.00"), FAILED, FAILED])
    assert (state.status, state.consecutive_failures, sent) == (Status.HEALTHY, 2, [])

    state, sent = run([FAILED], state=state)
    assert state.status is Status.FAILING
    assert sent == [(NotificationKind.ALERT, Status.FAILING)]


def test_a_blip_keeps_the_previous_bad_state_without_a_new_alert():
    _, sent = run([balances(CNY="10.00"), FAILED, balances(CNY="10.00")])

    assert sent == [(NotificationKind.ALERT, Status.LOW)]


def test_failures_that_are_not_consecutive_do_not_add_up():
    state, sent = run([FAILED, FAILED, balances(CNY="100.00"), FAILED, FAILED])

    assert state.consecutive_failures == 2
    assert sent == []


def test_a_failing_monitor_recovers_when_the_balance_is_read_again():
    _, sent = run([FAILED, FAILED, FAILED, FAILED, balances(CNY="100.00")])

    assert sent == [(NotificationKind.ALERT, Status.FAILING), (NotificationKind.RECOVERY, Status.HEALTHY)]


def test_a_retried_failed_check_is_not_counted_twice():
    state, _ = run([FAILED, FAILED])
    retried_at = state.last_check_at

    retried = evaluate(state, FAILED, checked_at=retried_at, thresholds=THRESHOLDS, reminder_interval=REMINDER)

    assert retried.state.consecutive_failures == 2
    assert retried.notification is None


def test_the_order_of_currencies_changes_nothing():
    both_low_cny = balances(CNY="10.00", USD="10.00")
    flipped = Observation(
        CheckOutcome.OK,
        report=BalanceReport(True, dict(reversed(list(both_low_cny.report.balances.items())))),
    )

    _, sent = run([both_low_cny, flipped, both_low_cny, flipped])

    assert sent == [(NotificationKind.ALERT, Status.LOW)]


def test_an_unknown_amount_is_not_a_low_one():
    state, sent = run([balances(CNY=None, USD="10.00")])

    assert state.status is Status.HEALTHY
    assert sent == []


def test_a_currency_without_a_threshold_is_never_low():
    evaluation = evaluate(
        AlertState(),
        balances(CNY="0.01"),
        checked_at=START,
        thresholds=Thresholds(per_currency={"USD": Decimal(7)}),
        reminder_interval=REMINDER,
    )

    assert evaluation.state.status is Status.HEALTHY


def test_state_remembers_when_it_began_and_the_last_notification():
    state, _ = run([balances(CNY="100.00"), balances(CNY="10.00"), balances(CNY="10.00")])

    assert state.since == START + STEP
    assert state.last_notified_at == START + STEP
    assert state.last_check_at == START + 2 * STEP
    assert state.version == 3


@pytest.mark.parametrize(
    ("state", "checked_at", "duplicate", "stale"),
    [
        (AlertState(), START, False, False),
        (AlertState(last_check_at=START), START, True, False),
        (AlertState(last_check_at=START, last_check_failed=True), START, False, False),
        (AlertState(last_check_at=START), START - STEP, False, True),
        (AlertState(last_check_at=START), START + STEP, False, False),
    ],
)
def test_duplicate_and_stale_checks(state, checked_at, duplicate, stale):
    assert is_duplicate(state, checked_at) is duplicate
    assert is_stale(state, checked_at) is stale


def spending(start: str, per_step: str, steps: int) -> list[Observation]:
    return [balances(CNY=str(Decimal(start) - Decimal(per_step) * index)) for index in range(steps)]


def test_a_short_runway_alerts_while_the_balance_is_still_above_its_threshold():
    # 80 CNY spent at 24 a day runs out in about 3 days: a runway under 3 days alerts at once.
    state, sent = run(spending("73", "0.25", 30))

    assert state.status is Status.RUNWAY_SHORT
    assert sent == [(NotificationKind.ALERT, Status.RUNWAY_SHORT)]


def test_no_runway_alert_before_there_is_enough_history():
    state, sent = run(spending("60", "0.25", 20))  # runs out within 3 days, but under 6 hours observed

    assert state.status is Status.HEALTHY
    assert sent == []


def test_a_top_up_ends_a_short_runway_and_the_recovery_names_it():
    history = spending("73", "0.25", 30)
    state, _ = run(history)
    top_up = balances(CNY=str(Decimal("73") - Decimal("0.25") * 29 + 200))

    evaluation = evaluate(
        state, top_up, checked_at=START + 30 * STEP, thresholds=THRESHOLDS, reminder_interval=REMINDER
    )

    assert evaluation.state.status is Status.HEALTHY
    assert evaluation.notification.kind is NotificationKind.RECOVERY
    assert [(event.kind, event.amount) for event in evaluation.notification.events] == [("top_up", Decimal(200))]


def test_a_spend_spike_warns_and_recovers_when_spend_calms_down():
    steady = spending("900", "0.25", 100)  # a day and a bit at 24 a day
    last = Decimal("900") - Decimal("0.25") * 99
    burst = [balances(CNY=str(last - 5 * step)) for step in range(1, 5)]
    calm_from = last - 20
    calm = [balances(CNY=str(calm_from - Decimal("0.25") * step)) for step in range(1, 9)]

    _, sent = run(steady + burst + calm)

    assert sent == [(NotificationKind.ALERT, Status.SPEND_SPIKE), (NotificationKind.RECOVERY, Status.HEALTHY)]


def runway_checks(days_left: str, runway_alert_days: Decimal = Decimal(3), previous: AlertState | None = None):
    """Seven hours at 24 a day (a quarter an interval) ending with `days_left` days of balance."""
    end = Decimal(days_left) * 24
    history = [balances(CNY=str(end + Decimal("0.25") * (28 - index))) for index in range(29)]
    state = previous or AlertState()
    sent = []
    for index, observation in enumerate(history):
        evaluation = evaluate(
            state,
            observation,
            checked_at=START + index * STEP,
            thresholds=Thresholds(),
            reminder_interval=REMINDER,
            runway_alert_days=runway_alert_days,
        )
        state = evaluation.state
        if evaluation.notification:
            sent.append(evaluation.notification.status)
    return state, sent


@pytest.mark.parametrize(("days_left", "short"), [("3.00", False), ("2.99", True)])
def test_a_runway_exactly_at_the_limit_is_not_short(days_left, short):
    state, _ = runway_checks(days_left)

    assert (state.status is Status.RUNWAY_SHORT) is short


def test_runway_alert_days_is_the_limit_used():
    assert runway_checks("4.50", runway_alert_days=Decimal(5))[0].status is Status.RUNWAY_SHORT
    assert runway_checks("4.50", runway_alert_days=Decimal(4))[0].status is Status.HEALTHY


@pytest.mark.parametrize(
    ("previous", "runway_days", "status"),
    [
        (Status.HEALTHY, "2.99", Status.RUNWAY_SHORT),
        (Status.HEALTHY, "3.00", Status.HEALTHY),
        (Status.RUNWAY_SHORT, "4.49", Status.RUNWAY_SHORT),  # a quiet weekend lengthens it a little
        (Status.RUNWAY_SHORT, "4.50", Status.HEALTHY),
        (Status.SPEND_SPIKE, "4.49", Status.HEALTHY),
    ],
)
def test_a_short_runway_ends_only_well_above_the_limit(previous, runway_days, status):
    report = balances(CNY="100.00").report
    estimates = {"CNY": Estimate(Decimal(10), Decimal(runway_days), None)}

    assert balance_status(report, Thresholds(), estimates, Decimal(3), previous) is status


def test_the_spike_factor_is_the_one_given():
    steady = spending("900", "0.25", 100)
    last = Decimal("900") - Decimal("0.25") * 99
    burst = [balances(CNY=str(last - Decimal("1.25") * step)) for step in range(1, 5)]  # 5 an hour

    def status(factor: str) -> Status:
        state = AlertState()
        for index, observation in enumerate(steady + burst):
            state = evaluate(
                state,
                observation,
                checked_at=START + index * STEP,
                thresholds=THRESHOLDS,
                reminder_interval=REMINDER,
                spike_factor=Decimal(factor),
            ).state
        return state.status

    assert status("3") is Status.SPEND_SPIKE
    assert status("4.5") is Status.HEALTHY


def test_since_is_when_the_current_state_began_after_several_changes():
    history = [balances(CNY="100.00"), balances(CNY="10.00"), balances(CNY="100.00"), balances(CNY="10.00")]

    state, sent = run([*history, balances(CNY="10.00")])

    assert state.since == START + 3 * STEP
    assert [kind for kind, _ in sent] == [NotificationKind.ALERT, NotificationKind.RECOVERY, NotificationKind.ALERT]


def test_a_state_from_the_future_keeps_its_status_and_forgets_its_times():
    future = START + timedelta(days=1500)
    poisoned = AlertState(
        status=Status.LOW,
        since=future,
        last_check_at=future,
        last_check_failed=True,
        consecutive_failures=2,
        last_notified_at=future,
        version=7,
        spend={"CNY": 1},
    )

    repaired = without_future(poisoned, START)
    state, sent = run([balances(CNY="10.00")], state=repaired)

    assert repaired == AlertState(status=Status.LOW, consecutive_failures=2, version=7)
    assert sent == [(NotificationKind.REMINDER, Status.LOW)]  # the reminder the future had held back
    assert state.since == START
    assert without_future(poisoned, future - MAX_CLOCK_SKEW) is poisoned
    assert without_future(poisoned, future - MAX_CLOCK_SKEW - timedelta(seconds=1)) is not poisoned


def test_an_ok_check_without_a_balance_report_is_refused():
    with pytest.raises(ValueError, match=r"^an OK observation must carry its balance report$"):
        evaluate(
            AlertState(),
            Observation(CheckOutcome.OK),
            checked_at=START,
            thresholds=THRESHOLDS,
            reminder_interval=REMINDER,
        )


def test_a_failing_monitors_alert_carries_the_failed_check_and_no_estimates():
    state, _ = run([balances(CNY="10.00"), FAILED, FAILED])
    third_failure = START + 3 * STEP

    evaluation = evaluate(state, FAILED, checked_at=third_failure, thresholds=THRESHOLDS, reminder_interval=REMINDER)

    assert evaluation.notification == Notification(
        kind=NotificationKind.ALERT,
        status=Status.FAILING,
        previous_status=Status.LOW,
        since=third_failure,
        checked_at=third_failure,
        observation=FAILED,
        consecutive_failures=3,
        estimates={},
        events=(),
        episode_since=START,  # the same problem episode as the balance that was low at START
    )
    assert (evaluation.estimates, evaluation.events) == ({}, ())


def test_a_reminder_says_since_when_the_state_lasts_and_what_is_being_spent():
    low = balances(CNY="10.00", USD="10.00")
    state, _ = run([low] * 96)  # a day of checks at the same balance
    a_day_later = START + 96 * STEP

    evaluation = evaluate(state, low, checked_at=a_day_later, thresholds=THRESHOLDS, reminder_interval=REMINDER)

    nothing_spent = Estimate(Decimal("0.0000"), None, None)
    assert evaluation.notification == Notification(
        kind=NotificationKind.REMINDER,
        status=Status.LOW,
        previous_status=Status.LOW,
        since=START,
        checked_at=a_day_later,
        observation=low,
        consecutive_failures=0,
        estimates={"CNY": nothing_spent, "USD": nothing_spent},
        events=(),
        episode_since=START,
    )
    assert evaluation.estimates == {"CNY": nothing_spent, "USD": nothing_spent}


@pytest.mark.parametrize(
    ("top_up", "runway_days", "runway_until", "status", "notified"),
    [
        ("36.00", "4.49", datetime(2026, 11, 30, 3, 0, 36, tzinfo=UTC), Status.RUNWAY_SHORT, None),
        ("36.24", "4.50", datetime(2026, 11, 30, 3, 15, tzinfo=UTC), Status.HEALTHY, NotificationKind.RECOVERY),
    ],
)
def test_a_top_up_ends_a_short_runway_only_if_it_lifts_the_runway_well_above_the_limit(
    top_up, runway_days, runway_until, status, notified
):
    state, _ = runway_checks("2.99")  # 71.76 CNY left at 24 a day, at 15:00
    assert state.status is Status.RUNWAY_SHORT

    evaluation = evaluate(
        state,
        balances(CNY=str(Decimal("71.76") + Decimal(top_up))),
        checked_at=state.last_check_at + STEP,
        thresholds=Thresholds(),
        reminder_interval=REMINDER,
    )

    assert evaluation.state.status is status
    assert (evaluation.notification.kind if evaluation.notification else None) is notified
    assert evaluation.estimates == {"CNY": Estimate(Decimal("24.0000"), Decimal(runway_days), runway_until)}
    assert evaluation.events == (SpendEvent("top_up", "CNY", Decimal(top_up)),)


def granted_and_paid(granted: str, topped_up: str) -> Observation:
    total = Decimal(granted) + Decimal(topped_up)
    balance = CurrencyBalance("CNY", total, Decimal(granted), Decimal(topped_up))
    return Observation(CheckOutcome.OK, report=BalanceReport(is_available=True, balances={"CNY": balance}))


@pytest.mark.parametrize(
    ("spike_factor", "events", "runway_days", "status"),
    [
        ("3", (SpendEvent("expiry", "CNY", Decimal("1.00")),), "3.04", Status.HEALTHY),  # 1.00 > 3 x 0.25 expected
        ("4", (), "2.76", Status.RUNWAY_SHORT),  # 1.00 is not more than 4 x 0.25 expected: it was spent
    ],
)
def test_granted_credit_that_vanishes_faster_than_the_spike_factor_allows_expired(
    spike_factor, events, runway_days, status
):
    # Seven hours spending paid credit at 24 a day while 1.00 of granted credit sits unused, then
    # the granted credit is gone in one 15-minute interval with the paid credit untouched.
    paid = [str(Decimal(80) - Decimal("0.25") * index) for index in range(29)]
    observations = [granted_and_paid("1.00", amount) for amount in paid] + [granted_and_paid("0.00", paid[-1])]
    state = AlertState()
    for index, observation in enumerate(observations):
        evaluation = evaluate(
            state,
            observation,
            checked_at=START + index * STEP,
            thresholds=Thresholds(),
            reminder_interval=REMINDER,
            spike_factor=Decimal(spike_factor),
        )
        state = evaluation.state

    assert evaluation.events == events
    assert evaluation.estimates["CNY"].runway_days == Decimal(runway_days)
    assert evaluation.state.status is status


def test_a_reminder_due_at_a_failed_check_waits_for_the_next_reading():
    low = balances(CNY="10.00")
    state, _ = run([low])
    day_later = START + REMINDER

    at_failure = evaluate(state, FAILED, checked_at=day_later, thresholds=THRESHOLDS, reminder_interval=REMINDER)
    next_reading = evaluate(
        at_failure.state, low, checked_at=day_later + STEP, thresholds=THRESHOLDS, reminder_interval=REMINDER
    )

    assert at_failure.notification is None
    assert at_failure.state.status is Status.LOW
    assert next_reading.notification.kind is NotificationKind.REMINDER
    assert next_reading.notification.observation.report is low.report


def test_a_failing_monitor_is_reminded_of_while_the_failures_last():
    state, sent = run([FAILED] * (3 + 4 * 24))  # three failures, then a day more of them

    assert state.status is Status.FAILING
    assert sent == [(NotificationKind.ALERT, Status.FAILING), (NotificationKind.REMINDER, Status.FAILING)]


# Two levels: CNY is low below 50 (a warning) and critically low below 10 (critical).


def test_a_balance_falling_through_both_levels_and_back_is_told_at_each_step():
    amounts = ["100.00", "40.00", "40.00", "5.00", "5.00", "30.00", "30.00", "60.00"]

    state, sent = notifications([balances(CNY=amount) for amount in amounts], critical=CRITICAL)

    assert [(notice.kind, notice.status, notice.previous_status) for notice in sent] == [
        (NotificationKind.ALERT, Status.LOW, Status.HEALTHY),
        (NotificationKind.ALERT, Status.CRITICALLY_LOW, Status.LOW),  # down to critical: at once
        (NotificationKind.ALERT, Status.LOW, Status.CRITICALLY_LOW),  # back up: one alert, no recovery
        (NotificationKind.RECOVERY, Status.HEALTHY, Status.LOW),  # only at the warning level
    ]
    assert [notice.checked_at for notice in sent] == [START + index * STEP for index in (1, 3, 5, 7)]
    assert state.status is Status.HEALTHY


def test_critically_low_is_critical_and_low_a_warning():
    assert (SEVERITY[Status.CRITICALLY_LOW], SEVERITY[Status.LOW]) == ("critical", "warning")


def test_a_healthy_balance_that_drops_below_the_critical_level_alerts_critically_low_at_once():
    state, sent = notifications([balances(CNY="100.00"), balances(CNY="9.99")], critical=CRITICAL)

    assert [(notice.kind, notice.status, notice.previous_status) for notice in sent] == [
        (NotificationKind.ALERT, Status.CRITICALLY_LOW, Status.HEALTHY)
    ]
    assert state.since == START + STEP


def test_exactly_at_the_critical_level_is_low_not_critically_low():
    _, sent = run([balances(CNY="10.00", USD="2.00")], critical=CRITICAL)

    assert sent == [(NotificationKind.ALERT, Status.LOW)]


def test_a_top_up_from_critically_low_is_one_recovery():
    _, sent = notifications([balances(CNY="5.00"), balances(CNY="500.00")], critical=CRITICAL)

    assert [(notice.kind, notice.status, notice.previous_status) for notice in sent] == [
        (NotificationKind.ALERT, Status.CRITICALLY_LOW, Status.HEALTHY),
        (NotificationKind.RECOVERY, Status.HEALTHY, Status.CRITICALLY_LOW),
    ]


def test_critically_low_is_reminded_of_once_per_interval():
    state, sent = run([balances(CNY="5.00")] * (4 * 24 * 2 + 1), critical=CRITICAL)  # two days

    assert state.status is Status.CRITICALLY_LOW
    assert sent == [
        (NotificationKind.ALERT, Status.CRITICALLY_LOW),
        (NotificationKind.REMINDER, Status.CRITICALLY_LOW),
        (NotificationKind.REMINDER, Status.CRITICALLY_LOW),
    ]


def test_reminders_follow_the_current_level():
    half_a_day = [balances(CNY="5.00")] * 48
    a_day_back_above_the_critical_level = [balances(CNY="30.00")] * (96 + 1)

    _, sent = notifications(half_a_day + a_day_back_above_the_critical_level, critical=CRITICAL)

    assert [(notice.kind, notice.status) for notice in sent] == [
        (NotificationKind.ALERT, Status.CRITICALLY_LOW),
        (NotificationKind.ALERT, Status.LOW),
        (NotificationKind.REMINDER, Status.LOW),  # a day after the low alert, not after the critical one
    ]
    assert sent[2].checked_at - sent[1].checked_at == REMINDER
    assert sent[2].since == sent[1].checked_at


def test_unavailable_outranks_both_levels():
    observations = [balances(CNY="5.00"), balances(is_available=False, CNY="5.00"), balances(CNY="5.00")]

    _, sent = run(observations, critical=CRITICAL)

    assert sent == [
        (NotificationKind.ALERT, Status.CRITICALLY_LOW),
        (NotificationKind.ALERT, Status.UNAVAILABLE),
        (NotificationKind.ALERT, Status.CRITICALLY_LOW),
    ]


def test_any_currency_below_its_critical_level_is_critically_low():
    _, sent = run([balances(CNY="40.00", USD="1.99")], critical=CRITICAL)

    assert sent == [(NotificationKind.ALERT, Status.CRITICALLY_LOW)]


def test_a_currency_without_a_critical_level_is_at_most_low():
    _, sent = run([balances(CNY="100.00", USD="0.01")], critical=Thresholds(per_currency={"CNY": Decimal(10)}))

    assert sent == [(NotificationKind.ALERT, Status.LOW)]


def test_without_a_critical_level_nothing_is_critically_low():
    _, sent = run([balances(CNY="0.00")])

    assert sent == [(NotificationKind.ALERT, Status.LOW)]


def test_a_blip_keeps_critically_low_without_a_new_alert():
    _, sent = run([balances(CNY="5.00"), FAILED, balances(CNY="5.00")], critical=CRITICAL)

    assert sent == [(NotificationKind.ALERT, Status.CRITICALLY_LOW)]


@pytest.mark.parametrize(
    ("previous", "estimates", "status"),
    [
        (Status.HEALTHY, {"CNY": Estimate(Decimal(10), Decimal(1), None)}, Status.CRITICALLY_LOW),  # runway short
        (Status.SPEND_SPIKE, {"CNY": Estimate(Decimal(10), None, None, SPIKE)}, Status.CRITICALLY_LOW),
        (Status.CRITICALLY_LOW, {}, Status.CRITICALLY_LOW),
    ],
)
def test_critically_low_speaks_before_a_spike_or_a_short_runway(previous, estimates, status):
    report = balances(CNY="5.00").report

    assert balance_status(report, THRESHOLDS, estimates, Decimal(3), previous, CRITICAL) is status
    assert balance_status(report, THRESHOLDS, estimates, Decimal(3), previous) is Status.LOW


def test_one_problem_episode_runs_from_leaving_healthy_to_the_recovery_through_changes_of_problem():
    critical = Thresholds(per_currency={"CNY": Decimal(20)})
    readings = [balances(CNY=amount) for amount in ("100.00", "40.00", "15.00", "30.00", "100.00", "40.00")]
    state, told = AlertState(), []
    for step, reading in enumerate(readings):
        at = START + step * STEP
        evaluation = evaluate(
            state,
            reading,
            checked_at=at,
            thresholds=THRESHOLDS,
            critical_thresholds=critical,
            reminder_interval=REMINDER,
        )
        state = evaluation.state
        notice = evaluation.notification
        told.append(notice and (notice.kind, notice.status, notice.episode_since))
        assert state.problem_since == (None if state.status is Status.HEALTHY else notice and notice.episode_since)

    first, second = START + STEP, START + 5 * STEP
    assert told == [
        None,
        (NotificationKind.ALERT, Status.LOW, first),
        (NotificationKind.ALERT, Status.CRITICALLY_LOW, first),  # worse, the same episode
        (NotificationKind.ALERT, Status.LOW, first),  # back up to the warning level
        (NotificationKind.RECOVERY, Status.HEALTHY, first),  # ends it
        (NotificationKind.ALERT, Status.LOW, second),  # a new one
    ]


@pytest.mark.parametrize(
    ("amount", "kind", "kept"),
    [("100.00", NotificationKind.RECOVERY, False), ("40.00", NotificationKind.REMINDER, True)],
)
def test_a_state_kept_before_episodes_were_known_takes_its_problems_beginning(amount, kind, kept):
    earlier = START - timedelta(days=2)
    stored = AlertState(status=Status.LOW, since=earlier, last_check_at=START - STEP, last_notified_at=earlier)

    evaluation = evaluate(
        stored, balances(CNY=amount), checked_at=START, thresholds=THRESHOLDS, reminder_interval=REMINDER
    )

    assert evaluation.notification.kind is kind
    assert evaluation.notification.episode_since == earlier
    assert evaluation.state.problem_since == (earlier if kept else None)
