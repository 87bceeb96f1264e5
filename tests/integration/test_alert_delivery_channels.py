"""Each kind of subscriber gets its own rendering of every alert: email text, the JSON
document over SQS, Chatbot's format over HTTP(S), and Block Kit in Slack through the
notifier function; subscription filter policies route by severity."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters import SecretsProvider

import slack_app
from balance_monitor.adapters.alert_topic import AlertTopic, sns_message
from balance_monitor.adapters.secrets import webhook_secret
from balance_monitor.adapters.slack_webhook import SlackWebhook
from balance_monitor.alert_lifecycle import CheckOutcome, Notification, NotificationKind, Observation, Status
from balance_monitor.alert_messages import SCHEMA, AlertMessage, email_text, render_alert
from balance_monitor.balance import BalanceReport, CurrencyBalance, Thresholds
from balance_monitor.errors import SlackDeliveryError
from sandbox.aws import load_template
from sandbox.lambda_context import LambdaContext
from sandbox.loopback_http import LoopbackServer, Reply, SeenRequest
from sandbox.slack_webhook import WEBHOOK_PATH, FakeSlackWebhook
from tests.support.block_kit import block_kit_problems

SNS_EVENT = Path(__file__).resolve().parents[2] / "events" / "sns-alert.json"
AT = datetime(2026, 11, 25, 8, 15, tzinfo=UTC)
THRESHOLDS = Thresholds(per_currency={"CNY": Decimal(50)})
CRITICAL = Thresholds(per_currency={"CNY": Decimal(10)})
LOW = BalanceReport(True, {"CNY": CurrencyBalance("CNY", Decimal("40.00"), Decimal("0.00"), Decimal("40.00"))})
CRITICALLY_LOW = BalanceReport(True, {"CNY": CurrencyBalance("CNY", Decimal("4.00"), Decimal("0.00"), Decimal("4.00"))})
HEALTHY = BalanceReport(True, {"CNY": CurrencyBalance("CNY", Decimal("140.00"), Decimal("0.00"), Decimal("140.00"))})
CASES = {
    "low": (Status.LOW, NotificationKind.ALERT, Observation(CheckOutcome.OK, report=LOW)),
    "critically_low": (
        Status.CRITICALLY_LOW,
        NotificationKind.ALERT,
        Observation(CheckOutcome.OK, report=CRITICALLY_LOW),
    ),
    "unavailable": (Status.UNAVAILABLE, NotificationKind.ALERT, Observation(CheckOutcome.INSUFFICIENT_BALANCE)),
    "key_rejected": (Status.KEY_REJECTED, NotificationKind.ALERT, Observation(CheckOutcome.KEY_REJECTED, error="401")),
    "misconfigured": (
        Status.MISCONFIGURED,
        NotificationKind.ALERT,
        Observation(CheckOutcome.MISCONFIGURED, error="LowBalanceThreshold: LOW_BALANCE_THRESHOLD='x' is invalid"),
    ),
    "failing": (Status.FAILING, NotificationKind.ALERT, Observation(CheckOutcome.FAILED, error="HTTP 503")),
    "reminder": (Status.LOW, NotificationKind.REMINDER, Observation(CheckOutcome.OK, report=LOW)),
    "recovery": (Status.HEALTHY, NotificationKind.RECOVERY, Observation(CheckOutcome.OK, report=HEALTHY)),
}


def alert(case: str) -> AlertMessage:
    status, kind, observation = CASES[case]
    previous = Status.LOW if kind is NotificationKind.RECOVERY else Status.HEALTHY
    notification = Notification(kind, status, previous, AT, AT, observation, 3)
    return render_alert(notification, account="default", thresholds=THRESHOLDS, critical_thresholds=CRITICAL)


class HttpsSubscriber(LoopbackServer):
    """An HTTP(S) subscriber of the topic, such as AWS Chatbot: takes everything, keeps it."""

    def answer(self, request: SeenRequest) -> Reply:
        return Reply(200, b"")

    def messages(self) -> list[dict[str, Any]]:
        envelopes = [json.loads(request.body) for request in self.requests]
        return [json.loads(envelope["Message"]) for envelope in envelopes if envelope["Type"] == "Notification"]


@pytest.fixture
def https_subscriber(stack):
    with HttpsSubscriber() as subscriber:
        boto3.client("sns").subscribe(TopicArn=stack.topic_arn, Protocol="http", Endpoint=subscriber.base_url)
        yield subscriber


@pytest.mark.parametrize("case", CASES)
def test_each_subscriber_type_gets_its_rendering(stack, https_subscriber, case):
    message = alert(case)

    AlertTopic(boto3.client("sns"), stack.topic_arn).publish(message)

    [received] = stack.received_alerts()  # SQS: the versioned JSON document
    assert received.document == message.document
    assert (received.document["schema"], received.document["version"]) == (SCHEMA, 1)
    assert received.attributes == message.attributes
    [chatbot] = https_subscriber.messages()  # HTTP(S), where AWS Chatbot subscribes
    assert (chatbot["version"], chatbot["source"]) == ("1.0", "custom")
    assert chatbot["content"]["title"].endswith(message.subject.removeprefix("[DeepSeek] "))
    per_protocol = json.loads(sns_message(message))
    assert per_protocol["email"] == email_text(message.document) == message.body  # email: text for people
    assert json.loads(per_protocol["lambda"]) == message.document


def test_the_email_shows_the_action_for_the_state():
    assert "https://platform.deepseek.com/top_up" in alert("low").body
    assert "rotate a key" in alert("key_rejected").body
    assert "https://platform.deepseek.com/api_keys" in alert("key_rejected").body
    assert "Nothing: the account can serve API calls" in alert("recovery").body


def _email_filter_policy() -> dict[str, Any]:
    properties = load_template()["Resources"]["AlertEmailSubscription"]["Properties"]
    condition, critical_only, _ = properties["FilterPolicy"]["Fn::If"]
    assert condition == "EmailCriticalOnly"
    return critical_only


def test_critical_only_email_gets_critical_alerts_recoveries_and_alarms_but_no_warnings(stack):
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    queue = sqs.create_queue(QueueName="critical-only")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(
        TopicArn=stack.topic_arn,
        Protocol="sqs",
        Endpoint=arn,
        Attributes={"FilterPolicy": json.dumps(_email_filter_policy())},
    )
    topic = AlertTopic(sns, stack.topic_arn)
    for case in ("low", "reminder", "critically_low", "unavailable", "misconfigured", "failing", "recovery"):
        topic.publish(alert(case))
    sns.publish(TopicArn=stack.topic_arn, Message=json.dumps({"AlarmName": "failed-invocations"}))

    got = []
    while messages := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages"):
        for item in messages:
            got.append(json.loads(json.loads(item["Body"])["Message"]).get("state", "alarm"))
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=item["ReceiptHandle"])

    assert sorted(got) == ["alarm", "critically_low", "failing", "healthy", "misconfigured", "unavailable"]
    assert len(stack.received_alerts()) == 8  # the unfiltered subscriber, standing in for Slack, got all


class SlackNotifier:
    """The Slack function as Lambda runs it, its webhook URL in Secrets Manager."""

    def __init__(self, slack: FakeSlackWebhook, monkeypatch: pytest.MonkeyPatch) -> None:
        self.slack = slack
        self.sleeps: list[float] = []
        secrets = boto3.client("secretsmanager")
        secret_arn = secrets.create_secret(Name="slack-webhook", SecretString=slack.webhook_url)["ARN"]
        monkeypatch.setenv("SLACK_WEBHOOK_SECRET_ID", secret_arn)
        url = webhook_secret(secret_arn, SecretsProvider(boto3_client=secrets))
        webhook = SlackWebhook(url, sleep=self.sleeps.append)
        monkeypatch.setattr(slack_app, "collaborators", lambda: slack_app.SlackCollaborators(webhook))

    def deliver(self, message: AlertMessage) -> dict[str, Any]:
        """What SNS hands the function: the "lambda" rendering, in events/sns-alert.json's shape."""
        event = json.loads(SNS_EVENT.read_text())
        sns = event["Records"][0]["Sns"]
        sns["Subject"] = message.subject
        sns["Message"] = json.loads(sns_message(message))["lambda"]
        sns["MessageAttributes"] = {name: {"Type": "String", "Value": v} for name, v in message.attributes.items()}
        return slack_app.lambda_handler(event, LambdaContext(timeout_seconds=30))


@pytest.fixture
def notifier(stack, monkeypatch):
    parameters.clear_caches()
    with FakeSlackWebhook() as slack:
        yield SlackNotifier(slack, monkeypatch)


@pytest.mark.parametrize("case", CASES)
def test_slack_gets_valid_block_kit_for_every_alert_and_the_recovery(notifier, case):
    message = alert(case)

    assert notifier.deliver(message) == {"posted": 1}

    [payload] = notifier.slack.payloads
    assert block_kit_problems(payload) == []
    assert payload["text"] == message.subject
    blocks = json.dumps(payload["attachments"][0]["blocks"])
    assert f"{message.document['state']} ({message.document['severity']})" in blocks


def test_the_sample_event_for_sam_local_invoke_renders(notifier):
    event = json.loads(SNS_EVENT.read_text())

    slack_app.lambda_handler(event, LambdaContext(timeout_seconds=30))

    [payload] = notifier.slack.payloads
    assert block_kit_problems(payload) == []


def test_slack_rate_limits_are_waited_out_as_retry_after_asks(notifier):
    notifier.slack.then(Reply(429, b"rate_limited", {"Retry-After": "7"}), Reply(503))

    notifier.deliver(alert("low"))

    assert notifier.sleeps[0] == 7.0
    assert len(notifier.sleeps) == 2
    assert len(notifier.slack.payloads) == 1


def test_a_message_slack_never_takes_fails_the_invocation_for_the_undelivered_queue(notifier, captured_logs):
    notifier.slack.then(*[Reply(500)] * 4)

    with pytest.raises(SlackDeliveryError, match="Slack answered HTTP 500"):
        notifier.deliver(alert("failing"))

    assert len(notifier.slack.requests) == 4
    assert notifier.slack.payloads == []
    logs = captured_logs()
    assert '"message":"could not post to Slack"' in logs
    assert WEBHOOK_PATH not in logs
    assert "s3cr3t" not in logs


def test_a_refused_payload_is_not_retried(notifier):
    notifier.slack.then(Reply(400, b"invalid_payload", {"Content-Type": "text/plain"}))

    with pytest.raises(SlackDeliveryError, match=r"HTTP 400 \(invalid_payload\)"):
        notifier.deliver(alert("low"))

    assert len(notifier.slack.requests) == 1


def test_an_unreachable_slack_never_reveals_the_webhook_url(notifier, captured_logs):
    notifier.slack.__exit__()  # Slack is gone

    with pytest.raises(SlackDeliveryError) as error:
        notifier.deliver(alert("low"))

    assert str(error.value) == "could not reach Slack"
    assert error.value.__cause__ is None
    assert error.value.__suppress_context__
    assert "s3cr3t" not in captured_logs()


def test_the_undelivered_queue_and_its_alarm_are_wired_in_the_template():
    resources = load_template()["Resources"]
    function = resources["SlackNotifierFunction"]

    assert function["Condition"] == "HasSlack"
    assert function["Properties"]["Events"]["Alerts"] == {"Type": "SNS", "Properties": {"Topic": {"Ref": "AlertTopic"}}}
    on_failure = function["Properties"]["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]
    assert on_failure == {"Type": "SQS", "Destination": {"Fn::GetAtt": ["SlackUndeliveredQueue", "Arn"]}}
    alarm = resources["SlackUndeliveredAlarm"]["Properties"]
    assert alarm["Dimensions"][0]["Value"] == {"Fn::GetAtt": ["SlackUndeliveredQueue", "QueueName"]}
    assert alarm["AlarmActions"] == [{"Ref": "AlertTopic"}]


def test_with_the_snooze_endpoint_alerts_in_slack_carry_the_snooze_buttons(stack, monkeypatch):
    parameters.clear_caches()
    with FakeSlackWebhook() as slack:
        notifier = SlackNotifier(slack, monkeypatch)
        webhook = slack_app.collaborators().webhook
        monkeypatch.setattr(slack_app, "collaborators", lambda: slack_app.SlackCollaborators(webhook, True))

        notifier.deliver(alert("low"))
        notifier.deliver(alert("recovery"))

    low, recovery = slack.payloads
    assert block_kit_problems(low) == []
    [actions] = [block for block in low["attachments"][0]["blocks"] if block["type"] == "actions"]
    assert [button["text"]["text"] for button in actions["elements"]] == ["Snooze 24 h", "Snooze until top-up"]
    assert json.loads(actions["elements"][0]["value"]) == {"account": "default", "state": "low"}
    assert all(block["type"] != "actions" for block in recovery["attachments"][0]["blocks"])  # nothing to snooze
