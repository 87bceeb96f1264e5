"""Where alerts are decided: an account's state, and what one more check does to it.

Modelled on CloudWatch alarms and Alertmanager: notify when the state changes, remind
while a bad state lasts, say when it is resolved. Pure functions over plain data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from balance_monitor.balance import BalanceReport, Thresholds
from balance_monitor.silences import Silence, remaining
from balance_monitor.spend import CurrencySpend, Estimate, SpendEvent, estimate, update_spend

# One unreadable balance alerts nobody; this many in a row means the monitor is failing.
FAILURES_BEFORE_FAILING = 3
# A short runway ends only when the runway is this much longer than the limit (or a top-up
# comes): an estimate that moves with the week (busy weekdays, quiet weekends) must not flap.
RUNWAY_RECOVERY_FACTOR = Decimal("1.5")
# An event dated further ahead of the function's clock than this is refused (see check.py).
MAX_CLOCK_SKEW = timedelta(minutes=5)


class Status(StrEnum):
    HEALTHY = "healthy"
    LOW = "low"  # some currency is below its threshold (the warning level)
    CRITICALLY_LOW = "critically_low"  # some currency is below its critical level; outranks LOW
    SPEND_SPIKE = "spend_spike"  # spend over the last hour is far above the usual rate
    RUNWAY_SHORT = "runway_short"  # at the current burn rate, some currency runs out soon
    UNAVAILABLE = "unavailable"  # DeepSeek refuses API calls; outranks LOW and CRITICALLY_LOW
    KEY_REJECTED = "key_rejected"  # DeepSeek refuses the monitor's key, or the secret holds none
    MISCONFIGURED = "misconfigured"  # a stack parameter or a field of the secret cannot be used
    FAILING = "failing"  # the balance could not be read several checks in a row


SEVERITY = {
    Status.HEALTHY: "info",
    Status.LOW: "warning",
    Status.CRITICALLY_LOW: "critical",
    Status.RUNWAY_SHORT: "warning",
    Status.SPEND_SPIKE: "warning",
    Status.UNAVAILABLE: "critical",
    Status.KEY_REJECTED: "critical",
    Status.MISCONFIGURED: "critical",
    Status.FAILING: "critical",
}

# Each means the monitor cannot see the balance at all: a silence made for a low balance must
# not hide that the monitor went blind. Only a silence that names one of these holds it.
SILENCED_ONLY_BY_NAME = frozenset({Status.MISCONFIGURED, Status.KEY_REJECTED, Status.FAILING})


class CheckOutcome(StrEnum):
    OK = "ok"  # the balance was read
    KEY_REJECTED = "key_rejected"  # 401, or the secret holds no key
    INSUFFICIENT_BALANCE = "insufficient_balance"  # 402: the account cannot serve
    MISCONFIGURED = "misconfigured"  # not asked: the configuration for this account is unusable
    FAILED = "failed"  # anything else: the balance is unknown


class NotificationKind(StrEnum):
    ALERT = "alert"
    REMINDER = "reminder"
    RECOVERY = "recovery"
    TEST = "test"  # sent by `deepseek-balance test-alert`, never by a check
    DIGEST = "digest"  # a period's summary, on the digest schedule (digest.py), never by a check


@dataclass(frozen=True)
class Observation:
    """What one check learned: a balance report, or why there is none."""

    outcome: CheckOutcome
    report: BalanceReport | None = None
    error: str | None = None


@dataclass(frozen=True)
class AlertState:
    """An account's alert state as stored between checks; `version` guards concurrent updates."""

    status: Status = Status.HEALTHY
    since: datetime | None = None
    last_check_at: datetime | None = None
    last_check_failed: bool = False
    consecutive_failures: int = 0
    last_notified_at: datetime | None = None
    version: int = 0
    spend: Mapping[str, CurrencySpend] = field(default_factory=dict)  # running aggregates per currency
    silences: tuple[Silence, ...] = ()  # the account's silences not yet over
    # A silence holds this problem: the first check it no longer holds reminds at once.
    notification_held: bool = False
    # When the account left `healthy`: one problem episode, through changes of problem, to the recovery.
    problem_since: datetime | None = None


@dataclass(frozen=True)
class Notification:
    """An alert, reminder or recovery to publish, with what the check observed."""

    kind: NotificationKind
    status: Status
    previous_status: Status
    since: datetime
    checked_at: datetime
    observation: Observation
    consecutive_failures: int
    estimates: Mapping[str, Estimate] = field(default_factory=dict)
    events: tuple[SpendEvent, ...] = ()  # top-ups and expiries this check revealed
    # When the problem episode it belongs to began (a recovery's: the episode it ends), so that
    # an alert, its reminders, escalations and its recovery can share one chat thread.
    episode_since: datetime | None = None


@dataclass(frozen=True)
class Evaluation:
    """What one check decided: the next state, and what to publish or hold back."""

    state: AlertState
    notification: Notification | None  # to publish
    estimates: Mapping[str, Estimate] = field(default_factory=dict)
    events: tuple[SpendEvent, ...] = ()
    held: Notification | None = None  # what would have been published, but a silence holds it
    held_by: Silence | None = None


def is_duplicate(state: AlertState, checked_at: datetime) -> bool:
    """The check at this time already succeeded: a redelivered event must not run it again."""
    return state.last_check_at == checked_at and not state.last_check_failed


def is_stale(state: AlertState, checked_at: datetime) -> bool:
    """A later check already moved the state on; an older one may only add history."""
    return state.last_check_at is not None and checked_at < state.last_check_at


def without_future(state: AlertState, now: datetime) -> AlertState:
    """A state that a check dated ahead of the clock left behind would make every real check
    look late and every reminder not yet due: keep its status, forget its times and aggregates."""
    if state.last_check_at is None or state.last_check_at <= now + MAX_CLOCK_SKEW:
        return state
    return replace(state, since=None, last_check_at=None, last_check_failed=False, last_notified_at=None, spend={})


def currencies_below_threshold(report: BalanceReport, thresholds: Thresholds) -> list[str]:
    below = []
    for currency, balance in report.balances.items():
        threshold = thresholds.for_currency(currency)
        if balance.total is not None and threshold is not None and balance.total < threshold:
            below.append(currency)
    return below


def currencies_with_short_runway(estimates: Mapping[str, Estimate], runway_alert_days: Decimal) -> list[str]:
    return [
        currency
        for currency, known in estimates.items()
        if known.runway_days is not None and known.runway_days < runway_alert_days
    ]


def balance_status(
    report: BalanceReport,
    thresholds: Thresholds,
    estimates: Mapping[str, Estimate] | None = None,
    runway_alert_days: Decimal = Decimal(3),
    previous: Status = Status.HEALTHY,
    critical_thresholds: Thresholds | None = None,
) -> Status:
    """The state a balance report puts the account in: `critically_low` below some currency's
    critical level, else `low` below its warning level (`thresholds`). A balance climbing back
    from critically low is `low` until it reaches the warning level."""
    estimates = estimates or {}
    if previous is Status.RUNWAY_SHORT:
        runway_alert_days *= RUNWAY_RECOVERY_FACTOR
    if not report.is_available:
        return Status.UNAVAILABLE
    if critical_thresholds is not None and currencies_below_threshold(report, critical_thresholds):
        return Status.CRITICALLY_LOW
    if currencies_below_threshold(report, thresholds):
        return Status.LOW
    # A spike explains itself best, and skews the runway while it lasts: it speaks first.
    if any(known.spike for known in estimates.values()):
        return Status.SPEND_SPIKE
    if currencies_with_short_runway(estimates, runway_alert_days):
        return Status.RUNWAY_SHORT
    return Status.HEALTHY


def evaluate(
    previous: AlertState,
    observation: Observation,
    *,
    checked_at: datetime,
    thresholds: Thresholds,
    critical_thresholds: Thresholds | None = None,
    reminder_interval: timedelta,
    runway_alert_days: Decimal = Decimal(3),
    spike_factor: Decimal = Decimal(3),
) -> Evaluation:
    """The state after this check, and the notification it calls for, if any."""
    # A retried failed check is the same check: it must not count as one more failure.
    retry_of_failed_check = previous.last_check_at == checked_at and previous.last_check_failed
    failures = 0
    spend = previous.spend  # a check that read no balance leaves the aggregates as they were
    events: list[SpendEvent] = []
    estimates: dict[str, Estimate] = {}
    if observation.outcome is CheckOutcome.FAILED:
        failures = previous.consecutive_failures + (0 if retry_of_failed_check else 1)
        status = Status.FAILING if failures >= FAILURES_BEFORE_FAILING else previous.status
    elif observation.outcome is CheckOutcome.KEY_REJECTED:
        status = Status.KEY_REJECTED
    elif observation.outcome is CheckOutcome.MISCONFIGURED:
        status = Status.MISCONFIGURED
    elif observation.outcome is CheckOutcome.INSUFFICIENT_BALANCE:
        status = Status.UNAVAILABLE
    elif observation.report is not None:
        spend, events = update_spend(previous.spend, observation.report, checked_at, spike_factor=spike_factor)
        estimates = {
            currency: estimate(aggregates, checked_at, spike_factor=spike_factor)
            for currency, aggregates in spend.items()
            if currency in observation.report.balances
        }
        status = balance_status(
            observation.report, thresholds, estimates, runway_alert_days, previous.status, critical_thresholds
        )
    else:
        raise ValueError("an OK observation must carry its balance report")

    reminder_due = previous.last_notified_at is None or checked_at - previous.last_notified_at >= reminder_interval
    kind: NotificationKind | None = None
    if status != previous.status:
        kind = NotificationKind.RECOVERY if status is Status.HEALTHY else NotificationKind.ALERT
    elif (
        status is not Status.HEALTHY
        # A reminder of a balance problem waits for a check that read the balance, so that it
        # can say how things stand; a failing monitor's reminder is about the failures.
        and (observation.outcome is not CheckOutcome.FAILED or status is Status.FAILING)
        # Once a silence stops holding a problem that lasts, the next check reminds at once.
        and (reminder_due or previous.notification_held)
    ):
        kind = NotificationKind.REMINDER

    # A top-up ends the silences made "until top-up"; a recovery is never held.
    silences = remaining(previous.silences, checked_at, topped_up=any(event.kind == "top_up" for event in events))
    holder = None
    if status is not Status.HEALTHY:
        only_if_named = status in SILENCED_ONLY_BY_NAME
        holder = next((s for s in silences if s.holds(status, checked_at, only_if_named=only_if_named)), None)
    held_kind = None
    if holder is not None:
        # What the cadence calls for is held, and counts as sent for the next reminder's time;
        # a reminder due only because an earlier one was held waits for the silence to end.
        if kind is NotificationKind.ALERT or (kind is NotificationKind.REMINDER and reminder_due):
            held_kind = kind
        kind = None

    since = previous.since if status == previous.status and previous.since else checked_at
    problem_since = None
    if status is not Status.HEALTHY and previous.status is Status.HEALTHY:
        problem_since = checked_at
    elif status is not Status.HEALTHY:
        # A state written before episodes were kept knows only when its own problem began.
        problem_since = previous.problem_since or previous.since or checked_at
    state = replace(
        previous,
        status=status,
        since=since,
        last_check_at=checked_at,
        last_check_failed=observation.outcome is CheckOutcome.FAILED,
        consecutive_failures=failures,
        last_notified_at=checked_at if kind or held_kind else previous.last_notified_at,
        version=previous.version + 1,
        spend=spend,
        silences=silences,
        notification_held=holder is not None
        or (previous.notification_held and kind is None and status is not Status.HEALTHY),
        problem_since=problem_since,
    )

    def notification_of(chosen: NotificationKind | None) -> Notification | None:
        if chosen is None:
            return None
        return Notification(
            kind=chosen,
            status=status,
            previous_status=previous.status,
            since=since,
            checked_at=checked_at,
            observation=observation,
            consecutive_failures=failures,
            estimates=estimates,
            events=tuple(events),
            episode_since=problem_since or previous.problem_since or previous.since,
        )

    return Evaluation(
        state=state,
        notification=notification_of(kind),
        estimates=estimates,
        events=tuple(events),
        held=notification_of(held_kind),
        held_by=holder if held_kind else None,
    )
