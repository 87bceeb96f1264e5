import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from balance_monitor.alert_lifecycle import CheckOutcome, Notification, NotificationKind, Observation, Status
from balance_monitor.alert_messages import render_alert
from balance_monitor.balance import BalanceReport, CurrencyBalance, Thresholds
from balance_monitor.chat_messages import block_kit, chatbot_notification, slack_message
from balance_monitor.providers.deepseek import DEEPSEEK
from tests.support.block_kit import block_kit_problems

TOP_UP_URL = DEEPSEEK.top_up_url

AT = datetime(2026, 11, 25, 8, 15, tzinfo=UTC)
THRESHOLDS = Thresholds(per_currency={"CNY": Decimal(50), "USD": Decimal(7)})
CRITICAL = Thresholds(per_currency={"CNY": Decimal(20), "USD": Decimal(2)})
REPORT = BalanceReport(
    True,
    {
        "CNY": CurrencyBalance("CNY", Decimal("12.50"), Decimal("2.50"), Decimal("10.00")),
        "USD": CurrencyBalance("USD", Decimal("8.00")),
    },
)
OBSERVATIONS = {
    Status.LOW: Observation(CheckOutcome.OK, report=REPORT),
    Status.CRITICALLY_LOW: Observation(CheckOutcome.OK, report=REPORT),
    Status.RUNWAY_SHORT: Observation(CheckOutcome.OK, report=REPORT),
    Status.SPEND_SPIKE: Observation(CheckOutcome.OK, report=REPORT),
    Status.UNAVAILABLE: Observation(CheckOutcome.INSUFFICIENT_BALANCE, error="HTTP 402 <script>"),
    Status.KEY_REJECTED: Observation(CheckOutcome.KEY_REJECTED, error="DeepSeek rejected the API key (HTTP 401)"),
    Status.MISCONFIGURED: Observation(
        CheckOutcome.MISCONFIGURED, error="LowBalanceThreshold: LOW_BALANCE_THRESHOLD='CNY=<b>' is invalid"
    ),
    Status.FAILING: Observation(CheckOutcome.FAILED, error="DeepSeek answered HTTP 503"),
    Status.HEALTHY: Observation(CheckOutcome.OK, report=REPORT),
}
CASES = [(status, NotificationKind.ALERT) for status in list(Status)[1:]] + [
    (Status.LOW, NotificationKind.REMINDER),
    (Status.HEALTHY, NotificationKind.RECOVERY),
]


def document(status: Status, kind: NotificationKind = NotificationKind.ALERT) -> dict:
    previous = Status.LOW if kind is NotificationKind.RECOVERY else Status.HEALTHY
    notification = Notification(kind, status, previous, AT, AT, OBSERVATIONS[status], 3)
    critical = CRITICAL if status is Status.CRITICALLY_LOW else None
    return render_alert(notification, account="team-a", thresholds=THRESHOLDS, critical_thresholds=critical).document


@pytest.mark.parametrize(("status", "kind"), CASES)
def test_every_alert_is_valid_block_kit_with_the_severity_colour(status, kind):
    message = block_kit(document(status, kind))

    assert block_kit_problems(message) == []
    colour = message["attachments"][0]["color"]
    warning = ("low", "runway_short", "spend_spike")
    severity = "#f2c744" if status.value in warning else {"healthy": "#2eb886"}.get(status.value, "#d72b3f")
    assert colour == severity


def test_a_low_balance_in_slack_shows_state_balances_time_and_action():
    message = block_kit(document(Status.LOW))
    blocks = message["attachments"][0]["blocks"]
    text = json.dumps(blocks)

    assert message["text"] == "[DeepSeek] Balance low for account team-a: CNY 12.50 < 50.00"
    assert blocks[0]["text"]["text"] == ":warning: Balance low for account team-a: CNY 12.50 < 50.00"
    assert "*State*\\nlow (warning)" in text
    assert "*Checked*\\n2026-11-25 08:15 UTC" in text
    assert "CNY 12.50  BELOW threshold 50.00  (granted 2.50, topped up 10.00)" in text
    assert f"<{TOP_UP_URL}|{TOP_UP_URL}>" in text


def test_a_critically_low_balance_in_slack_is_red_and_shows_both_levels():
    message = block_kit(document(Status.CRITICALLY_LOW))
    blocks = message["attachments"][0]["blocks"]
    text = json.dumps(blocks)

    assert message["attachments"][0]["color"] == "#d72b3f"
    assert blocks[0]["text"]["text"] == ":rotating_light: Balance critically low for account team-a: CNY 12.50 < 20.00"
    assert "*State*\\ncritically_low (critical)" in text
    assert "CNY 12.50  BELOW threshold 50.00, BELOW critical 20.00  (granted 2.50, topped up 10.00)" in text
    assert "USD 8.00  threshold 7.00, critical 2.00" in text
    assert f"<{TOP_UP_URL}|{TOP_UP_URL}>" in text


def test_text_from_outside_cannot_inject_slack_markup():
    text = json.dumps(block_kit(document(Status.UNAVAILABLE)))

    assert "<script>" not in text
    assert "&lt;script&gt;" in text


def test_an_unknown_balance_is_said_so_in_slack():
    text = json.dumps(block_kit(document(Status.FAILING)))

    assert "unknown: this check could not read the balance" in text
    assert "Error: DeepSeek answered HTTP 503" in text


def test_slack_message_renders_the_monitors_own_alarms_and_anything_else():
    alarm = {"AlarmName": "failed-invocations", "NewStateValue": "ALARM", "NewStateReason": "1 message"}

    rendered = slack_message(json.dumps(alarm), "ALARM: failed-invocations")
    other = slack_message("plain words", "Subject")

    assert block_kit_problems(rendered) == []
    assert rendered["text"] == ":rotating_light: failed-invocations is ALARM"
    assert other == {"text": "Subject\nplain words"}
    assert slack_message(json.dumps(document(Status.LOW))) == block_kit(document(Status.LOW))


@pytest.mark.parametrize(("status", "kind"), CASES)
def test_the_chatbot_notification_has_the_custom_format(status, kind):
    notification = chatbot_notification(document(status, kind))

    assert (notification["version"], notification["source"]) == ("1.0", "custom")
    assert notification["content"]["textType"] == "client-markdown"
    assert notification["content"]["title"]
    assert notification["content"]["description"]
    assert notification["content"]["nextSteps"]
    assert notification["metadata"]["additionalContext"]["account"] == "team-a"


def buttons(message: dict) -> list[dict]:
    blocks = message["attachments"][0]["blocks"]
    return [element for block in blocks if block["type"] == "actions" for element in block["elements"]]


@pytest.mark.parametrize(("status", "kind"), CASES)
def test_with_snooze_an_alert_or_reminder_carries_the_snooze_buttons_naming_its_account_and_state(status, kind):
    message = block_kit(document(status, kind), snooze=True)

    assert block_kit_problems(message) == []
    found = buttons(message)
    if kind is NotificationKind.RECOVERY:
        assert found == []
        return
    labels = [button["text"]["text"] for button in found]
    balance_problem = status in (Status.LOW, Status.CRITICALLY_LOW, Status.RUNWAY_SHORT, Status.UNAVAILABLE)
    assert labels == (["Snooze 24 h", "Snooze until top-up"] if balance_problem else ["Snooze 24 h"])
    assert {json.dumps(json.loads(button["value"]), sort_keys=True) for button in found} == {
        json.dumps({"account": "team-a", "state": status.value}, sort_keys=True)
    }


def test_without_snooze_no_message_has_buttons():
    assert all(buttons(block_kit(document(status, kind))) == [] for status, kind in CASES)
    assert buttons(slack_message(json.dumps(document(Status.LOW)))) == []
    assert buttons(slack_message(json.dumps(document(Status.LOW)), snooze=True)) != []


def test_an_alert_its_reminders_changes_and_recovery_share_one_chatbot_thread_and_the_next_problem_starts_another():
    from datetime import timedelta

    from balance_monitor.alert_lifecycle import AlertState, evaluate
    from balance_monitor.alert_messages import test_alert

    step, state, threads = timedelta(hours=6), AlertState(), []
    readings = ["100.00", "40.00", "15.00", "40.00", "40.00", "40.00", "40.00", "40.00", "100.00", "30.00"]
    for hour, amount in enumerate(readings):
        reading = Observation(CheckOutcome.OK, BalanceReport(True, {"CNY": CurrencyBalance("CNY", Decimal(amount))}))
        evaluation = evaluate(
            state,
            reading,
            checked_at=AT + hour * step,
            thresholds=THRESHOLDS,
            critical_thresholds=CRITICAL,
            reminder_interval=timedelta(hours=24),
            runway_alert_days=Decimal("0.1"),  # the levels alone speak here
        )
        state = evaluation.state
        if evaluation.notification:
            alert = render_alert(
                evaluation.notification, account="team-a", thresholds=THRESHOLDS, critical_thresholds=CRITICAL
            )
            metadata = chatbot_notification(alert.document)["metadata"]
            threads.append((alert.document["kind"], alert.document["state"], metadata["threadId"]))

    first, second = "deepseek/team-a/2026-11-25T14:15:00Z", "deepseek/team-a/2026-11-27T14:15:00Z"
    assert threads == [
        ("alert", "low", first),
        ("alert", "critically_low", first),
        ("alert", "low", first),
        ("reminder", "low", first),
        ("recovery", "healthy", first),
        ("alert", "low", second),
    ]
    sent = test_alert(account="team-a", sent_at=AT, provider_name="deepseek", language="en")
    assert "threadId" not in chatbot_notification(sent.document)["metadata"]  # a test stands alone
