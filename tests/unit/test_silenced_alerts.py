"""The alert logic with silences, over simulated time: what is published, what is held and by
which silence, what comes when a silence ends while the problem lasts, and that nothing a
silence does not name is hidden."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from balance_monitor.alert_lifecycle import (
    AlertState,
    CheckOutcome,
    NotificationKind,
    Observation,
    Status,
    evaluate,
)
from balance_monitor.balance import BalanceReport, CurrencyBalance, Thresholds
from balance_monitor.silences import UNTIL_TOP_UP_LIMIT, Silence
from sandbox.usage import RUNWAY_ALERT_DAYS, low_threshold, patterns, steps

from .test_alert_lifecycle import FAILED, INSUFFICIENT, KEY_REJECTED, REMINDER, START, STEP, THRESHOLDS, balances

LOW = balances(CNY="40.00")
HEALTHY = balances(CNY="100.00")
ALERT, REMINDED, RECOVERY = NotificationKind.ALERT, NotificationKind.REMINDER, NotificationKind.RECOVERY


def silence(*states: str, start: timedelta, length: timedelta, until_top_up: bool = False, id_: str = "5e1e0ce0"):
    return Silence(id=id_, starts=START + start, ends=START + start + length, states=states, until_top_up=until_top_up)


class Timeline:
    """Checks every 15 minutes from START; silences are added to the state at their start,
    as the command and the snooze button do."""

    def __init__(self, *silences: Silence, state: AlertState | None = None) -> None:
        self.state = state or AlertState()
        self.pending = sorted(silences, key=lambda silence: silence.starts)
        self.at = START
        self.published: list[tuple[timedelta, NotificationKind, Status]] = []
        self.held: list[tuple[timedelta, NotificationKind, Status, str]] = []

    def check(self, observation: Observation, times: int = 1) -> None:
        for _ in range(times):
            while self.pending and self.pending[0].starts <= self.at:
                self.state = replace(self.state, silences=(*self.state.silences, self.pending.pop(0)))
            evaluation = evaluate(
                self.state, observation, checked_at=self.at, thresholds=THRESHOLDS, reminder_interval=REMINDER
            )
            since_start = self.at - START
            if evaluation.notification:
                self.published.append((since_start, evaluation.notification.kind, evaluation.notification.status))
            if evaluation.held:
                assert evaluation.held_by is not None
                self.held.append((since_start, evaluation.held.kind, evaluation.held.status, evaluation.held_by.id))
            else:
                assert evaluation.held_by is None
            self.state = evaluation.state
            self.at += STEP


H = timedelta(hours=1)


def test_a_silence_starting_and_ending_mid_problem_holds_the_reminders_between_then_reminds_at_once():
    timeline = Timeline(silence("low", start=2 * H, length=30 * H))
    timeline.check(LOW, times=4 * 60)  # low for 60 hours

    assert timeline.published == [
        (0 * H, ALERT, Status.LOW),
        (32 * H, REMINDED, Status.LOW),  # the silence ends at 32 h: the next check reminds at once
        (56 * H, REMINDED, Status.LOW),  # then a day after that one
    ]
    # The reminder due at 24 h was held, and that check says which silence held it.
    assert timeline.held == [(24 * H, REMINDED, Status.LOW, "5e1e0ce0")]
    assert timeline.state.silences == ()  # over, and dropped from the state


def test_a_short_silence_holding_no_due_reminder_still_reminds_when_it_ends():
    timeline = Timeline(silence("low", start=2 * H, length=2 * H))
    timeline.check(LOW, times=4 * 6)

    assert timeline.published == [(0 * H, ALERT, Status.LOW), (4 * H, REMINDED, Status.LOW)]
    assert timeline.held == []


def test_an_alert_held_from_the_start_of_a_problem_comes_as_a_reminder_when_the_silence_ends():
    timeline = Timeline(silence(start=0 * H, length=3 * H))  # every state but the ones named only
    timeline.check(HEALTHY, times=4)
    timeline.check(LOW, times=4 * 4)

    assert timeline.held == [(1 * H, ALERT, Status.LOW, "5e1e0ce0")]
    assert timeline.published == [(3 * H, REMINDED, Status.LOW)]


def test_escalation_past_what_a_silence_names_is_published_and_falling_back_is_held():
    timeline = Timeline(silence("low", start=1 * H, length=24 * H))
    timeline.check(LOW, times=4 * 2)  # low alert sent at 0 h
    timeline.check(INSUFFICIENT, times=4)  # 2 h: the account runs dry
    timeline.check(LOW, times=4)  # 3 h: partly topped up, still low

    assert timeline.published == [(0 * H, ALERT, Status.LOW), (2 * H, ALERT, Status.UNAVAILABLE)]
    assert timeline.held == [(3 * H, ALERT, Status.LOW, "5e1e0ce0")]


def test_a_recovery_while_silenced_is_sent_and_nothing_is_owed_after():
    timeline = Timeline(silence(start=1 * H, length=10 * H))
    timeline.check(LOW, times=4 * 2)
    timeline.check(HEALTHY, times=4 * 12)

    assert timeline.published == [(0 * H, ALERT, Status.LOW), (2 * H, RECOVERY, Status.HEALTHY)]
    assert not timeline.state.notification_held


@pytest.mark.parametrize(
    ("observation", "status"),
    [
        (KEY_REJECTED, Status.KEY_REJECTED),
        (Observation(CheckOutcome.MISCONFIGURED, error="LowBalanceThreshold: x"), Status.MISCONFIGURED),
        (FAILED, Status.FAILING),
    ],
)
def test_a_silence_never_hides_a_blind_monitor_unless_it_names_that_state(observation, status):
    unnamed = Timeline(silence(start=0 * H, length=24 * H))
    unnamed.check(observation, times=4)
    named = Timeline(silence(status.value, start=0 * H, length=24 * H))
    named.check(observation, times=4)

    assert (ALERT, status) in [(kind, state) for _, kind, state in unnamed.published]
    assert unnamed.held == []
    assert named.published == []
    assert [(kind, state) for _, kind, state, _ in named.held] == [(ALERT, status)]


def test_until_top_up_ends_at_a_top_up_that_leaves_the_balance_low_and_that_check_reminds():
    timeline = Timeline(silence("low", start=1 * H, length=UNTIL_TOP_UP_LIMIT, until_top_up=True))
    timeline.check(LOW, times=4 * 2)  # alert at 0 h, silenced from 1 h
    timeline.check(balances(CNY="45.00"))  # 2 h: 5 CNY topped up, still below 50

    assert timeline.published == [(0 * H, ALERT, Status.LOW), (2 * H, REMINDED, Status.LOW)]
    assert timeline.state.silences == ()


def test_a_reminder_owed_after_a_silence_waits_for_a_check_that_read_the_balance():
    timeline = Timeline(silence("low", start=1 * H, length=1 * H))
    timeline.check(LOW, times=4 * 2)
    timeline.check(FAILED)  # 2 h: the silence is over, but this check read nothing
    timeline.check(LOW)

    assert timeline.published == [(0 * H, ALERT, Status.LOW), (2 * H + STEP, REMINDED, Status.LOW)]


def test_silences_not_yet_begun_are_kept_and_each_check_carries_them_on():
    later = silence("low", start=5 * H, length=H)
    state = evaluate(
        AlertState(silences=(later,)), LOW, checked_at=START, thresholds=THRESHOLDS, reminder_interval=REMINDER
    ).state

    assert state.silences == (later,)


# Two of the usage patterns, each month run twice (with and without the snooze): a few seconds.
@pytest.mark.parametrize(
    "pattern",
    [pattern for pattern in patterns() if pattern.name in ("office hours", "nightly batch")],
    ids=lambda pattern: pattern.name,
)
def test_four_weeks_with_a_snooze_until_top_up_clicked_at_the_runway_alert(pattern):
    """Someone snoozes the runway alert "until top-up" when it comes. Until the top-up, nothing
    about the runway or the low balance is published, while the key leaks and the account
    running dry still alert; from the top-up on, everything is as it would have been."""
    thresholds = Thresholds(per_currency={"CNY": low_threshold(pattern)})

    def month(snooze: bool):
        state, published, silence_made = AlertState(), [], None
        for step in steps(pattern):
            report = BalanceReport(step.is_available, {"CNY": CurrencyBalance("CNY", step.balance)})
            evaluation = evaluate(
                state,
                Observation(CheckOutcome.OK, report),
                checked_at=step.at,
                thresholds=thresholds,
                reminder_interval=REMINDER,
                runway_alert_days=RUNWAY_ALERT_DAYS,
                spike_factor=Decimal(3),
            )
            state = evaluation.state
            if evaluation.notification:
                notification = evaluation.notification
                published.append((step.at, notification.kind, notification.status))
                if snooze and silence_made is None and notification.status is Status.RUNWAY_SHORT:
                    silence_made = Silence(
                        "70b0c11c",
                        step.at + timedelta(minutes=1),
                        step.at + UNTIL_TOP_UP_LIMIT,
                        ("runway_short", "low"),
                        until_top_up=True,
                    )
                    state = replace(state, silences=(silence_made,))
        return published, silence_made

    unsilenced, _ = month(snooze=False)
    snoozed, made = month(snooze=True)

    assert made is not None, "the month has a runway alert to snooze"
    top_up = next(at for at, kind, _ in unsilenced if at > made.starts and kind is RECOVERY)
    assert top_up < made.ends, "the top-up comes within the week"
    during = [(at, kind, status) for at, kind, status in snoozed if made.starts <= at < top_up]
    assert all(status not in (Status.RUNWAY_SHORT, Status.LOW) for _, _, status in during)
    assert during == [
        (at, kind, status)
        for at, kind, status in unsilenced
        if made.starts <= at < top_up and status not in (Status.RUNWAY_SHORT, Status.LOW, Status.HEALTHY)
    ]
    assert [entry for entry in snoozed if entry[0] < made.starts] == [
        entry for entry in unsilenced if entry[0] < made.starts
    ]
    assert [entry for entry in snoozed if entry[0] >= top_up] == [entry for entry in unsilenced if entry[0] >= top_up]
