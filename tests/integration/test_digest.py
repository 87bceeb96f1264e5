"""The digest through the deployed handler: the digest schedule's event (events/digest.json),
each account's checks read with one Query, one message per account through the alert topic,
routed by the same attributes as every alert, drawn by the Slack notifier, and Lambda's retry
sending only the digests still owed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import boto3
import pytest

import app
from balance_monitor.adapters.alert_topic import AlertTopic
from balance_monitor.adapters.sent_digests import DIGEST_PREFIX
from balance_monitor.alert_messages import AlertMessage
from balance_monitor.errors import AccountsFailedError, AlertDeliveryError
from balance_monitor.history import format_timestamp
from sandbox.lambda_context import LambdaContext
from sandbox.slack_webhook import FakeSlackWebhook
from tests.support.block_kit import block_kit_problems

from .conftest import API_KEY, record_aws_calls
from .test_alert_delivery import failing_sns
from .test_alert_delivery_channels import SlackNotifier, _email_filter_policy

# Accounts are summed up in threads; moto needs the lock that DynamoDB's atomicity stands for.
pytestmark = pytest.mark.usefixtures("atomic_aws_requests")

DIGEST_EVENT = json.loads((Path(__file__).resolve().parents[2] / "events" / "digest.json").read_text())
START = datetime(2026, 11, 20, 21, tzinfo=UTC)  # a Friday night: the check before the period's is at midnight
STEP = timedelta(hours=3)
SENT_AT = "2026-11-23T08:00:00Z"  # Monday: the two days before are Saturday 21 and Sunday 22
TEAM_KEY = "sk-team-aaaaaaaaaaaaaaaa"


def two_days(monitor, *, spend: str = "1.50", top_up_at: int | None = None) -> Decimal:
    """A check every 3 hours from Friday 21:00 to Monday 00:00, spending `spend` before each;
    returns what was spent in the period: after the check at Saturday 00:00."""
    spent = Decimal(0)
    for step in range(18):
        if step:
            monitor.deepseek.spend("CNY", spend)
            spent += Decimal(spend) if step > 1 else 0
        if step == top_up_at:
            monitor.deepseek.top_up("CNY", "100.00")
        monitor.scheduled(format_timestamp(START + step * STEP))
    return spent


def a_few_checks(monitor) -> None:
    """Where what the digest says does not matter: a check on Saturday and one on Sunday."""
    for at in ("2026-11-21T12:00:00Z", "2026-11-22T12:00:00Z"):
        monitor.deepseek.spend("CNY", "12.00")
        monitor.scheduled(at)


def digest(monitor, days: int = 2, *, request_id: str = "digest-request-1", timeout_seconds: float = 60.0) -> dict:
    """The digest schedule's event (its `days` changed), as Lambda delivers it; the clock is
    taken from the event's `time`, as for a check invoked by hand."""
    event = {**DIGEST_EVENT, "digest": {**DIGEST_EVENT["digest"], "days": days}, "time": SENT_AT}
    return app.lambda_handler(event, LambdaContext(timeout_seconds=timeout_seconds, aws_request_id=request_id))


def test_the_schedules_event_asks_for_the_week():
    assert DIGEST_EVENT == {"digest": {"days": 7}}


def test_each_account_gets_one_digest_routable_like_every_alert(monitor):
    monitor.deepseek.set_balance("CNY", topped_up="200.00")
    monitor.deepseek.add_account(TEAM_KEY).set_balance("CNY", topped_up="50.00")
    accounts = {"default": {"api_key": API_KEY}, "team-a": {"api_key": TEAM_KEY}}
    monitor.stack.put_api_key(json.dumps({"accounts": accounts}))
    spent = two_days(monitor, top_up_at=10)
    monitor.alerts()
    accounts["staging"] = {"api_key": TEAM_KEY}  # added since: not a check in the period
    monitor.stack.put_api_key(json.dumps({"accounts": accounts}))

    summary = digest(monitor)

    assert summary["digest"] == {"start": "2026-11-21T00:00:00Z", "end": "2026-11-23T00:00:00Z"}
    assert [(result["account"], result["result"], result["checks"]) for result in summary["accounts"]] == [
        ("default", "sent", 16),
        ("staging", "sent", 0),
        ("team-a", "sent", 16),
    ]
    received = {alert.attributes["account"]: alert for alert in monitor.alerts()}
    assert sorted(received) == ["default", "staging", "team-a"]
    default = received["default"]
    assert default.attributes == {
        "account": "default",
        "provider": "deepseek",
        "state": "healthy",
        "severity": "info",
        "kind": "digest",
    }
    assert default.subject == "[DeepSeek] 2-day digest for account default: CNY 22.50 spent"
    [cny] = default.document["currencies"]
    assert Decimal(cny["spent"]) == spent - Decimal("1.50")  # the spend beside the top-up is not known
    assert [top_up["amount"] for top_up in cny["top_ups"]] == ["98.50"]
    assert [day["date"] for day in cny["daily"]] == ["2026-11-21", "2026-11-22"]
    assert "Checks:    16" in default.body
    assert received["staging"].subject == "[DeepSeek] 2-day digest for account staging: no checks in this period"


def test_one_query_a_account_and_nothing_a_check_would_not_do_but_the_digests_mark(monitor, monkeypatch):
    a_few_checks(monitor)
    calls = record_aws_calls(monkeypatch)

    digest(monitor, 7)

    made = [f"{call.signing_name}:{call.operation}" for call in calls if call.service != "sqs"]
    assert sorted(made) == [
        "dynamodb:GetItem",  # the state
        "dynamodb:GetItem",  # whether this invocation sent it already
        "dynamodb:PutItem",  # that it did
        "dynamodb:Query",
        "secretsmanager:GetSecretValue",
        "sns:Publish",
    ]
    [query] = [call.request for call in calls if call.operation == "Query"]
    assert query["ExpressionAttributeValues"][":start"] == {"S": "check#2026-11-15T23:00:00Z"}  # an hour before
    assert query["ExpressionAttributeValues"][":end"] == {"S": "check#2026-11-23T00:00:00Z"}
    [mark] = [item for item in monitor.raw_items() if item["record"]["S"].startswith(DIGEST_PREFIX)]
    assert mark["record"] == {"S": "digest#2026-11-23T00:00:00Z"}
    assert mark["request_id"] == {"S": "digest-request-1"}
    assert [record.checked_at.day for record in monitor.history()] == [21, 22]  # its mark is no check


def test_a_retry_of_the_invocation_sends_only_the_digests_still_owed(monitor):
    monitor.deepseek.add_account(TEAM_KEY)
    monitor.stack.put_api_key(
        json.dumps({"accounts": {"default": {"api_key": API_KEY}, "team-a": {"api_key": TEAM_KEY}}})
    )
    a_few_checks(monitor)
    monitor.alerts()
    monitor.replace(alerts=AlertTopic(failing_sns(times=1), monitor.stack.topic_arn))

    with pytest.raises(AccountsFailedError, match=r"1 of 2 digests not sent \(\S+: could not publish"):
        digest(monitor)
    [first] = monitor.alerts()

    summary = digest(monitor)  # Lambda's retry: the same request id

    [second] = monitor.alerts()
    assert {first.attributes["account"], second.attributes["account"]} == {"default", "team-a"}
    assert sorted(result["result"] for result in summary["accounts"]) == ["already sent", "sent"]

    digest(monitor, request_id="digest-by-hand")  # invoked again, by hand: sent again

    assert len(monitor.alerts()) == 2


def test_the_single_key_setup_fails_with_its_own_error(monitor):
    a_few_checks(monitor)
    monitor.replace(alerts=AlertTopic(failing_sns(times=1), monitor.stack.topic_arn))

    with pytest.raises(AlertDeliveryError):
        digest(monitor)

    assert [result["result"] for result in digest(monitor)["accounts"]] == ["sent"]


def test_when_time_runs_short_the_digests_not_begun_are_left_to_the_retry(monitor, captured_logs):
    a_few_checks(monitor)

    with pytest.raises(AccountsFailedError, match=r"1 of 1 digests not sent \(default: not begun\)"):
        digest(monitor, timeout_seconds=app.RESERVED_SECONDS - 1)

    assert monitor.alerts() == []
    assert "no time left for this account's digest" in captured_logs()
    digest(monitor)
    assert len(monitor.alerts()) == 1


@pytest.mark.parametrize("request_", [{"days": 0}, {"days": "7"}, {"days": 93}, "weekly"])
def test_a_digest_event_it_cannot_do_is_refused_and_not_retried(monitor, request_):
    event = {"digest": request_, "time": SENT_AT}

    answer = app.lambda_handler(event, LambdaContext())

    assert answer["result"] == "refused"
    assert monitor.alerts() == []


def test_the_critical_only_email_does_not_get_the_digest_and_an_unfiltered_subscriber_does(monitor):
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    queue = sqs.create_queue(QueueName="critical-only")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(
        TopicArn=monitor.stack.topic_arn,
        Protocol="sqs",
        Endpoint=arn,
        Attributes={"FilterPolicy": json.dumps(_email_filter_policy())},
    )
    a_few_checks(monitor)
    monitor.alerts()

    digest(monitor)

    assert sqs.receive_message(QueueUrl=queue).get("Messages") is None
    assert [alert.attributes["kind"] for alert in monitor.alerts()] == ["digest"]


class KeptMessages:
    """An alert topic that keeps what it is given, as published."""

    def __init__(self) -> None:
        self.messages: list[AlertMessage] = []

    def publish(self, message: AlertMessage) -> str:
        self.messages.append(message)
        return f"m-{len(self.messages)}"


def test_the_slack_notifier_draws_the_digest(monitor, monkeypatch):
    monitor.configure(LowBalanceThreshold="CNY=90")
    monitor.deepseek.set_balance("CNY", topped_up="100.00")
    two_days(monitor)
    monitor.alerts()
    topic = KeptMessages()
    monitor.replace(alerts=topic)
    digest(monitor)
    [message] = topic.messages

    with FakeSlackWebhook() as slack:
        SlackNotifier(slack, monkeypatch).deliver(message)

    [payload] = slack.payloads
    assert block_kit_problems(payload) == []
    assert payload["text"] == message.subject
    blocks = json.dumps(payload["attachments"][0]["blocks"], ensure_ascii=False)
    assert "balance low (warning): since Sat 21 Nov 18:00, still at the end, 1 day 6 hours" in blocks
    assert "`██`" in blocks
