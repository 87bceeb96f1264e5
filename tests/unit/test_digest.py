"""The digest over simulated weeks: checks every 15 minutes through the real alert logic
(`evaluate`), with the usage patterns people have, then summed up as the digest does. What a
reader of the digest would notice: spend that is not what was spent, a top-up or an expired
grant counted as spend, a problem missing or of the wrong length, a crash on an empty week."""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from balance_monitor.alert_lifecycle import AlertState, CheckOutcome, NotificationKind, Observation, Status, evaluate
from balance_monitor.alert_messages import SUBJECT_LIMIT
from balance_monitor.balance import BalanceReport, CurrencyBalance, Thresholds
from balance_monitor.chat_messages import chatbot_notification, slack_message
from balance_monitor.digest import (
    LOOKBACK,
    SCHEMA,
    Change,
    CurrencyDigest,
    DigestSummary,
    Period,
    Problem,
    digest_text,
    render_digest,
    sparkline,
    summarise,
)
from balance_monitor.digest_chat import digest_block_kit
from balance_monitor.history import CheckRecord
from balance_monitor.spend import CurrencySpend, Estimate, SpendEvent
from balance_monitor.texts import CHINESE
from sandbox.usage import patterns
from tests.support.block_kit import block_kit_problems
from tests.support.languages import leftover_english

STEP = timedelta(minutes=15)
WEEK = timedelta(days=7)
MONDAY = datetime(2026, 11, 16, tzinfo=UTC)
SENT = MONDAY + WEEK + timedelta(hours=8)  # the schedule's default: Monday 08:00 UTC
PERIOD = Period.days_before(SENT, 7)  # Monday 16 to Sunday 22 November
ZERO = Decimal(0)


def pattern(name: str):
    return next(pattern for pattern in patterns() if pattern.name == name)


class Account:
    """One account checked every 15 minutes through `evaluate`, recorded as the check records
    it. Spend takes granted credit first, as DeepSeek does."""

    def __init__(self, *, topped_up: str = "1000.00", granted: str = "0.00", threshold: str = "50") -> None:
        self.granted, self.topped_up = Decimal(granted), Decimal(topped_up)
        self.thresholds = Thresholds(per_currency={"CNY": Decimal(threshold)})
        self.state = AlertState()
        self.records: list[CheckRecord] = []
        self.spent: dict[datetime, Decimal] = {}  # what was really spent in the step ending then

    def spend(self, at: datetime, amount: Decimal) -> None:
        from_granted = min(self.granted, amount)
        self.granted -= from_granted
        self.topped_up -= amount - from_granted
        self.spent[at] = self.spent.get(at, ZERO) + amount

    def check(self, at: datetime, *, error: str | None = None, available: bool = True) -> None:
        if error:
            observation = Observation(CheckOutcome.FAILED, error=error)
        else:
            balance = CurrencyBalance("CNY", self.granted + self.topped_up, self.granted, self.topped_up)
            observation = Observation(CheckOutcome.OK, BalanceReport(available, {"CNY": balance}))
        evaluation = evaluate(
            self.state,
            observation,
            checked_at=at,
            thresholds=self.thresholds,
            reminder_interval=timedelta(hours=24),
        )
        notification = evaluation.notification
        self.records.append(
            CheckRecord(
                "default",
                at,
                observation,
                expires_at=at + timedelta(days=90),
                status=evaluation.state.status,
                notification=notification.kind if notification else None,
                events=evaluation.events,
            )
        )
        self.state = evaluation.state

    def run(
        self,
        start: datetime,
        end: datetime,
        usage: Callable[[datetime], Decimal] = lambda _: ZERO,
        script: dict[datetime, Callable[[Account], None]] | None = None,
        **check: Callable[[datetime], object],
    ) -> Account:
        """A check every 15 minutes from start to end, the usage spent in the step before each;
        `script` acts just before the check at its time; `error`/`available` map a time to the
        check's failure or availability."""
        at = start
        while at <= end:
            if at > start:
                self.spend(at, usage(at))
            if script and at in script:
                script[at](self)
            options = {name: choose(at) for name, choose in check.items()}
            self.check(at, **options)  # type: ignore[arg-type]
            at += STEP
        return self

    def digest(self, period: Period = PERIOD) -> DigestSummary:
        """As the function reads it: the checks from LOOKBACK before the period to its end."""
        read = [record for record in self.records if period.start - LOOKBACK <= record.checked_at <= period.end]
        return summarise("default", read, period, self.state)

    def really_spent(self, period: Period = PERIOD) -> Decimal:
        return sum((amount for at, amount in self.spent.items() if period.holds(at)), ZERO)


def of(usage_pattern: str, seed: int = 7) -> Callable[[datetime], Decimal]:
    spend, rng = pattern(usage_pattern).spend, random.Random(seed)  # noqa: S311 - usage, not secrets
    return lambda at: spend(at, rng)


def daily(summary: DigestSummary) -> list[Decimal | None]:
    [currency] = summary.currencies
    return [amount for _, amount in currency.daily]


def a_week_before_and_the_week(account: Account, **options) -> Account:
    return account.run(PERIOD.start - WEEK, SENT, **options)


def test_the_period_is_the_whole_days_before_the_digest_and_a_check_at_its_end_counts_once():
    assert (PERIOD.start, PERIOD.end) == (MONDAY, MONDAY + WEEK)
    assert PERIOD.dates[0] == date(2026, 11, 16)
    assert PERIOD.dates[-1] == date(2026, 11, 22)
    assert Period.days_before(MONDAY + WEEK + timedelta(hours=23, minutes=59), 7) == PERIOD
    assert PERIOD.holds(PERIOD.end)  # the check at midnight closes Sunday's last interval
    assert not Period(PERIOD.end, PERIOD.end + WEEK).holds(PERIOD.end)  # and only opens the next week


@pytest.fixture
def clock_in_tokyo():
    """The machine asking is nine hours ahead of UTC, as a laptop running the command may be."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "JST-9")
        time.tzset()
        yield
    time.tzset()


def test_the_period_is_of_utc_days_wherever_the_digest_is_asked_for(clock_in_tokyo):
    sunday_evening = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)  # Monday 05:00 in Tokyo

    assert Period.days_before(sunday_evening, 7).end == datetime(2026, 11, 22, tzinfo=UTC)
    assert Period.days_before(sunday_evening, 7).dates == [date(2026, 11, 15) + n * timedelta(days=1) for n in range(7)]
    assert Period.days_before(sunday_evening.astimezone(timezone(timedelta(hours=9))), 7).end == datetime(
        2026, 11, 22, tzinfo=UTC
    )


def test_office_hours_spend_on_weekdays_nothing_at_night_or_at_the_weekend():
    account = a_week_before_and_the_week(Account(), usage=of("office hours"))

    summary = account.digest()

    [cny] = summary.currencies
    assert cny.spent == account.really_spent() > 0
    weekdays, weekend = daily(summary)[:5], daily(summary)[5:]
    assert all(amount > 0 for amount in weekdays)
    assert weekend == [ZERO, ZERO]
    assert cny.average_daily == (cny.spent / 7).quantize(Decimal("0.01"))
    assert cny.peak == max(zip(PERIOD.dates, daily(summary), strict=True), key=lambda day: day[1])
    document = render_digest(summary).document
    assert document["currencies"][0]["sparkline"].endswith("▁▁")
    assert "▁" not in document["currencies"][0]["sparkline"][:5]
    assert summary.checks == 7 * 96
    assert (summary.failed, summary.problems) == (0, ())


def test_a_nightly_batch_counts_on_the_day_it_runs():
    account = a_week_before_and_the_week(Account(), usage=of("nightly batch"))

    summary = account.digest()

    assert summary.currencies[0].spent == account.really_spent()
    for day, amount in summary.currencies[0].daily:
        that_day = [spent for at, spent in account.spent.items() if (at - timedelta(seconds=1)).date() == day]
        assert amount == sum(that_day, ZERO)


def test_two_weeks_in_a_row_count_every_interval_once():
    account = Account().run(MONDAY - WEEK, SENT + WEEK, usage=of("bursty agents"))
    first = Period.days_before(SENT, 7)
    second = Period.days_before(SENT + WEEK, 7)

    both = account.digest(first).currencies[0].spent + account.digest(second).currencies[0].spent

    assert both == account.really_spent(Period(first.start, second.end))


def test_a_top_up_is_listed_and_not_counted_as_negative_spend():
    top_up_at = MONDAY + timedelta(days=2, hours=14)
    account = a_week_before_and_the_week(
        Account(topped_up="200.00"),
        usage=of("steady"),
        script={top_up_at: lambda account: setattr(account, "topped_up", account.topped_up + 300)},
    )

    summary = account.digest()

    [cny] = summary.currencies
    [event] = next(record.events for record in account.records if record.checked_at == top_up_at)
    assert event.kind == "top_up"
    assert cny.top_ups == (Change(top_up_at, event.amount),)  # what the check found: 300 less that step's spend
    assert cny.spent == account.really_spent() - account.spent[top_up_at]  # that step's spend is unknown
    assert "top-up    " in render_digest(summary).body


def test_granted_credit_that_expired_is_not_spend():
    expired_at = MONDAY + timedelta(days=3)
    account = a_week_before_and_the_week(
        Account(granted="500.00"),
        usage=of("steady"),
        script={expired_at: lambda account: setattr(account, "granted", ZERO)},
    )
    left = next(record for record in account.records if record.checked_at == expired_at - STEP)
    granted_then = left.observation.report.balances["CNY"].granted - account.spent[expired_at]

    summary = account.digest()

    [cny] = summary.currencies
    assert [event.kind for record in account.records for event in record.events] == ["expiry"]
    assert cny.expiries == (Change(expired_at, granted_then + account.spent[expired_at]),)
    assert cny.spent == account.really_spent() - account.spent[expired_at]
    assert cny.spent < 7 * 45  # about 40 a day: the 500 granted never count
    assert "expired   " in render_digest(summary).body


def test_a_problem_that_began_before_the_period_is_told_from_the_start():
    """Low since the Saturday before; topped up on Wednesday."""
    top_up_at = MONDAY + timedelta(days=2, hours=10)
    account = Account(topped_up="300.00", threshold="150").run(
        MONDAY - WEEK,
        SENT,
        usage=of("steady"),
        script={top_up_at: lambda account: setattr(account, "topped_up", account.topped_up + 500)},
    )
    low_since = next(record.checked_at for record in account.records if record.status is Status.LOW)
    assert low_since < MONDAY

    [problem] = account.digest().problems

    assert (problem.status, problem.began_at, problem.ended_at) == (Status.LOW, None, top_up_at)
    assert problem.in_period == top_up_at - MONDAY
    text = render_digest(account.digest()).body
    assert "balance low (warning): already at the start, until Wed 18 Nov 10:00, 2 days 10 hours" in text


def test_a_problem_lasting_the_whole_period_says_when_it_began():
    account = Account(topped_up="300.00", threshold="150").run(MONDAY - WEEK, SENT, usage=of("steady"))
    assert account.state.status is Status.LOW

    [problem] = account.digest().problems

    assert problem.began_at == account.state.since < MONDAY
    assert (problem.ended_at, problem.in_period) == (None, WEEK)
    assert "still at the end, 7 days" in render_digest(account.digest()).body


def test_problems_that_begin_and_end_in_the_period_with_failed_checks():
    """A spike on Tuesday, DeepSeek failing for an hour on Thursday night, unavailable on Sunday."""
    leak = MONDAY + timedelta(days=1, hours=10, minutes=30)
    outage = (MONDAY + timedelta(days=3, hours=2), MONDAY + timedelta(days=3, hours=3))
    off = (MONDAY + timedelta(days=6, hours=20), MONDAY + timedelta(days=7, hours=2))

    def usage(at: datetime) -> Decimal:
        steady = of("steady")(at)
        return steady + (Decimal(15) if leak < at <= leak + timedelta(hours=1) else ZERO)

    account = a_week_before_and_the_week(
        Account(),
        usage=usage,
        error=lambda at: "DeepSeek answered HTTP 503" if outage[0] <= at < outage[1] else None,
        available=lambda at: not off[0] <= at < off[1],
    )

    summary = account.digest()

    assert summary.failed == 4
    assert summary.errors == (("DeepSeek answered HTTP 503", 4),)
    told = [(problem.status, problem.began_at, problem.ended_at) for problem in summary.problems]
    assert [status for status, _, _ in told] == [Status.SPEND_SPIKE, Status.FAILING, Status.UNAVAILABLE]
    assert told[1] == (Status.FAILING, outage[0] + 2 * STEP, outage[1])  # the third failure in a row
    assert told[2] == (Status.UNAVAILABLE, off[0], None)  # still unavailable at the period's end
    assert summary.problems[2].in_period == PERIOD.end - off[0]
    assert summary.currencies[0].spent == account.really_spent()  # failed checks lose no spend
    text = render_digest(summary).body
    assert "Checks:    672, 4 failed: DeepSeek answered HTTP 503 (4 checks)" in text
    assert "account unavailable (critical): since Sun 22 Nov 20:00, still at the end, 4 hours" in text


def test_a_day_without_a_reading_is_a_gap_in_the_sparkline():
    wednesday = (MONDAY + timedelta(days=2), MONDAY + timedelta(days=3))
    account = a_week_before_and_the_week(
        Account(),
        usage=of("steady"),
        error=lambda at: "DeepSeek did not answer in time" if wednesday[0] < at <= wednesday[1] else None,
    )

    summary = account.digest()

    assert daily(summary)[2] is None
    assert render_digest(summary).document["currencies"][0]["sparkline"][2] == "·"
    assert summary.currencies[0].spent == account.really_spent()  # Wednesday's spend counts on Thursday


def test_an_idle_account_spent_nothing():
    account = a_week_before_and_the_week(Account(topped_up="8000.00"), usage=of("idle"))

    summary = account.digest()

    [cny] = summary.currencies
    assert (cny.spent, cny.average_daily, cny.peak) == (ZERO, ZERO, (PERIOD.dates[0], ZERO))
    document = render_digest(summary).document
    assert document["currencies"][0]["sparkline"] == "▁" * 7
    assert document["currencies"][0]["burn_rate_per_day"] == "0.0000"
    assert "burning   0.00/day" in digest_text(document)
    assert document["subject"] == "[DeepSeek] Weekly digest for account default: CNY 0.00 spent"


def test_an_account_with_no_checks_in_the_period_says_so():
    account = Account().run(MONDAY - WEEK, MONDAY - timedelta(days=2), usage=of("steady"))  # stopped on Saturday

    summary = account.digest()
    message = render_digest(summary)

    assert (summary.checks, summary.problems) == (0, ())
    assert message.subject == "[DeepSeek] Weekly digest for account default: no checks in this period"
    assert "Checks:    none in this period" in message.body
    assert "spent     unknown: no check read the CNY balance in this period" in message.body
    assert message.document["currencies"][0]["total"] == format(account.state.spend["CNY"].total, "f")


def test_an_account_never_checked_gets_a_digest_all_the_same():
    summary = summarise("staging", [], PERIOD, AlertState())
    message = render_digest(summary)

    assert message.document["currencies"] == []
    assert message.attributes == {
        "account": "staging",
        "provider": "deepseek",
        "state": "healthy",
        "severity": "info",
        "kind": "digest",
    }
    assert "no checks in this period" in message.subject


def test_the_message_is_routable_like_every_alert_and_each_rendering_comes_from_one_document():
    account = a_week_before_and_the_week(Account(), usage=of("office hours"))

    message = render_digest(account.digest())

    document = message.document
    assert (document["schema"], document["version"], document["kind"]) == (SCHEMA, 1, NotificationKind.DIGEST)
    assert message.attributes == {
        "account": "default",
        "provider": "deepseek",
        "state": "healthy",
        "severity": "info",
        "kind": "digest",
    }
    assert json.loads(json.dumps(document)) == document  # amounts are exact strings, times UTC
    assert message.body == digest_text(document)
    assert document["period"] == {"start": "2026-11-16T00:00:00Z", "end": "2026-11-23T00:00:00Z", "days": 7}
    assert [day["date"] for day in document["currencies"][0]["daily"]] == [d.isoformat() for d in PERIOD.dates]
    slack = slack_message(json.dumps(document), message.subject)
    assert slack == digest_block_kit(document)
    assert block_kit_problems(slack) == []
    assert "`" + document["currencies"][0]["sparkline"] + "`" in json.dumps(slack, ensure_ascii=False)
    chatbot = chatbot_notification(document)
    assert chatbot["metadata"]["eventType"] == "DeepSeekBalance:digest"
    assert chatbot["content"]["title"].endswith(message.subject.removeprefix("[DeepSeek] "))


@pytest.mark.parametrize("days", [1, 7, 30])
def test_the_subject_stays_under_the_limit_for_long_names_and_two_currencies(days):
    account = Account().run(MONDAY - WEEK, SENT + timedelta(days=30), usage=of("steady"))
    records = [
        CheckRecord(
            record.account,
            record.checked_at,
            Observation(
                CheckOutcome.OK,
                BalanceReport(
                    True,
                    {**record.observation.report.balances, "USD": CurrencyBalance("USD", Decimal("1234567.89"))},
                ),
            ),
            record.expires_at,
            record.status,
        )
        for record in account.records
    ]
    period = Period.days_before(SENT + timedelta(days=30), days)

    message = render_digest(summarise("a" * 64, records, period, account.state))

    assert len(message.subject) <= SUBJECT_LIMIT
    assert message.subject.isascii()
    assert message.subject.startswith(f"[DeepSeek] {({1: 'Daily digest', 7: 'Weekly digest'}).get(days, '30-day')}")


def test_the_sparkline_is_as_high_as_each_days_spend_against_the_busiest():
    amounts = [Decimal(0), Decimal(1), Decimal(2), Decimal(4), Decimal(7), None, Decimal(3)]

    assert sparkline(amounts) == "▁▂▃▅█·▄"
    assert sparkline([ZERO, ZERO]) == "▁▁"
    assert sparkline([Decimal(5), Decimal(14)]) == "▄█"  # 2.5 of 7 levels up rounds up
    assert sparkline([Decimal("0.25"), Decimal("0.5")]) == "▅█"  # however little the busiest day spent
    assert sparkline([None]) == "·"


# The renderings of one digest, built by hand: the figures, the email and the subject a reader gets.
CNY = CurrencyDigest(
    currency="CNY",
    balance=CurrencyBalance("CNY", Decimal("90.00"), Decimal("10.00"), Decimal("80.00")),
    read_at=PERIOD.end,
    daily=tuple(
        zip(
            PERIOD.dates,
            [Decimal(10), ZERO, None, Decimal("2.5"), Decimal(7), ZERO, Decimal(1)],
            strict=True,
        )
    ),
    top_ups=(Change(MONDAY + timedelta(days=3, hours=12), Decimal(50)),),
    expiries=(Change(MONDAY + timedelta(days=4, minutes=15), Decimal(5)),),
    estimate=Estimate(Decimal("3.1234"), Decimal("28.8"), datetime(2026, 12, 21, 19, 12, tzinfo=UTC)),
)
USD = CurrencyDigest("USD", None, None, tuple((day, None) for day in PERIOD.dates), (), (), None)
PROBLEMS = (
    Problem(Status.LOW, None, MONDAY + timedelta(days=2, hours=10), timedelta(days=2, hours=10)),
    Problem(
        Status.FAILING,
        MONDAY + timedelta(days=3, hours=2, minutes=30),
        MONDAY + timedelta(days=3, hours=3),
        timedelta(minutes=30),
    ),
    Problem(Status.UNAVAILABLE, MONDAY + timedelta(days=6, hours=20), None, timedelta(hours=4)),
)


def a_week(*currencies: CurrencyDigest, problems: tuple[Problem, ...] = PROBLEMS, **changes) -> DigestSummary:
    summary = {
        "account": "default",
        "period": PERIOD,
        "status": Status.UNAVAILABLE,
        "checks": 1234,
        "failed": 3,
        "errors": (("DeepSeek answered HTTP 503", 2), ("DeepSeek did not answer in time", 1)),
        "currencies": currencies or (CNY, USD),
        "problems": problems,
    }
    return DigestSummary(**{**summary, **changes})


def test_the_email_tells_each_currencys_week_and_each_problem():
    message = render_digest(a_week())

    assert message.body == (
        "Weekly digest for account default, Mon 16 Nov to Sun 22 Nov 2026 (UTC).\n"
        "\n"
        "Account:   default\n"
        "State:     unavailable now\n"
        "Checks:    1,234, 3 failed: DeepSeek answered HTTP 503 (2 checks), DeepSeek did not answer in time (1 check)\n"
        "\n"
        "CNY 90.00 (granted 10.00, topped up 80.00) at 2026-11-23 00:00 UTC\n"
        "  spent     20.50, 3.42 a day on average, at most 10.00 (Mon 16 Nov)\n"
        "  each day  █▁·▃▆▁▂  Mon to Sun\n"
        "  burning   3.12/day, runway 28.8 days (until 2026-12-21 19:12 UTC)\n"
        "  top-up    50.00 on Thu 19 Nov 12:00\n"
        "  expired   5.00 of granted credit, on Fri 20 Nov 00:15\n"
        "\n"
        "USD: balance unknown\n"
        "  spent     unknown: no check read the USD balance in this period\n"
        "  burning   burn rate and runway not yet known\n"
        "\n"
        "Problems:\n"
        "  balance low (warning): already at the start, until Wed 18 Nov 10:00, 2 days 10 hours\n"
        "  monitor failing (critical): Thu 19 Nov 02:30 to Thu 19 Nov 03:00, 30 minutes\n"
        "  account unavailable (critical): since Sun 22 Nov 20:00, still at the end, 4 hours\n"
    )


def test_the_document_holds_each_figure_as_an_exact_string():
    document = render_digest(a_week()).document

    assert document["title"] == "Weekly digest for account default, Mon 16 Nov to Sun 22 Nov 2026 (UTC)."
    assert (document["checks"], document["failed_checks"]) == (1234, 3)
    assert document["errors"] == [
        {"error": "DeepSeek answered HTTP 503", "count": 2},
        {"error": "DeepSeek did not answer in time", "count": 1},
    ]
    assert document["currencies"] == [
        {
            "currency": "CNY",
            "total": "90.00",
            "granted": "10.00",
            "topped_up": "80.00",
            "read_at": "2026-11-23T00:00:00Z",
            "spent": "20.5",
            "average_daily": "3.42",
            "peak_daily": "10",
            "peak_day": "2026-11-16",
            "daily": [
                {"date": "2026-11-16", "spent": "10"},
                {"date": "2026-11-17", "spent": "0"},
                {"date": "2026-11-18", "spent": None},
                {"date": "2026-11-19", "spent": "2.5"},
                {"date": "2026-11-20", "spent": "7"},
                {"date": "2026-11-21", "spent": "0"},
                {"date": "2026-11-22", "spent": "1"},
            ],
            "sparkline": "█▁·▃▆▁▂",
            "burn_rate_per_day": "3.1234",
            "runway_days": "28.8",
            "runway_until": "2026-12-21T19:12:00Z",
            "top_ups": [{"at": "2026-11-19T12:00:00Z", "amount": "50"}],
            "expiries": [{"at": "2026-11-20T00:15:00Z", "amount": "5"}],
        },
        {
            "currency": "USD",
            **dict.fromkeys(["total", "granted", "topped_up", "read_at", "spent", "average_daily"]),
            **dict.fromkeys(["peak_daily", "peak_day", "burn_rate_per_day", "runway_days", "runway_until"]),
            "daily": [{"date": day.isoformat(), "spent": None} for day in PERIOD.dates],
            "sparkline": "·" * 7,
            "top_ups": [],
            "expiries": [],
        },
    ]
    assert document["problems"] == [
        {"state": "low", "severity": "warning", "began_at": None, "ended_at": "2026-11-18T10:00:00Z", "hours": "58.00"},
        {
            "state": "failing",
            "severity": "critical",
            "began_at": "2026-11-19T02:30:00Z",
            "ended_at": "2026-11-19T03:00:00Z",
            "hours": "0.50",
        },
        {
            "state": "unavailable",
            "severity": "critical",
            "began_at": "2026-11-22T20:00:00Z",
            "ended_at": None,
            "hours": "4.00",
        },
    ]


@pytest.mark.parametrize(
    ("balance", "heading"),
    [
        (
            CurrencyBalance("CNY", Decimal("90.00"), Decimal("10.00"), Decimal("80.00")),
            "CNY 90.00 (granted 10.00, topped up 80.00) at 2026-11-23 00:00 UTC",
        ),
        (
            CurrencyBalance("CNY", Decimal("90.00"), None, Decimal("80.00")),
            "CNY 90.00 (topped up 80.00) at 2026-11-23 00:00 UTC",
        ),
        (CurrencyBalance("CNY", Decimal("1234.5")), "CNY 1,234.50 at 2026-11-23 00:00 UTC"),
        (None, "CNY: balance unknown"),
    ],
)
def test_each_currency_is_headed_by_its_balance_as_last_read(balance, heading):
    cny = CurrencyDigest("CNY", balance, PERIOD.end, CNY.daily, (), (), None)

    assert digest_text(render_digest(a_week(cny)).document).splitlines()[6] == heading


@pytest.mark.parametrize(
    ("estimate", "burning"),
    [
        (None, "burn rate and runway not yet known"),
        (
            Estimate(Decimal("3.1234"), Decimal("28.8"), datetime(2026, 12, 21, 19, 12, tzinfo=UTC)),
            "3.12/day, runway 28.8 days (until 2026-12-21 19:12 UTC)",
        ),
        (Estimate(Decimal("0.001"), None, None), "0.00/day, runway over 10 years"),
        (Estimate(ZERO, None, None), "0.00/day"),
    ],
)
def test_the_burn_rate_and_runway_as_the_state_has_them(estimate, burning):
    cny = CurrencyDigest("CNY", CNY.balance, PERIOD.end, CNY.daily, (), (), estimate)

    assert f"  burning   {burning}\n" in render_digest(a_week(cny)).body


@pytest.mark.parametrize(
    ("days", "spent", "each_day"),
    [
        (1, "2.50, 2.50 a day on average", "█  Sun"),
        (2, "2.50, 1.25 a day on average, at most 2.50 (Sun 22 Nov)", "▁█  Sat to Sun"),
        (7, "2.50, 0.36 a day on average, at most 2.50 (Sun 22 Nov)", "▁▁▁▁▁▁█  Mon to Sun"),
        (8, "2.50, 0.31 a day on average, at most 2.50 (Sun 22 Nov)", "▁▁▁▁▁▁▁█  15 Nov to 22 Nov"),
        (30, "2.50, 0.08 a day on average, at most 2.50 (Sun 22 Nov)", "▁" * 29 + "█  24 Oct to 22 Nov"),
    ],
)
def test_the_spend_lines_over_periods_of_a_day_a_week_and_a_month(days, spent, each_day):
    period = Period.days_before(SENT, days)
    amounts = [ZERO] * (days - 1) + [Decimal("2.5")]
    cny = CurrencyDigest("CNY", None, None, tuple(zip(period.dates, amounts, strict=True)), (), (), None)

    body = render_digest(a_week(cny, period=period)).body

    assert f"  spent     {spent}\n  each day  {each_day}\n" in body


def test_a_week_with_nothing_spent_says_so_and_nothing_more():
    cny = CurrencyDigest("CNY", None, None, tuple((day, ZERO) for day in PERIOD.dates), (), (), None)

    assert "  spent     0.00\n  each day  ▁▁▁▁▁▁▁  Mon to Sun\n" in render_digest(a_week(cny)).body


@pytest.mark.parametrize(
    ("checks", "failed", "errors", "text"),
    [
        (0, 0, (), "none in this period"),
        (96, 0, (), "96"),
        (2016, 1, (("timeout", 1),), "2,016, 1 failed: timeout (1 check)"),
        (
            2016,
            1003,
            (("HTTP 503", 1000), ("timeout", 2), ("unknown error", 1)),
            "2,016, 1,003 failed: HTTP 503 (1,000 checks), timeout (2 checks), unknown error (1 check)",
        ),
    ],
)
def test_the_checks_line_counts_the_failures_and_why(checks, failed, errors, text):
    body = render_digest(a_week(checks=checks, failed=failed, errors=errors)).body

    assert f"\nChecks:    {text}\n" in body


@pytest.mark.parametrize(
    ("began", "ended", "hours", "text"),
    [
        (None, None, WEEK, "already at the start and still at the end, 7 days"),
        (
            None,
            MONDAY + timedelta(hours=3),
            timedelta(hours=3),
            "already at the start, until Mon 16 Nov 03:00, 3 hours",
        ),
        (
            MONDAY + timedelta(hours=1),
            None,
            WEEK - timedelta(hours=1),
            "since Mon 16 Nov 01:00, still at the end, 6 days 23 hours",
        ),
        (
            MONDAY,
            MONDAY + timedelta(seconds=17),
            timedelta(seconds=17),
            "Mon 16 Nov 00:00 to Mon 16 Nov 00:00, under a minute",
        ),
        (
            MONDAY,
            MONDAY + timedelta(seconds=36),
            timedelta(seconds=36),
            "Mon 16 Nov 00:00 to Mon 16 Nov 00:00, 1 minute",
        ),
        (
            MONDAY,
            MONDAY + timedelta(minutes=90),
            timedelta(minutes=90),
            "Mon 16 Nov 00:00 to Mon 16 Nov 01:30, 1 hour 30 minutes",
        ),
        (
            MONDAY,
            MONDAY + timedelta(hours=26, minutes=1),
            timedelta(hours=26, minutes=1),
            "Mon 16 Nov 00:00 to Tue 17 Nov 02:01, 1 day 2 hours",
        ),
        (
            MONDAY,
            MONDAY + timedelta(hours=49, minutes=3),
            timedelta(hours=49, minutes=3),
            "Mon 16 Nov 00:00 to Wed 18 Nov 01:03, 2 days 1 hour",
        ),
        (MONDAY, MONDAY + timedelta(days=1), timedelta(days=1), "Mon 16 Nov 00:00 to Tue 17 Nov 00:00, 1 day"),
    ],
)
def test_each_problem_says_when_it_was_and_for_how_long(began, ended, hours, text):
    summary = a_week(problems=(Problem(Status.LOW, began, ended, hours),))

    assert render_digest(summary).body.endswith(f"\nProblems:\n  balance low (warning): {text}\n")


def _one_currency(estimate: Estimate | None, period: Period = PERIOD) -> CurrencyDigest:
    daily = tuple((day, Decimal(1)) for day in period.dates)
    return CurrencyDigest("CNY", CNY.balance, period.end, daily, (), (), estimate)


@pytest.mark.parametrize(
    "summary",
    [
        a_week(),  # a runway, a currency never read, problems before the period and lasting, two reasons
        a_week(_one_currency(Estimate(Decimal("0.001"), None, None))),  # a runway beyond the horizon
        a_week(_one_currency(None, Period.days_before(SENT, 1)), period=Period.days_before(SENT, 1)),  # one day
        a_week(_one_currency(None, Period.days_before(SENT, 8)), period=Period.days_before(SENT, 8)),  # eight days
        a_week(problems=(Problem(Status.LOW, None, None, WEEK),)),  # all week long
        a_week(problems=(Problem(Status.LOW, MONDAY, MONDAY + timedelta(seconds=17), timedelta(seconds=17)),)),
    ],
)
def test_a_chinese_digest_keeps_no_english_text_whatever_the_week(summary):
    message = render_digest(summary, CHINESE)

    assert leftover_english(message.body, message.document) == set()
    # Nor an English date: its names come from the calendar, not the catalogue.
    calendar_names = r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b"
    assert re.findall(calendar_names, message.body) == []


def test_a_chinese_digest_lists_the_reasons_checks_failed_in_chinese():
    body = render_digest(a_week(), CHINESE).body

    assert "DeepSeek answered HTTP 503（2 次），DeepSeek did not answer in time（1 次）" in body


def test_a_week_without_problems_says_so():
    assert render_digest(a_week(problems=())).body.endswith("\nProblems:  none in this period\n")


@pytest.mark.parametrize(
    ("changes", "subject"),
    [
        ({}, "[DeepSeek] Weekly digest for account default: CNY 20.50 spent, 3 problems"),
        ({"problems": PROBLEMS[:1]}, "[DeepSeek] Weekly digest for account default: CNY 20.50 spent, 1 problem"),
        ({"problems": PROBLEMS[:2]}, "[DeepSeek] Weekly digest for account default: CNY 20.50 spent, 2 problems"),
        ({"problems": ()}, "[DeepSeek] Weekly digest for account default: CNY 20.50 spent"),
        ({"currencies": (USD,), "problems": ()}, "[DeepSeek] Weekly digest for account default: "),
        ({"account": "café"}, "[DeepSeek] Weekly digest for account caf?: CNY 20.50 spent, 3 problems"),
        ({"provider": "moonshot"}, "[Moonshot] Weekly digest for account default: CNY 20.50 spent, 3 problems"),
        ({"provider": "openrouter-key"}, "[OpenRouter] Weekly digest for account default: CNY 20.50 spent, 3 problems"),
        (
            {"period": Period.days_before(SENT, 1)},
            "[DeepSeek] Daily digest for account default: CNY 20.50 spent, 3 problems",
        ),
        (
            {"period": Period.days_before(SENT, 30)},
            "[DeepSeek] 30-day digest for account default: CNY 20.50 spent, 3 problems",
        ),
        ({"account": "a" * 33}, f"[DeepSeek] Weekly digest for account {'a' * 33}: CNY 20.50 spent, 3 problems"),
        ({"account": "a" * 34}, f"[DeepSeek] Weekly digest for account {'a' * 34}: CNY 20.50 spent, 3 prob..."),
    ],
)
def test_the_subject_sums_up_the_spend_and_the_problems_in_under_100_characters(changes, subject):
    assert render_digest(a_week(**changes)).subject == subject
    assert len(subject) <= SUBJECT_LIMIT


# The summary of checks built by hand, one at a time.
HOUR = timedelta(hours=1)


def check(
    at: datetime,
    status: Status | None = Status.HEALTHY,
    *,
    failed: str | None = None,
    alert: bool = False,
    events: tuple[SpendEvent, ...] = (),
    **totals: str | None,
) -> CheckRecord:
    """A check at `at` that read these totals (or failed, `failed=""` giving no reason), and left `status`."""
    if failed is not None:
        observation = Observation(CheckOutcome.FAILED, error=failed or None)
    else:
        read = {
            code: CurrencyBalance(code, None if total is None else Decimal(total)) for code, total in totals.items()
        }
        observation = Observation(CheckOutcome.OK, BalanceReport(True, read))
    return CheckRecord(
        "default",
        at,
        observation,
        expires_at=at + timedelta(days=90),
        status=status,
        notification=NotificationKind.ALERT if alert else None,
        events=events,
    )


def test_spend_is_each_fall_of_a_currencys_total_counted_on_the_day_its_interval_ends():
    records = [
        check(MONDAY + WEEK + HOUR, CNY="0"),  # after the period: not read
        check(MONDAY - HOUR, CNY="100", USD="50"),  # before it: starts the first interval
        check(MONDAY, CNY="90", USD="50"),  # closes Sunday's last interval, not this week's
        check(MONDAY + HOUR, CNY="85", USD="40"),
        check(MONDAY + 2 * HOUR, CNY="185", USD="38"),  # CNY topped up by 100
        check(MONDAY + 3 * HOUR, CNY=None, USD="38"),  # a reading without a total tells nothing
        check(MONDAY + 24 * HOUR, CNY="180", USD="30", events=(SpendEvent("expiry", "USD", Decimal(5)),)),
        check(MONDAY + 25 * HOUR, CNY="170", USD="20", events=(SpendEvent("expiry", "USD", Decimal(15)),)),
    ]

    cny, usd = summarise("default", records, PERIOD, AlertState()).currencies

    assert (cny.currency, usd.currency) == ("CNY", "USD")
    assert [amount for _, amount in cny.daily] == [
        Decimal(10),
        Decimal(10),
        None,
        None,
        None,
        None,
        None,
    ]  # Tuesday 00:00 is Monday's
    assert [amount for _, amount in usd.daily] == [
        Decimal(15),
        ZERO,
        None,
        None,
        None,
        None,
        None,
    ]  # the 15 expired is no spend
    assert (cny.top_ups, cny.expiries) == ((Change(MONDAY + 2 * HOUR, Decimal(100)),), ())
    assert usd.top_ups == ()
    assert usd.expiries == (Change(MONDAY + 24 * HOUR, Decimal(5)), Change(MONDAY + 25 * HOUR, Decimal(15)))
    assert (cny.balance, cny.read_at) == (CurrencyBalance("CNY", Decimal(170)), MONDAY + 25 * HOUR)
    assert cny.estimate is None


def test_the_failed_checks_of_the_period_and_the_three_commonest_reasons():
    records = [
        check(MONDAY, failed="HTTP 429"),  # before the period
        *[check(MONDAY + n * HOUR, failed="HTTP 503") for n in range(1, 4)],
        *[check(MONDAY + n * HOUR, failed="timeout") for n in range(4, 6)],
        *[check(MONDAY + n * HOUR, failed="") for n in range(6, 8)],
        check(MONDAY + 8 * HOUR, failed="refused"),
        check(MONDAY + 9 * HOUR, CNY="10"),
    ]

    summary = summarise("default", records, PERIOD, AlertState())

    assert (summary.checks, summary.failed) == (9, 8)
    assert summary.errors == (("HTTP 503", 3), ("timeout", 2), ("unknown error", 2))


@pytest.mark.parametrize(
    ("providers", "named"),
    [
        (["deepseek", "moonshot"], "moonshot"),  # the account moved to Moonshot during the period
        (["moonshot", "deepseek"], "deepseek"),
        (["siliconflow"], "siliconflow"),
    ],
)
def test_the_digest_names_the_provider_of_the_latest_check(providers, named):
    records = [replace(check(MONDAY + n * HOUR, CNY="10"), provider=name) for n, name in enumerate(providers, start=1)]

    summary = summarise("default", reversed(records), PERIOD, AlertState())

    assert summary.provider == named
    assert render_digest(summary).attributes["provider"] == named


def test_problems_are_the_runs_of_a_bad_state_each_check_left():
    records = [
        check(MONDAY - HOUR, Status.HEALTHY),
        check(MONDAY, Status.LOW),  # the state at the start
        check(MONDAY + HOUR, None),  # a late check, which left no state
        check(MONDAY + 2 * HOUR, Status.HEALTHY),
        check(MONDAY + 3 * HOUR, Status.HEALTHY),
        check(MONDAY + 4 * HOUR, Status.HEALTHY),
        check(MONDAY + 5 * HOUR, Status.SPEND_SPIKE),
        check(MONDAY + 6 * HOUR, Status.LOW),
        check(MONDAY + 7 * HOUR, Status.LOW),
    ]
    state = AlertState(Status.LOW, since=MONDAY + 6 * HOUR)

    problems = summarise("default", records, PERIOD, state).problems

    assert problems == (
        Problem(Status.LOW, None, MONDAY + 2 * HOUR, 2 * HOUR),
        Problem(Status.SPEND_SPIKE, MONDAY + 5 * HOUR, MONDAY + 6 * HOUR, HOUR),
        Problem(Status.LOW, MONDAY + 6 * HOUR, None, WEEK - 6 * HOUR),
    )


@pytest.mark.parametrize(
    ("alert", "since", "began", "in_period"),
    [
        pytest.param(True, MONDAY + 2 * HOUR, MONDAY + 2 * HOUR, WEEK - 2 * HOUR, id="alerted by its first check"),
        pytest.param(False, MONDAY - WEEK, MONDAY - WEEK, WEEK, id="the state says since when"),
        pytest.param(False, MONDAY, MONDAY, WEEK, id="since the period's start"),
        pytest.param(False, MONDAY + HOUR, None, WEEK, id="the state's since is not this run's"),
        pytest.param(False, None, None, WEEK, id="not known"),
    ],
)
def test_a_problem_with_no_check_before_the_period_began_when_its_first_check_or_the_state_says(
    alert, since, began, in_period
):
    records = [check(MONDAY + 2 * HOUR, Status.FAILING, alert=alert), check(MONDAY + 3 * HOUR, Status.FAILING)]
    state = AlertState(Status.FAILING, since=since)

    [problem] = summarise("default", records, PERIOD, state).problems

    assert (problem.began_at, problem.ended_at, problem.in_period) == (began, None, in_period)


def test_the_state_since_is_not_taken_for_another_problem():
    records = [check(MONDAY + 2 * HOUR, Status.FAILING)]

    [problem] = summarise("default", records, PERIOD, AlertState(Status.LOW, since=MONDAY - WEEK)).problems

    assert (problem.status, problem.began_at) == (Status.FAILING, None)


def test_a_problem_first_seen_in_the_period_ends_at_the_check_that_leaves_it():
    records = [check(MONDAY + 2 * HOUR, Status.FAILING, alert=True), check(MONDAY + 3 * HOUR, Status.HEALTHY)]

    problems = summarise("default", records, PERIOD, AlertState()).problems

    assert problems == (Problem(Status.FAILING, MONDAY + 2 * HOUR, MONDAY + 3 * HOUR, HOUR),)


def test_the_balance_is_the_newest_the_state_has_read_with_its_burn_rate():
    newest = CurrencySpend(SENT, Decimal("90.00"), Decimal("10.00"), Decimal("80.00"))
    records = [check(MONDAY + HOUR, CNY="120.00"), check(MONDAY + 2 * HOUR, CNY="110.00")]

    [cny] = summarise("default", records, PERIOD, AlertState(spend={"CNY": newest})).currencies

    assert (cny.balance, cny.read_at) == (CurrencyBalance("CNY", Decimal(90), Decimal(10), Decimal(80)), SENT)
    assert cny.estimate == Estimate(None, None, None)  # a rate is not yet known from one reading
    assert cny.spent == Decimal(10)
