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
    AlertMessage,
    exact_amount,
    format_amount,
    format_rate,
    format_time,
    severity_title,
    subject_line,
    title,
)
from balance_monitor.balance import CurrencyBalance
from balance_monitor.history import CheckRecord, format_timestamp, parse_timestamp
from balance_monitor.providers import DEFAULT_PROVIDER, provider
from balance_monitor.spend import RUNWAY_HORIZON_DAYS, Estimate, estimate
from balance_monitor.texts import DEFAULT_LANGUAGE, language_of, say, say_count

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


def render_digest(summary: DigestSummary, language: str = DEFAULT_LANGUAGE) -> AlertMessage:
    """The digest as the alert topic publishes it: the same attributes as every alert, so that
    subscription filter policies route it (`kind` `digest`, `severity` `info`)."""
    document = digest_document(summary, language)
    return AlertMessage.of(document, digest_text(document))


def digest_document(summary: DigestSummary, language: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    period = summary.period
    label = _label(len(period.dates), language)
    return {
        "schema": SCHEMA,
        "version": SCHEMA_VERSION,
        "account": summary.account,
        "provider": summary.provider,
        "kind": NotificationKind.DIGEST.value,
        "state": summary.status.value,
        "severity": DIGEST_SEVERITY,
        "title": say(
            language, "digest.title", label=label, account=summary.account, dates=_dates(period.dates, language)
        ),
        "subject": _subject(summary, language),
        "language": language,
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


def _label(days: int, language: str) -> str:
    return say(language, f"digest.label.{days}" if days in (1, 7) else "digest.label.days", days=days)


def _dates(days: list[date], language: str = DEFAULT_LANGUAGE) -> str:
    first, last = days[0], days[-1]
    if first == last:
        return say(language, "date.day", day=last)
    return say(language, "date.range" if first.year == last.year else "date.range.years", first=first, last=last)


def _span(days: list[date], language: str) -> str:
    """What a sparkline's first and last blocks stand for: `Mon to Sun`, or dates past a week."""
    if len(days) == 1:
        return say(language, "date.weekday", day=days[0])
    return say(language, "date.weekdays" if len(days) <= 7 else "date.dates", first=days[0], last=days[-1])


def _subject(summary: DigestSummary, language: str) -> str:
    label = _label(len(summary.period.dates), language)
    text = say(language, "digest.subject", label=label, account=summary.account)
    if not summary.checks:
        text += say(language, "digest.subject.no_checks")
    else:
        spent = [
            say(language, "digest.subject.spent", currency=currency.currency, amount=format_amount(amount))
            for currency in summary.currencies
            if (amount := currency.spent) is not None
        ]
        count = len(summary.problems)
        problems = [say_count(language, "digest.subject.problems", count)] if count else []
        text += say(language, "list").join([*spent, *problems])
    return subject_line(text, provider(summary.provider).label, language)


def digest_text(document: dict[str, Any]) -> str:
    """The email, from the document."""
    language = language_of(document)
    lines = [
        document["title"],
        "",
        say(language, "digest.account", account=document["account"]),
        say(language, "digest.state", state=document["state"], state_title=title(document["state"], language)),
        say(language, "digest.checks", checks=checks_text(document)),
    ]
    for currency in document["currencies"]:
        lines += ["", currency_heading(currency, language)]
        lines += [
            say(language, "digest.line", label=label, text=text) for label, text in currency_lines(currency, language)
        ]
    problems = [problem_text(problem, language) for problem in document["problems"]]
    lines += ["", say(language, "digest.problems") + ("" if problems else say(language, "digest.problems.none"))]
    lines += [f"  {text}" for text in problems]
    return "\n".join(lines) + "\n"


def period_text(document: dict[str, Any]) -> str:
    """`Mon 17 Nov to Sun 23 Nov 2026`: the period's days."""
    period = document["period"]
    days = Period(parse_timestamp(period["start"]), parse_timestamp(period["end"])).dates
    return _dates(days, language_of(document))


def checks_text(document: dict[str, Any]) -> str:
    language = language_of(document)
    if not document["checks"]:
        return say(language, "digest.none")
    text = say(language, "digest.checks.count", count=document["checks"])
    if document["failed_checks"]:
        reasons = say(language, "list").join(
            say(
                language,
                "digest.checks.reason",
                error=error["error"],
                checks=say_count(language, "digest.checks", error["count"]),
            )
            for error in document["errors"]
        )
        text += say(language, "digest.checks.failed", failed=document["failed_checks"], reasons=reasons)
    return text


def currency_heading(currency: dict[str, Any], language: str = DEFAULT_LANGUAGE) -> str:
    if currency["total"] is None:
        return say(language, "digest.currency.unknown", currency=currency["currency"])
    parts = [
        say(language, f"balance.{key}", amount=format_amount(Decimal(currency[key])))
        for key in ("granted", "topped_up")
        if currency[key] is not None
    ]
    details = say(language, "digest.currency.details", parts=say(language, "list").join(parts)) if parts else ""
    total = format_amount(Decimal(currency["total"]))
    read_at = format_time(currency["read_at"])
    return say(
        language, "digest.currency", currency=currency["currency"], total=total, details=details, read_at=read_at
    )


def currency_lines(currency: dict[str, Any], language: str = DEFAULT_LANGUAGE) -> list[tuple[str, str]]:
    """What a currency did in the period, a (label, text) pair a line."""
    days = [date.fromisoformat(day["date"]) for day in currency["daily"]]
    code = currency["currency"]
    spent_label = say(language, "digest.spent")
    if currency["spent"] is None:
        lines = [(spent_label, say(language, "digest.spent.unknown", currency=code))]
    else:
        spent = say(language, "digest.spent.amount", currency=code, amount=format_amount(Decimal(currency["spent"])))
        if Decimal(currency["spent"]):
            spent += say(language, "digest.spent.average", currency=code, rate=format_rate(currency["average_daily"]))
        if len(days) > 1 and Decimal(currency["spent"]):
            peak_day = say(language, "date.short", day=date.fromisoformat(currency["peak_day"]))
            peak = format_amount(Decimal(currency["peak_daily"]))
            spent += say(language, "digest.spent.peak", currency=code, amount=peak, day=peak_day)
        each_day = f"{currency['sparkline']}  {_span(days, language)}"
        lines = [(spent_label, spent), (say(language, "digest.each_day"), each_day)]
    lines.append((say(language, "digest.burning"), _burn_text(currency, language)))
    lines += [
        (say(language, label), say(language, f"{label}.line", currency=code, amount=amount, moment=moment))
        for label, changes in (("digest.top_up", currency["top_ups"]), ("digest.expired", currency["expiries"]))
        for amount, moment in ((format_amount(Decimal(c["amount"])), _moment(c["at"], language)) for c in changes)
    ]
    return lines


def _burn_text(currency: dict[str, Any], language: str) -> str:
    rate = currency["burn_rate_per_day"]
    if rate is None:
        return say(language, "spend.unknown")
    text = say(language, "digest.burn", currency=currency["currency"], rate=format_rate(rate))
    if currency["runway_days"] is not None:
        until = format_time(currency["runway_until"])
        text += say(language, "spend.runway", days=currency["runway_days"], until=until)
    elif Decimal(rate) > 0:
        text += say(language, "spend.runway_long", years=RUNWAY_HORIZON_DAYS // 365)
    return text


def problem_text(problem: dict[str, Any], language: str = DEFAULT_LANGUAGE) -> str:
    """`balance low (warning): Tue 18 Nov 03:00 to Tue 18 Nov 18:00, 15 hours`."""
    began, ended = problem["began_at"], problem["ended_at"]
    if began is None and ended:
        when = say(language, "digest.problem.before_until", ended=_moment(ended, language))
    elif began is None:
        when = say(language, "digest.problem.before_lasting")
    elif ended is None:
        when = say(language, "digest.problem.lasting", began=_moment(began, language))
    else:
        when = say(language, "digest.problem.between", began=_moment(began, language), ended=_moment(ended, language))
    return say(
        language,
        "digest.problem",
        title=title(problem["state"], language),
        severity=severity_title(problem["severity"], language),
        when=when,
        duration=_duration(Decimal(problem["hours"]), language),
    )


def _moment(text: str, language: str) -> str:
    return say(language, "date.moment", moment=parse_timestamp(text))


def _duration(hours: Decimal, language: str = DEFAULT_LANGUAGE) -> str:
    """`45 minutes`, `15 hours 30 minutes`, `2 days 3 hours`: the two largest units."""
    minutes = int((hours * 60).to_integral_value(ROUND_HALF_UP))
    parts = [(minutes // 1440, "day"), (minutes // 60 % 24, "hour"), (minutes % 60, "minute")]
    shown = [say_count(language, f"duration.{unit}", count) for count, unit in parts if count][:2]
    return " ".join(shown) or say(language, "duration.short")
