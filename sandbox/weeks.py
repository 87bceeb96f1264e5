"""Weeks of checks through the real handler: each usage pattern in sandbox/usage.py, a check every
15 minutes, the event times advancing and the function's clock moved with them; then what a
person on call would have noticed, judged against what the month really held.

    python -m sandbox.weeks                 # every pattern, four weeks (make simulate)
    python -m sandbox.weeks --days 10 --pattern steady

AWS is moto in-process; DeepSeek is the simulator on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
import warnings
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from multiprocessing import get_context
from typing import Any

from sandbox.usage import (
    DAYS,
    LEAKS,
    RUNWAY_ALERT_DAYS,
    Pattern,
    Step,
    critical_threshold,
    low_threshold,
    opening_balance,
    patterns,
    steps,
)

SIMULATED_KEY = "sk-simulated-weeks-key"
CHECKS_KEPT = 8  # the history table keeps the last two hours of checks (see _expire_checks)
SPIKE_DEADLINE = timedelta(hours=1)  # a leak must be told within the hour it burns
SPIKE_TAIL = timedelta(hours=2)  # a spike state may last while the leak is in the last hour's window
ACCEPTED = {  # what a person would accept as telling them of each problem
    "low": {"low", "critically_low", "unavailable"},
    "critically_low": {"critically_low", "unavailable"},
    "unavailable": {"unavailable"},
    "runway_short": {"runway_short", "low", "critically_low", "unavailable"},
    "spend_spike": {"spend_spike", "low", "critically_low", "unavailable"},
}


@dataclass(frozen=True)
class Notice:
    at: datetime
    kind: str  # alert, reminder, recovery
    state: str


@dataclass(frozen=True)
class Due:
    """A problem the month held: from when an alert is fair, and by when it must have come."""

    problem: str
    fair_from: datetime
    deadline: datetime


@dataclass
class Outcome:
    pattern: str
    checks: int = 0
    crashes: list[str] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    false_alerts: list[Notice] = field(default_factory=list)
    missed: list[Due] = field(default_factory=list)
    told: dict[str, list[str]] = field(default_factory=dict)  # problem -> when each was told
    seconds: float = 0.0

    @property
    def clean(self) -> bool:
        return not (self.crashes or self.false_alerts or self.missed)


def dues(pattern: Pattern, month: list[Step]) -> list[Due]:
    """Every alert the month calls for: low, critically low and unavailable at the first check
    that shows them, a leak within the hour, and a short runway before the true runway is
    two-thirds gone."""
    found: list[Due] = []
    threshold = low_threshold(pattern)
    low_at = next((step.at for step in month if step.balance < threshold), None)
    if low_at:
        found.append(Due("low", low_at, low_at))
    critical_at = next((step.at for step in month if step.balance < critical_threshold(pattern)), None)
    if critical_at:
        found.append(Due("critically_low", critical_at, critical_at))
    off = next((step.at for step in month if not step.is_available), None)
    if off:
        found.append(Due("unavailable", off, off))
    for start in LEAKS:
        if month[0].at < start and start + SPIKE_DEADLINE <= month[-1].at:
            found.append(Due("spend_spike", start, start + SPIKE_DEADLINE))
    if not pattern.idle:
        fair = next((step.at for step in month if _true_runway(pattern, step) < 2 * RUNWAY_ALERT_DAYS), None)
        late = next((step.at for step in month if _true_runway(pattern, step) < RUNWAY_ALERT_DAYS * 2 / 3), None)
        if fair and late:
            found.append(Due("runway_short", fair, late))
    return found


def _true_runway(pattern: Pattern, step: Step) -> Decimal:
    rate = pattern.mean_daily(step.at)
    return step.balance / rate if rate else Decimal("Infinity")


def judge(pattern: Pattern, month: list[Step], notices: list[Notice], outcome: Outcome) -> None:
    """False alerts: an alert or reminder for a state the month did not hold then (`low` while
    the balance was below the critical level too: a flap back up, or a level understated).
    Missed: a due problem with no alert for it between fair_from and its deadline."""
    by_time = {step.at: step for step in month}
    threshold, critical = low_threshold(pattern), critical_threshold(pattern)
    for notice in notices:
        if notice.kind == "recovery":
            continue
        step = by_time[notice.at]
        fair = {
            "low": critical <= step.balance < threshold,
            "critically_low": step.balance < critical,
            "unavailable": not step.is_available,
            "runway_short": _true_runway(pattern, step) < 2 * RUNWAY_ALERT_DAYS,
            "spend_spike": any(start < notice.at <= start + SPIKE_TAIL for start in LEAKS),
        }.get(notice.state, False)
        if not fair:
            outcome.false_alerts.append(notice)
    for due in dues(pattern, month):
        told = next(
            (
                notice
                for notice in notices
                if notice.kind != "recovery"
                and notice.state in ACCEPTED[due.problem]
                and due.fair_from <= notice.at <= due.deadline
            ),
            None,
        )
        if told is None:
            outcome.missed.append(due)
        elif due.problem == "runway_short":
            when = f"at a true runway of {_true_runway(pattern, by_time[told.at]):.1f} days"
            outcome.told.setdefault(due.problem, []).append(when)
        else:
            minutes = int((told.at - due.fair_from).total_seconds() // 60)
            outcome.told.setdefault(due.problem, []).append(f"{minutes} min after it began")


@contextmanager
def _emulated_function(pattern: Pattern) -> Iterator[tuple[Any, Any]]:
    """moto, the DeepSeek simulator and the function's environment, as template.yaml sets them."""
    from moto import mock_aws

    from sandbox.aws import create_stack, use_fake_credentials
    from sandbox.deepseek_simulator import DeepSeekSimulator

    saved = dict(os.environ)
    use_fake_credentials()
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
    with mock_aws(), DeepSeekSimulator(SIMULATED_KEY) as deepseek, warnings.catch_warnings():
        # Powertools warns when an invocation adds no metric of its own (metrics are off here).
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        stack = create_stack(SIMULATED_KEY)
        deepseek.set_balance("CNY", topped_up=str(opening_balance(pattern)))
        try:
            stack.configure_function(
                LowBalanceThreshold=f"CNY={low_threshold(pattern)}",
                CriticalBalanceThreshold=f"CNY={critical_threshold(pattern)}",
                RunwayAlertDays=str(RUNWAY_ALERT_DAYS),
                DeepSeekBaseUrl=deepseek.base_url,
            )
            yield stack, deepseek
        finally:
            os.environ.clear()
            os.environ.update(saved)
            import app

            app.collaborators.cache_clear()  # the next user builds its own from its environment


def run_pattern(pattern: Pattern, *, days: int = DAYS) -> Outcome:
    """The real handler through `days` of the pattern, the clock moved to each event's time."""
    import time_machine

    from balance_monitor.history import format_timestamp
    from sandbox.lambda_context import invoke_keeping_output

    outcome = Outcome(pattern.name)
    month = list(steps(pattern, days=days))
    started = time.monotonic()
    with _emulated_function(pattern) as (stack, deepseek), time_machine.travel(month[0].at, tick=False) as clock:
        for step in month:
            wallet = deepseek.wallets["CNY"]
            wallet.topped_up = step.balance  # the month's own arithmetic is the truth
            deepseek.is_available = step.is_available
            clock.move_to(step.at + timedelta(seconds=20))  # EventBridge delivers a few seconds late
            output = io.StringIO()
            try:
                summary = invoke_keeping_output({"time": format_timestamp(step.at)}, output)
                if summary.get("result") != "checked":
                    outcome.crashes.append(f"{format_timestamp(step.at)}: {summary}")
            except Exception as exc:
                outcome.crashes.append(f"{format_timestamp(step.at)}: {type(exc).__name__}: {exc}")
            outcome.checks += 1
            if outcome.checks % CHECKS_KEPT == 0:
                _expire_checks(stack, before=step.at - timedelta(minutes=15 * CHECKS_KEPT))
            for alert in stack.received_alerts():
                outcome.notices.append(Notice(step.at, alert.attributes["kind"], alert.attributes["state"]))
    outcome.seconds = time.monotonic() - started
    judge(pattern, month, outcome.notices, outcome)
    return outcome


def decisions(pattern: Pattern, *, days: int = DAYS) -> Iterator[tuple[Step, Any]]:
    """The month through the alert logic alone (`evaluate`), with the template's defaults: each
    step with its Evaluation, or with the exception `evaluate` raised (the state stays as it was)."""
    from balance_monitor.alert_lifecycle import AlertState, CheckOutcome, Observation, evaluate
    from balance_monitor.balance import BalanceReport, CurrencyBalance, Thresholds
    from sandbox.aws import load_template

    defaults = {
        name: Decimal(str(spec["Default"]))
        for name, spec in load_template()["Parameters"].items()
        if name in ("ReminderIntervalHours", "SpendSpikeFactor")
    }
    thresholds = Thresholds(per_currency={"CNY": low_threshold(pattern)})
    critical_thresholds = Thresholds(per_currency={"CNY": critical_threshold(pattern)})
    state = AlertState()
    for step in steps(pattern, days=days):
        balance = CurrencyBalance("CNY", step.balance, Decimal(0), step.balance)
        observation = Observation(CheckOutcome.OK, BalanceReport(step.is_available, {"CNY": balance}))
        try:
            evaluation = evaluate(
                state,
                observation,
                checked_at=step.at,
                thresholds=thresholds,
                critical_thresholds=critical_thresholds,
                reminder_interval=timedelta(hours=float(defaults["ReminderIntervalHours"])),
                runway_alert_days=RUNWAY_ALERT_DAYS,
                spike_factor=defaults["SpendSpikeFactor"],
            )
        except Exception as exc:
            yield step, exc
            continue
        state = evaluation.state
        yield step, evaluation


def decide_pattern(pattern: Pattern, *, days: int = DAYS) -> Outcome:
    """The month through `evaluate` alone, judged: seconds instead of minutes, for the unit
    tests and mutation testing."""
    outcome = Outcome(pattern.name)
    month = []
    for step, evaluation in decisions(pattern, days=days):
        month.append(step)
        outcome.checks += 1
        if isinstance(evaluation, Exception):
            outcome.crashes.append(f"{step.at}: {type(evaluation).__name__}: {evaluation}")
        elif evaluation.notification:
            notice = evaluation.notification
            outcome.notices.append(Notice(step.at, notice.kind.value, notice.status.value))
    judge(pattern, month, outcome.notices, outcome)
    return outcome


def _expire_checks(stack: Any, *, before: datetime) -> None:
    """Delete checks older than `before`, as DynamoDB's TTL would with a short retention: moto
    copies the whole table in every transaction, so even a day of checks would slow each one down
    (the check never reads them: its work is the same with a day or a year of history)."""
    import boto3

    from balance_monitor.history import format_timestamp

    dynamodb = boto3.client("dynamodb")
    old = dynamodb.query(
        TableName=stack.table_name,
        KeyConditionExpression="account = :account AND #record < :before",
        ExpressionAttributeNames={"#record": "record"},
        ExpressionAttributeValues={":account": {"S": "default"}, ":before": {"S": f"check#{format_timestamp(before)}"}},
        ProjectionExpression="account, #record",
    )["Items"]
    for start in range(0, len(old), 25):
        batch = [{"DeleteRequest": {"Key": item}} for item in old[start : start + 25]]
        dynamodb.batch_write_item(RequestItems={stack.table_name: batch})


def table(outcomes: Iterable[Outcome], chosen: list[Pattern]) -> str:
    """The results as docs/simulation.md shows them."""
    described = {pattern.name: pattern.description for pattern in chosen}
    lines = [
        "| Pattern | Checks | Crashes | False alerts | Missed or late | Notifications | Each leak told | "
        "Short runway told | Low; unavailable told |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for outcome in outcomes:
        counts: dict[str, int] = {}
        for notice in outcome.notices:
            counts[notice.kind] = counts.get(notice.kind, 0) + 1
        notifications = ", ".join(f"{count} {kind}" for kind, count in sorted(counts.items())) or "none"

        def told(problem: str, outcome: Outcome = outcome) -> str:
            return ", ".join(outcome.told.get(problem, ["-"]))

        lines.append(
            f"| **{outcome.pattern}**: {described[outcome.pattern]} | {outcome.checks} | {len(outcome.crashes)} | "
            f"{len(outcome.false_alerts)} | {len(outcome.missed)} | {notifications} | {told('spend_spike')} | "
            f"{told('runway_short')} | {told('low')}; {told('unavailable')} |"
        )
    return "\n".join(lines)


def _run_named(name: str, days: int) -> Outcome:
    """One pattern in a process of its own (moto and the function's container are per process)."""
    [pattern] = [pattern for pattern in patterns() if pattern.name == name]
    with redirect_stdout(io.StringIO()):
        return run_pattern(pattern, days=days)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=DAYS)
    parser.add_argument("--pattern", action="append", help="a pattern's name; all when not given")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="patterns run at once")
    options = parser.parse_args(argv)
    chosen = [pattern for pattern in patterns() if not options.pattern or pattern.name in options.pattern]
    names = [pattern.name for pattern in chosen]
    with ProcessPoolExecutor(max_workers=options.jobs, mp_context=get_context("spawn")) as pool:
        outcomes = list(pool.map(_run_named, names, [options.days] * len(names)))
    for outcome in outcomes:
        print(f"{outcome.pattern}: {outcome.checks} checks in {outcome.seconds:.0f} s", file=sys.stderr)
        for problem in (*outcome.crashes[:5], *outcome.false_alerts, *outcome.missed):
            print(f"  {problem}", file=sys.stderr)
    print(table(outcomes, chosen))
    return 0 if all(outcome.clean for outcome in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
