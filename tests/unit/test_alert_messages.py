import json
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from balance_monitor.alert_lifecycle import CheckOutcome, Notification, NotificationKind, Observation, Status
from balance_monitor.alert_messages import format_amount, render_alert
from balance_monitor.balance import BalanceReport, CurrencyBalance, Thresholds
from balance_monitor.providers.deepseek import DEEPSEEK
from balance_monitor.settings import parse_thresholds

TOP_UP_URL, API_KEYS_URL = DEEPSEEK.top_up_url, DEEPSEEK.api_keys_url

THRESHOLDS = Thresholds(per_currency={"CNY": Decimal(50), "USD": Decimal(7)})
CRITICAL = Thresholds(per_currency={"CNY": Decimal(20), "USD": Decimal(2)})
AT = datetime(2026, 11, 25, 8, 15, tzinfo=UTC)
LOW_REPORT = BalanceReport(
    True,
    {
        "CNY": CurrencyBalance("CNY", Decimal("12.50"), Decimal("2.50"), Decimal("10.00")),
        "USD": CurrencyBalance("USD", Decimal("8.00")),
    },
)


def notification(
    status, kind=NotificationKind.ALERT, observation=None, previous=Status.HEALTHY, failures=0, estimates=None
):
    return Notification(
        kind=kind,
        status=status,
        previous_status=previous,
        since=AT,
        checked_at=AT,
        observation=observation or Observation(CheckOutcome.OK, report=LOW_REPORT),
        consecutive_failures=failures,
        estimates=estimates or {},
    )


def test_low_balance_alert_reads_at_a_glance():
    message = render_alert(notification(Status.LOW), account="default", thresholds=THRESHOLDS)

    assert message.subject == "[DeepSeek] Balance low for account default: CNY 12.50 < 50.00"
    assert message.body.splitlines()[0] == "ALERT: balance low for account default."
    assert "State:     low (warning), since 2026-11-25 08:15 UTC" in message.body
    assert "CNY        12.50   BELOW threshold 50.00  (granted 2.50, topped up 10.00)" in message.body
    assert "USD         8.00   threshold 7.00" in message.body
    assert TOP_UP_URL in message.body
    assert message.attributes == {
        "account": "default",
        "provider": "deepseek",
        "state": "low",
        "severity": "warning",
        "kind": "alert",
    }


def test_a_critically_low_alert_reads_at_a_glance_with_both_levels():
    message = render_alert(
        notification(Status.CRITICALLY_LOW, previous=Status.LOW),
        account="default",
        thresholds=THRESHOLDS,
        critical_thresholds=CRITICAL,
    )

    assert message.subject == "[DeepSeek] Balance critically low for account default: CNY 12.50 < 20.00"
    assert message.body.splitlines()[0] == "ALERT: balance critically low for account default."
    assert "State:     critically_low (critical), since 2026-11-25 08:15 UTC" in message.body
    assert (
        "CNY        12.50   BELOW threshold 50.00, BELOW critical 20.00  (granted 2.50, topped up 10.00)"
        in message.body
    )
    assert "USD         8.00   threshold 7.00, critical 2.00" in message.body
    assert TOP_UP_URL in message.body
    assert message.attributes == {
        "account": "default",
        "provider": "deepseek",
        "state": "critically_low",
        "severity": "critical",
        "kind": "alert",
    }
    levels = [
        (
            balance["threshold"],
            balance["below_threshold"],
            balance["critical_threshold"],
            balance["below_critical_threshold"],
        )
        for balance in message.document["balances"]
    ]
    assert levels == [("50", True, "20", True), ("7", False, "2", False)]


def test_the_subject_names_only_the_currencies_below_their_critical_level():
    report = BalanceReport(
        True, {"CNY": CurrencyBalance("CNY", Decimal("4")), "USD": CurrencyBalance("USD", Decimal("6.00"))}
    )
    critically_low = notification(Status.CRITICALLY_LOW, observation=Observation(CheckOutcome.OK, report=report))

    message = render_alert(
        critically_low, account="team-a", thresholds=THRESHOLDS, critical_thresholds=parse_thresholds("5")
    )

    assert message.subject == "[DeepSeek] Balance critically low for account team-a: CNY 4.00 < 5.00"
    reminder = replace(critically_low, kind=NotificationKind.REMINDER, previous_status=Status.CRITICALLY_LOW)
    assert render_alert(
        reminder, account="team-a", thresholds=THRESHOLDS, critical_thresholds=parse_thresholds("5")
    ).subject == ("[DeepSeek] Reminder: balance critically low for account team-a: CNY 4.00 < 5.00")


def test_back_up_from_critically_low_is_an_alert_about_the_warning_level():
    report = BalanceReport(True, {"CNY": CurrencyBalance("CNY", Decimal("30.00"))})
    eased = notification(
        Status.LOW, observation=Observation(CheckOutcome.OK, report=report), previous=Status.CRITICALLY_LOW
    )

    message = render_alert(eased, account="default", thresholds=THRESHOLDS, critical_thresholds=CRITICAL)

    assert message.subject == "[DeepSeek] Balance low for account default: CNY 30.00 < 50.00"
    assert message.body.splitlines()[0] == "ALERT: balance low for account default, no longer critically low."
    assert "CNY        30.00   BELOW threshold 50.00, critical 20.00" in message.body
    assert message.document["previous_state"] == "critically_low"
    assert message.attributes == {
        "account": "default",
        "provider": "deepseek",
        "state": "low",
        "severity": "warning",
        "kind": "alert",
    }


def test_without_a_critical_level_the_document_says_so():
    message = render_alert(notification(Status.LOW), account="default", thresholds=THRESHOLDS)

    assert {
        (balance["critical_threshold"], balance["below_critical_threshold"]) for balance in message.document["balances"]
    } == {(None, False)}
    assert "critical" not in message.body


def test_a_failed_read_shows_the_error_and_an_unknown_balance_never_zero():
    failed = Observation(CheckOutcome.FAILED, error="DeepSeek answered HTTP 503")

    message = render_alert(
        notification(Status.FAILING, observation=failed, failures=3), account="default", thresholds=THRESHOLDS
    )

    assert message.subject == "[DeepSeek] Monitor failing for account default: 3 checks failed"
    assert "Error:     DeepSeek answered HTTP 503" in message.body
    assert "unknown: this check could not read the balance" in message.body
    assert "0.00" not in message.body
    assert message.attributes["severity"] == "critical"


def test_a_rejected_key_says_how_to_fix_the_monitor():
    rejected = Observation(CheckOutcome.KEY_REJECTED, error="DeepSeek rejected the API key (HTTP 401)")

    message = render_alert(
        notification(Status.KEY_REJECTED, observation=rejected), account="default", thresholds=THRESHOLDS
    )

    assert message.subject == "[DeepSeek] API key rejected for account default"
    assert API_KEYS_URL in message.body
    assert "misconfigured" in message.body
    assert TOP_UP_URL not in message.body


def test_unavailable_names_the_reason():
    report = BalanceReport(False, {"CNY": CurrencyBalance("CNY", Decimal("0.00"))})

    message = render_alert(
        notification(Status.UNAVAILABLE, observation=Observation(CheckOutcome.OK, report=report)),
        account="default",
        thresholds=THRESHOLDS,
    )

    assert message.subject == "[DeepSeek] Account unavailable for account default"
    assert "is_available: false" in message.body
    assert message.attributes["severity"] == "critical"


def test_recovery_names_the_balance_now():
    report = BalanceReport(True, {"CNY": CurrencyBalance("CNY", Decimal("150.00"))})

    message = render_alert(
        notification(
            Status.HEALTHY, NotificationKind.RECOVERY, Observation(CheckOutcome.OK, report=report), previous=Status.LOW
        ),
        account="default",
        thresholds=THRESHOLDS,
    )

    assert message.subject == "[DeepSeek] Resolved: account default is healthy, CNY 150.00"
    assert message.body.startswith("RESOLVED: account default is healthy again (was balance low).")
    assert message.attributes == {
        "account": "default",
        "provider": "deepseek",
        "state": "healthy",
        "severity": "info",
        "kind": "recovery",
    }


def test_a_reminder_says_so():
    message = render_alert(
        notification(Status.LOW, NotificationKind.REMINDER, previous=Status.LOW),
        account="default",
        thresholds=THRESHOLDS,
    )

    assert message.subject.startswith("[DeepSeek] Reminder: balance low")
    assert message.body.startswith("REMINDER:")
    assert message.attributes["kind"] == "reminder"


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("kind", list(NotificationKind))
def test_every_subject_fits_sns_even_for_a_long_account_name(status, kind):
    message = render_alert(notification(status, kind), account="team-" + "x" * 120 + "-é", thresholds=THRESHOLDS)

    assert len(message.subject) < 100
    assert message.subject.isascii()
    assert "\n" not in message.subject


@pytest.mark.parametrize(
    ("amount", "text"),
    [("12.5", "12.50"), ("1234567.00", "1,234,567.00"), ("0.001", "0.001"), ("7", "7.00")],
)
def test_amounts_show_two_decimals_unless_that_hides_digits(amount, text):
    assert format_amount(Decimal(amount)) == text


def test_a_spike_alert_shows_the_numbers_that_raised_it_in_email_and_slack():
    from balance_monitor.chat_messages import block_kit
    from balance_monitor.spend import Estimate, Spike

    spike = Spike(
        recent_rate_per_day=Decimal("480.0000"),
        expected_rate_per_day=Decimal("26.5000"),
        usual_rate_per_day=Decimal("24.1234"),
        factor=Decimal(3),
    )
    spiking = notification(
        Status.SPEND_SPIKE, estimates={"CNY": Estimate(Decimal("24.1234"), Decimal("0.52"), AT, spike)}
    )

    message = render_alert(spiking, account="default", thresholds=Thresholds())

    expected = (
        "spend spike: 480.00/day over the last hour; this time of day spent at most 26.50/day in the past week, "
        "and the week averaged 24.12/day"
    )
    assert message.subject == "[DeepSeek] Spend spike for account default: CNY 480.00/day"
    assert expected in message.body
    assert message.document["balances"][0]["spike"] == {
        "recent_rate_per_day": "480.0000",
        "expected_rate_per_day": "26.5000",
        "usual_rate_per_day": "24.1234",
        "factor": "3",
    }
    slack = json.dumps(block_kit(message.document))
    assert expected in slack


@pytest.mark.parametrize(
    ("rate", "runway", "note"),
    [
        ("0.0000", None, "burning 0.00/day"),
        ("0.0100", None, "burning 0.01/day, runway over 10 years"),
        ("24.0000", "2.50", "burning 24.00/day, runway 2.50 days (until 2026-11-25 08:15 UTC)"),
        (None, None, "burn rate and runway not yet known"),
    ],
)
def test_the_burn_rate_and_runway_line_says_what_is_known(rate, runway, note):
    from balance_monitor.spend import Estimate

    known = Estimate(rate and Decimal(rate), runway and Decimal(runway), AT if runway else None)

    body = render_alert(
        notification(Status.LOW, estimates={"CNY": known}), account="default", thresholds=THRESHOLDS
    ).body

    lines = body.splitlines()
    cny = next(index for index, line in enumerate(lines) if line.startswith("  CNY"))
    assert lines[cny + 1].strip() == note
