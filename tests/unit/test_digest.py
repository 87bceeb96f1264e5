"""The digest over simulated weeks: checks every 15 minutes through the real alert logic
(`evaluate`), with the usage patterns people have, then summed up as the digest does. What a
reader of the digest would notice: spend that is not what was spent, a top-up or an expired
grant counted as spend, a problem missing or of the wrong length, a crash on an empty week."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
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
    DigestSummary,
    Period,
    digest_text,
    render_digest,
    sparkline,
    summarise,
)
from balance_monitor.digest_chat import digest_block_kit
from balance_monitor.history import CheckRecord
from sandbox.usage import patterns
from tests.support.block_kit import block_kit_problems

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
    assert sparkline([None]) == "·"
