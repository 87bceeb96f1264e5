"""The digest: what a period of one account's checks adds up to, and how it reads. Pure
functions over plain data: the checks in, a summary, then one document that every rendering is
drawn from, as for alerts (docs/alerts.md, "Digest document"): the subject (under 100
characters), the email and the JSON machines get; digest_chat.py draws the same document for
Slack and AWS Chatbot.

Spend is the fall in a currency's total from one check to the next. A rise is a top-up, and
granted credit a check found expired (its `expiry` event) was not spent: neither counts. An
interval's spend counts on the UTC day it ends, so each interval counts once, in one period.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Any

from balance_monitor.alert_lifecycle import SEVERITY, AlertState, CheckOutcome, NotificationKind, Status
from balance_monitor.alert_messages import (
    MESSAGE_ATTRIBUTES,
    TITLES,
    AlertMessage,
    exact_amount,
    format_amount,
    format_rate,
    format_time,
    subject_line,
)
from balance_monitor.balance import CurrencyBalance
from balance_monitor.history import CheckRecord, format_timestamp, parse_timestamp
from balance_monitor.providers import DEFAULT_PROVIDER, provider
from balance_monitor.spend import RUNWAY_HORIZON_DAYS, Estimate, estimate

SCHEMA = "deepseek-balance-monitor/digest"
SCHEMA_VERSION = 1
DIGEST_SEVERITY = "info"
DEFAULT_DAYS = 7
MAX_DAYS = 92  # a quarter; HistoryRetentionDays (90 by default) removes older checks anyway
# Checks read from before the period: the last of them starts the period's first interval.
LOOKBACK = timedelta(hours=1)
SPARK_LEVELS = "▁▂▃▄▅▆▇█"
NO_DATA = "·"  # a day on which no check read the balance
ERRORS_SHOWN = 3
_DAY = timedelta(days=1)
_SECOND = timedelta(seconds=1)
_CENT = Decimal("0.01")
_ZERO = Decimal(0)
_SPIKE_FACTOR = Decimal(3)  # burn rate and runway do not depend on it, and a digest tells of no spike


@dataclass(frozen=True)
class Period:
    """The checks after `start`, up to and including `end`: a check at `end` closes this
    period's last interval and opens the next period's first."""

    start: datetime
    end: datetime

    @classmethod
    def days_before(cls, moment: datetime, days: int) -> Period:
        """The `days` whole UTC days before the day of `moment`: a digest on a Monday covers
        Monday to Sunday of the week before, whenever that day it is made, and whoever asks."""
        end = datetime.combine(moment.astimezone(UTC).date(), time(), tzinfo=UTC)
        return cls(end - days * _DAY, end)

    def holds(self, moment: datetime) -> bool:
        return self.start < moment <= self.end

    @property
    def dates(self) -> list[date]:
        first, last = day_of(self.start + _SECOND), day_of(self.end)
        return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def day_of(moment: datetime) -> date:
    """The UTC day an interval ending at `moment` counts on: a check at midnight closes the day before."""
    return (moment.astimezone(UTC) - _SECOND).date()


@dataclass(frozen=True)
class Change:
    """Balance that moved without being spent: a top-up, or granted credit that expired."""

    at: datetime  # the check that found it
    amount: Decimal


@dataclass(frozen=True)
class CurrencyDigest:
    currency: str
    balance: CurrencyBalance | None  # as last read, after the period if the state has a newer reading
    read_at: datetime | None
    daily: tuple[tuple[date, Decimal | None], ...]  # spend each day of the period; None: no reading that day
    top_ups: tuple[Change, ...]
    expiries: tuple[Change, ...]
    estimate: Estimate | None  # burn rate and runway as the account's state has them

    @property
    def spent(self) -> Decimal | None:
        amounts = [amount for _, amount in self.daily if amount is not None]
        return sum(amounts, _ZERO) if amounts else None

    @property
    def average_daily(self) -> Decimal | None:
        """Over the days on which a check read the balance."""
        amounts = [amount for _, amount in self.daily if amount is not None]
        return (sum(amounts, _ZERO) / len(amounts)).quantize(_CENT) if amounts else None

    @property
    def peak(self) -> tuple[date, Decimal] | None:
        days = [(day, amount) for day, amount in self.daily if amount is not None]
        return max(days, key=lambda day: day[1]) if days else None  # the first, on a tie


@dataclass(frozen=True)
class Problem:
    """A bad state that began or lasted in the period."""

    status: Status
    began_at: datetime | None  # None: before the period, at a time no check read says
    ended_at: datetime | None  # None: it lasted to the period's end
    in_period: timedelta


@dataclass(frozen=True)
class DigestSummary:
    account: str
    period: Period
    status: Status  # the account's state now
    checks: int
    failed: int  # checks that could not read the balance
    errors: tuple[tuple[str, int], ...]  # the commonest reasons, with how often
    currencies: tuple[CurrencyDigest, ...]
    problems: tuple[Problem, ...]
    provider: str = DEFAULT_PROVIDER  # as the latest check named it


def summarise(account: str, records: Iterable[CheckRecord], period: Period, state: AlertState) -> DigestSummary:
    """The period's checks (and those up to LOOKBACK before it, which only start the first
    interval and tell the state at the start), summed up; `state` is the account's state now."""
    ordered = sorted((record for record in records if record.checked_at <= period.end), key=lambda r: r.checked_at)
    inside = [record for record in ordered if period.holds(record.checked_at)]
    errors = [
        record.observation.error or "unknown error"
        for record in inside
        if record.observation.outcome is CheckOutcome.FAILED
    ]
    reports = [record.observation.report for record in ordered if record.observation.report]
    read = {currency for report in reports for currency in report.balances}
    return DigestSummary(
        account=account,
        period=period,
        status=state.status,
        checks=len(inside),
        failed=len(errors),
        errors=tuple(Counter(errors).most_common(ERRORS_SHOWN)),
        currencies=tuple(_currency(currency, ordered, period, state) for currency in sorted(read | set(state.spend))),
        problems=_problems(ordered, period, state),
        provider=ordered[-1].provider if ordered else DEFAULT_PROVIDER,
    )


def _reading(record: CheckRecord, currency: str) -> CurrencyBalance | None:
    report = record.observation.report
    balance = report.balances.get(currency) if report else None
    return balance if balance is not None and balance.total is not None else None


def _currency(currency: str, ordered: list[CheckRecord], period: Period, state: AlertState) -> CurrencyDigest:
    read = [(record, reading) for record in ordered if (reading := _reading(record, currency)) is not None]
    totals = [(record.checked_at, reading.total or _ZERO, record.events) for record, reading in read]
    spent: dict[date, Decimal] = {day_of(at): _ZERO for at, _, _ in totals if period.holds(at)}
    top_ups: list[Change] = []
    expiries: list[Change] = []
    for (_, before, _), (at, now, events) in pairwise(totals):
        if not period.holds(at):
            continue
        if now > before:
            top_ups.append(Change(at, now - before))
            continue
        expired = sum((e.amount for e in events if e.kind == "expiry" and e.currency == currency), _ZERO)
        if expired:
            expiries.append(Change(at, expired))
        spent[day_of(at)] += max(_ZERO, before - now - expired)
    last = state.spend.get(currency)
    balance: CurrencyBalance | None = read[-1][1] if read else None
    read_at = read[-1][0].checked_at if read else None
    known: Estimate | None = None
    if last is not None:  # the newest reading, with the state's burn rate and runway
        balance = CurrencyBalance(currency, last.total, last.granted, last.topped_up)
        read_at = last.at
        known = estimate(last, last.at, spike_factor=_SPIKE_FACTOR)
    return CurrencyDigest(
        currency=currency,
        balance=balance,
        read_at=read_at,
        daily=tuple((day, spent.get(day)) for day in period.dates),
        top_ups=tuple(top_ups),
        expiries=tuple(expiries),
        estimate=known,
    )


def _problems(ordered: list[CheckRecord], period: Period, state: AlertState) -> tuple[Problem, ...]:
    """Runs of one bad state, from the state each check left (a late check, which left none,
    is skipped). The state at the start is the last check's before it, else the first check's
    in the period (one that sent an alert began its state)."""
    before = [record.status for record in ordered if record.checked_at <= period.start and record.status]
    status = before[-1] if before else None
    began: datetime | None = None  # of the run `status` is in; None: before the period
    problems = []
    for record in ordered:
        if not period.holds(record.checked_at) or record.status is None:
            continue
        if status is None:
            status = record.status
            began = record.checked_at if record.notification is NotificationKind.ALERT else None
            continue
        if record.status is status:
            continue
        if status is not Status.HEALTHY:
            problems.append(_problem(status, began, record.checked_at, period))
        status, began = record.status, record.checked_at
    if status is not None and status is not Status.HEALTHY:
        if began is None and state.status is status and state.since and state.since <= period.start:
            began = state.since  # still going on: the state knows when it began
        problems.append(_problem(status, began, None, period))
    return tuple(problems)


def _problem(status: Status, began: datetime | None, ended: datetime | None, period: Period) -> Problem:
    start = period.start if began is None else max(began, period.start)
    return Problem(status, began, ended, (ended or period.end) - start)


def render_digest(summary: DigestSummary) -> AlertMessage:
    """The digest as the alert topic publishes it: the same attributes as every alert, so that
    subscription filter policies route it (`kind` `digest`, `severity` `info`)."""
    document = digest_document(summary)
    return AlertMessage(
        subject=document["subject"],
        body=digest_text(document),
        attributes={name: document[name] for name in MESSAGE_ATTRIBUTES},
        document=document,
    )


def digest_document(summary: DigestSummary) -> dict[str, Any]:
    period = summary.period
    return {
        "schema": SCHEMA,
        "version": SCHEMA_VERSION,
        "account": summary.account,
        "provider": summary.provider,
        "kind": NotificationKind.DIGEST.value,
        "state": summary.status.value,
        "severity": DIGEST_SEVERITY,
        "title": f"{_label(len(period.dates))} for account {summary.account}, {_dates(period.dates)} (UTC).",
        "subject": _subject(summary),
        "period": {
            "start": format_timestamp(period.start),
            "end": format_timestamp(period.end),
            "days": len(period.dates),
        },
        "checks": summary.checks,
        "failed_checks": summary.failed,
        "errors": [{"error": error, "count": count} for error, count in summary.errors],
        "currencies": [_currency_document(currency) for currency in summary.currencies],
        "problems": [
            {
                "state": problem.status.value,
                "severity": SEVERITY[problem.status],
                "began_at": problem.began_at and format_timestamp(problem.began_at),
                "ended_at": problem.ended_at and format_timestamp(problem.ended_at),
                "hours": exact_amount((Decimal(problem.in_period.total_seconds()) / 3600).quantize(_CENT)),
            }
            for problem in summary.problems
        ],
    }


def _currency_document(currency: CurrencyDigest) -> dict[str, Any]:
    balance = currency.balance
    known = currency.estimate or Estimate(None, None, None)
    peak = currency.peak
    return {
        "currency": currency.currency,
        "total": exact_amount(balance.total) if balance else None,
        "granted": exact_amount(balance.granted) if balance else None,
        "topped_up": exact_amount(balance.topped_up) if balance else None,
        "read_at": currency.read_at and format_timestamp(currency.read_at),
        "spent": exact_amount(currency.spent),
        "average_daily": exact_amount(currency.average_daily),
        "peak_daily": exact_amount(peak[1]) if peak else None,
        "peak_day": peak[0].isoformat() if peak else None,
        "daily": [{"date": day.isoformat(), "spent": exact_amount(amount)} for day, amount in currency.daily],
        "sparkline": sparkline([amount for _, amount in currency.daily]),
        "burn_rate_per_day": exact_amount(known.rate_per_day),
        "runway_days": exact_amount(known.runway_days),
        "runway_until": known.runway_until and format_timestamp(known.runway_until),
        "top_ups": [{"at": format_timestamp(c.at), "amount": exact_amount(c.amount)} for c in currency.top_ups],
        "expiries": [{"at": format_timestamp(c.at), "amount": exact_amount(c.amount)} for c in currency.expiries],
    }


def sparkline(amounts: list[Decimal | None]) -> str:
    """One block a day, as high as its spend against the period's busiest day; `·` for a day
    with no reading."""
    peak = max((amount for amount in amounts if amount is not None), default=_ZERO)
    levels = len(SPARK_LEVELS) - 1
    return "".join(
        NO_DATA
        if amount is None
        else SPARK_LEVELS[int((amount * levels / peak).to_integral_value(ROUND_HALF_UP)) if peak > 0 else 0]
        for amount in amounts
    )


def _label(days: int) -> str:
    return {1: "Daily digest", 7: "Weekly digest"}.get(days, f"{days}-day digest")


def _dates(days: list[date]) -> str:
    first, last = days[0], days[-1]
    if first == last:
        return f"{last:%a %d %b %Y}"
    return f"{first:%a %d %b} to {last:%a %d %b %Y}"


def _span(days: list[date]) -> str:
    """What a sparkline's first and last blocks stand for: `Mon to Sun`, or dates past a week."""
    if len(days) == 1:
        return f"{days[0]:%a}"
    return f"{days[0]:%a} to {days[-1]:%a}" if len(days) <= 7 else f"{days[0]:%d %b} to {days[-1]:%d %b}"


def _subject(summary: DigestSummary) -> str:
    text = f"{_label(len(summary.period.dates))} for account {summary.account}: "
    if not summary.checks:
        text += "no checks in this period"
    else:
        spent = [
            f"{currency.currency} {format_amount(amount)} spent"
            for currency in summary.currencies
            if (amount := currency.spent) is not None
        ]
        count = len(summary.problems)
        text += ", ".join([*spent, *([f"{count} problem{'s' if count > 1 else ''}"] if count else [])])
    return subject_line(text, provider(summary.provider).label)


def digest_text(document: dict[str, Any]) -> str:
    """The email, from the document."""
    lines = [
        document["title"],
        "",
        f"Account:   {document['account']}",
        f"State:     {document['state']} now",
        f"Checks:    {checks_text(document)}",
    ]
    for currency in document["currencies"]:
        lines += ["", currency_heading(currency)]
        lines += [f"  {label:<9} {text}" for label, text in currency_lines(currency)]
    problems = [problem_text(problem) for problem in document["problems"]]
    lines += ["", "Problems:" + ("" if problems else "  none in this period")]
    lines += [f"  {text}" for text in problems]
    return "\n".join(lines) + "\n"


def period_text(document: dict[str, Any]) -> str:
    """`Mon 17 Nov to Sun 23 Nov 2026`: the period's days."""
    period = document["period"]
    return _dates(Period(parse_timestamp(period["start"]), parse_timestamp(period["end"])).dates)


def checks_text(document: dict[str, Any]) -> str:
    if not document["checks"]:
        return "none in this period"
    text = f"{document['checks']:,}"
    if document["failed_checks"]:
        reasons = ", ".join(f"{error['error']} ({_checks(error['count'])})" for error in document["errors"])
        text += f", {document['failed_checks']:,} failed: {reasons}"
    return text


def _checks(count: int) -> str:
    return f"{count:,} check{'s' if count != 1 else ''}"


def currency_heading(currency: dict[str, Any]) -> str:
    if currency["total"] is None:
        return f"{currency['currency']}: balance unknown"
    parts = [
        f"{name} {format_amount(Decimal(currency[key]))}"
        for name, key in (("granted", "granted"), ("topped up", "topped_up"))
        if currency[key] is not None
    ]
    details = f" ({', '.join(parts)})" if parts else ""
    total = format_amount(Decimal(currency["total"]))
    return f"{currency['currency']} {total}{details} at {format_time(currency['read_at'])}"


def currency_lines(currency: dict[str, Any]) -> list[tuple[str, str]]:
    """What a currency did in the period, a (label, text) pair a line."""
    days = [date.fromisoformat(day["date"]) for day in currency["daily"]]
    if currency["spent"] is None:
        lines = [("spent", f"unknown: no check read the {currency['currency']} balance in this period")]
    else:
        spent = format_amount(Decimal(currency["spent"]))
        if Decimal(currency["spent"]):
            spent += f", {format_rate(currency['average_daily'])} a day on average"
        if len(days) > 1 and Decimal(currency["spent"]):
            peak_day = date.fromisoformat(currency["peak_day"])
            spent += f", at most {format_amount(Decimal(currency['peak_daily']))} ({peak_day:%a %d %b})"
        lines = [("spent", spent), ("each day", f"{currency['sparkline']}  {_span(days)}")]
    lines.append(("burning", _burn_text(currency)))
    lines += [("top-up", f"{format_amount(Decimal(c['amount']))} on {_moment(c['at'])}") for c in currency["top_ups"]]
    lines += [
        ("expired", f"{format_amount(Decimal(c['amount']))} of granted credit, on {_moment(c['at'])}")
        for c in currency["expiries"]
    ]
    return lines


def _burn_text(currency: dict[str, Any]) -> str:
    rate = currency["burn_rate_per_day"]
    if rate is None:
        return "burn rate and runway not yet known"
    text = f"{format_rate(rate)}/day"
    if currency["runway_days"] is not None:
        text += f", runway {currency['runway_days']} days (until {format_time(currency['runway_until'])})"
    elif Decimal(rate) > 0:
        text += f", runway over {RUNWAY_HORIZON_DAYS // 365} years"
    return text


def problem_text(problem: dict[str, Any]) -> str:
    """`balance low (warning): Tue 18 Nov 03:00 to Tue 18 Nov 18:00, 15 hours`."""
    status = Status(problem["state"])
    began, ended = problem["began_at"], problem["ended_at"]
    if began is None:
        when = "already at the start" + (f", until {_moment(ended)}" if ended else " and still at the end")
    elif ended is None:
        when = f"since {_moment(began)}, still at the end"
    else:
        when = f"{_moment(began)} to {_moment(ended)}"
    hours = Decimal(problem["hours"])
    return f"{TITLES[status]} ({problem['severity']}): {when}, {_duration(hours)}"


def _moment(text: str) -> str:
    return f"{parse_timestamp(text):%a %d %b %H:%M}"


def _duration(hours: Decimal) -> str:
    """`45 minutes`, `15 hours 30 minutes`, `2 days 3 hours`: the two largest units."""
    minutes = int((hours * 60).to_integral_value(ROUND_HALF_UP))
    parts = [(minutes // 1440, "day"), (minutes // 60 % 24, "hour"), (minutes % 60, "minute")]
    shown = [f"{count} {unit}{'s' if count != 1 else ''}" for count, unit in parts if count][:2]
    return " ".join(shown) or "under a minute"
