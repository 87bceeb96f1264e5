"""The notifier (notifier_app.py) as Lambda runs it, its destinations in Secrets Manager (moto):
what each service would receive through Apprise, with the HTTP intercepted below Apprise
(`responses`), checked against each service's documented payload and limits; the signed JSON
webhook against a receiver on 127.0.0.1 that verifies it as docs/channels.md tells; retries,
independence of destinations, the undelivered queue, and no URL or token anywhere."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest
import responses
from aws_lambda_powertools.utilities import parameters
from moto import mock_aws

import notifier_app
from balance_monitor.alert_lifecycle import CheckOutcome, Notification, NotificationKind, Observation, Status
from balance_monitor.alert_messages import render_alert
from balance_monitor.balance import BalanceReport, CurrencyBalance, Thresholds
from balance_monitor.destination_delivery import Channels
from balance_monitor.destinations import parse_destinations
from balance_monitor.errors import DestinationsConfigurationError
from sandbox.aws import load_template
from sandbox.lambda_context import LambdaContext
from sandbox.loopback_http import LoopbackServer, Reply, SeenRequest
from tests.integration.conftest import SECRET_PATTERN, assert_no_secret_in

ROOT = Path(__file__).resolve().parents[2]
AT = datetime(2026, 11, 25, 8, 15, tzinfo=UTC)
# Every token here holds "s3cr3t", which SECRET_PATTERN finds wherever it leaks.
URLS = {
    "teams": "workflows://prod-00.westus.logic.azure.com:443/a1b2c3workflow/s3cr3tSignature",
    "discord": "discord://112233445566/s3cr3tDiscordToken",
    "telegram": "tgram://123456789:s3cr3tTelegramToken/-100987654",
    "feishu": "feishu://s3cr3tFeishuToken",
    "dingtalk": "dingtalk://SECs3cr3tSigningKey@s3cr3tDingTalkToken/",
    "wecom": "wecombot://s3cr3tWeComKey",
    "ntfy": "ntfys://tk_s3cr3tNtfyToken@ntfy.example.com/balance-alerts",
    "pagerduty": "pagerduty://s3cr3tIntegrationKey@s3cr3tApiKey",
}


def notification(status: Status, kind: NotificationKind, report: BalanceReport | None, error: str | None = None):
    previous = Status.LOW if kind is NotificationKind.RECOVERY else Status.HEALTHY
    observation = Observation(CheckOutcome.OK if report else CheckOutcome.FAILED, report=report, error=error)
    return render_alert(
        Notification(kind, status, previous, AT, AT, observation, 3),
        account="prod",
        thresholds=Thresholds(per_currency={"CNY": Decimal(50)}),
        critical_thresholds=Thresholds(per_currency={"CNY": Decimal(10)}),
    )


def balance(amount: str) -> BalanceReport:
    return BalanceReport(True, {"CNY": CurrencyBalance("CNY", Decimal(amount), Decimal(0), Decimal(amount))})


LOW = notification(Status.LOW, NotificationKind.ALERT, balance("40.00"))
CRITICAL = notification(Status.CRITICALLY_LOW, NotificationKind.ALERT, balance("4.00"))
RECOVERY = notification(Status.HEALTHY, NotificationKind.RECOVERY, balance("140.00"))
# A failing check whose error is long and full of markup: it must be escaped and cut, never break.
NOISY = notification(Status.FAILING, NotificationKind.ALERT, None, error="<b>*_[x](y)`&amp;" * 300)
# A message from outside the monitor, longer than any service takes, markup on every line.
LONG = "\n".join(f"line {number}: <b>*_[x](y)`&amp; 日本語" for number in range(400))


def sns_event(message: Any, *, index: int = 0) -> dict[str, Any]:
    if isinstance(message, str):
        return {"Records": [{"Sns": {"MessageId": f"message-{index}", "Subject": "Long message", "Message": message}}]}
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": f"message-{index}",
                    "Subject": message.subject,
                    "Message": json.dumps(message.document),
                    "MessageAttributes": {
                        name: {"Type": "String", "Value": value} for name, value in message.attributes.items()
                    },
                },
            }
        ]
    }


class Notifier:
    """The notifier function with the template's environment: its destinations secret and
    undelivered queue in moto; backoff sleeps recorded, not slept."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sleeps: list[float] = []
        self.queue_url = boto3.client("sqs").create_queue(QueueName="notifier-undelivered")["QueueUrl"]
        self.secret_id = "deepseek-monitor/notifications"
        boto3.client("secretsmanager").create_secret(Name=self.secret_id, SecretString='{"destinations": []}')
        environment = RESOURCES["NotifierFunction"]["Properties"]["Environment"]["Variables"]
        assert set(environment) == {
            "NOTIFICATION_URLS_SECRET_ID",
            "UNDELIVERED_QUEUE_URL",
            "POWERTOOLS_LOG_LEVEL",
            "POWERTOOLS_TRACE_DISABLED",
        }
        monkeypatch.setenv("NOTIFICATION_URLS_SECRET_ID", self.secret_id)
        monkeypatch.setenv("UNDELIVERED_QUEUE_URL", self.queue_url)
        notifier_app.collaborators.cache_clear()
        built = notifier_app.collaborators()
        self.collaborators = notifier_app.NotifierCollaborators(
            built.destinations, built.undelivered, Channels(sleep=self.sleeps.append)
        )
        monkeypatch.setattr(notifier_app, "collaborators", lambda: self.collaborators)

    def destinations(self, *entries: dict[str, Any]) -> None:
        boto3.client("secretsmanager").put_secret_value(
            SecretId=self.secret_id, SecretString=json.dumps({"destinations": list(entries)})
        )
        parameters.clear_caches()

    def invoke(self, message: Any = LOW) -> dict[str, Any]:
        return notifier_app.lambda_handler(sns_event(message), LambdaContext(timeout_seconds=60))

    def undelivered(self) -> list[dict[str, Any]]:
        sqs = boto3.client("sqs")
        messages = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages", [])
        return [json.loads(message["Body"]) for message in messages]


RESOURCES = load_template()["Resources"]


@pytest.fixture
def notifier(monkeypatch) -> Iterator[Notifier]:
    parameters.clear_caches()
    with mock_aws():
        notifier = Notifier(monkeypatch)
        yield notifier
        assert_no_secret_in(json.dumps(notifier.undelivered()), "the undelivered queue")
    parameters.clear_caches()


@pytest.fixture
def services() -> Iterator[responses.RequestsMock]:
    """Every HTTPS request Apprise makes, answered 200 unless a test says otherwise; loopback
    requests (the signed webhook's receiver) go through."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_passthru(re.compile(r"http://127\.0\.0\.1"))
        yield mock


def answer(mock: responses.RequestsMock, host: str, *statuses: int, body: str = "{}") -> None:
    """Answer POSTs to `host` with these statuses in order, then 200."""
    pattern = re.compile(rf"https://{re.escape(host)}[:/].*")
    for status in statuses:
        mock.add(responses.POST, pattern, status=status, body=body)
    mock.add(responses.POST, pattern, status=200, body=body)


def sent(mock: responses.RequestsMock, host: str) -> list[Any]:
    return [call.request for call in mock.calls if urllib.parse.urlsplit(call.request.url).hostname == host]


def body_of(request: Any) -> dict[str, Any]:
    return json.loads(request.body)


# --- each service, as its documentation describes what it takes ------------------------------------


def test_teams_gets_an_adaptive_card_through_the_workflows_webhook(notifier, services):
    host = "prod-00.westus.logic.azure.com"
    answer(services, host, body="")
    notifier.destinations({"url": URLS["teams"]})

    notifier.invoke()

    [request] = sent(services, host)
    assert urllib.parse.urlsplit(request.url).path == "/workflows/a1b2c3workflow/triggers/manual/paths/invoke"
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(request.url).query)["sig"] == ["s3cr3tSignature"]
    [attachment] = body_of(request)["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["$schema"]) == ("AdaptiveCard", "http://adaptivecards.io/schemas/adaptive-card.json")
    blocks = {block.get("id"): block for block in card["body"]}
    assert blocks["title"]["text"] == "⚠️ Balance low for account prod: CNY 40.00 < 50.00"
    assert "**Account:** prod" in blocks["body"]["text"]
    assert "CNY 40.00" in blocks["body"]["text"]
    assert "**What to do:**" in blocks["body"]["text"]
    assert len(json.dumps(body_of(request)).encode()) < 28 * 1024  # Teams' message size limit


def test_discord_gets_markdown_content_within_2000_characters(notifier, services):
    answer(services, "discord.com", body="")
    notifier.destinations({"url": URLS["discord"]})

    notifier.invoke(NOISY)
    notifier.invoke(LONG)

    alert, long = [body_of(request)["content"] for request in sent(services, "discord.com")]
    assert (
        urllib.parse.urlsplit(sent(services, "discord.com")[0].url).path
        == "/api/webhooks/112233445566/s3cr3tDiscordToken"
    )
    assert alert.startswith("**🚨 Monitor failing for account prod")
    assert "\\<b\\>\\*\\_\\[x\\](y)\\`&amp;" in alert  # the error's markup, escaped
    assert len(long) <= 2000 < len(LONG)
    assert long.startswith("**Long message**\n")
    assert long.endswith("\n…")
    assert all(line.endswith("&amp; 日本語  ") for line in long.splitlines()[1:-1])  # whole lines, whole escapes


def test_telegram_gets_html_within_4096_characters_with_every_tag_closed(notifier, services):
    answer(services, "api.telegram.org", body='{"ok": true, "result": {}}')
    notifier.destinations({"url": URLS["telegram"]})

    notifier.invoke(NOISY)
    notifier.invoke(LONG)

    alert, long = sent(services, "api.telegram.org")
    assert urllib.parse.urlsplit(alert.url).path == "/bot123456789:s3cr3tTelegramToken/sendMessage"
    payload = body_of(alert)
    assert (str(payload["chat_id"]), payload["parse_mode"]) == ("-100987654", "HTML")
    assert payload["text"].startswith("<b>🚨 Monitor failing for account prod")
    assert "&lt;b&gt;*_[x](y)`&amp;amp;" in payload["text"]  # the error's markup, escaped
    text = body_of(long)["text"]
    assert len(text) <= 4096 < len(LONG)  # Apprise sends Telegram's newlines as \r\n: they count twice
    assert text.count("<b>") == text.count("</b>") == 1
    assert text.endswith("\n…")
    assert all(line.endswith("&amp;amp; 日本語") for line in text.splitlines()[1:-1])  # never cut inside an entity


def test_feishu_gets_an_interactive_card_with_its_title(notifier, services):
    answer(services, "open.feishu.cn", body='{"code": 0}')
    notifier.destinations({"url": URLS["feishu"]})

    notifier.invoke(CRITICAL)

    [request] = sent(services, "open.feishu.cn")
    assert urllib.parse.urlsplit(request.url).path == "/open-apis/bot/v2/hook/s3cr3tFeishuToken/"
    payload = body_of(request)
    assert payload["msg_type"] == "interactive"
    header = payload["card"]["header"]
    assert header["title"] == {
        "tag": "plain_text",
        "content": "🚨 Balance critically low for account prod: CNY 4.00 < 10.00",
    }
    [element] = payload["card"]["elements"]
    assert element["text"]["tag"] == "lark_md"
    assert "CNY 4.00" in element["text"]["content"]
    assert len(request.body) < 20 * 1024  # Feishu's request body limit


def test_dingtalk_gets_markdown_signed_with_the_robots_secret(notifier, services):
    answer(services, "oapi.dingtalk.com", body='{"errcode": 0}')
    notifier.destinations({"url": URLS["dingtalk"]})

    before = int(time.time() * 1000)
    notifier.invoke()

    [request] = sent(services, "oapi.dingtalk.com")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(request.url).query)
    assert query["access_token"] == ["s3cr3tDingTalkToken"]
    # DingTalk's check: sign = urlencode(base64(HMAC-SHA256(secret, "<timestamp ms>\n<secret>"))), the
    # timestamp within an hour of the server's clock.
    timestamp = query["timestamp"][0]
    assert abs(int(timestamp) - before) < 3_600_000
    secret = "SECs3cr3tSigningKey"
    expected = base64.b64encode(hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest())
    assert urllib.parse.unquote(query["sign"][0]) == expected.decode()
    payload = body_of(request)
    assert payload["msgtype"] == "markdown"
    assert payload["markdown"]["title"] == "⚠️ Balance low for account prod: CNY 40.00 < 50.00"
    assert payload["markdown"]["text"].startswith("# ⚠️ Balance low for account prod")


def test_wecom_gets_text_within_2048_bytes_of_utf8(notifier, services):
    answer(services, "qyapi.weixin.qq.com", body='{"errcode": 0}')
    notifier.destinations({"url": URLS["wecom"]})

    notifier.invoke(LONG)
    notifier.invoke(NOISY)

    long, request = sent(services, "qyapi.weixin.qq.com")
    assert len(body_of(long)["text"]["content"].encode()) <= 2048 < len(LONG.encode())
    assert body_of(long)["text"]["content"].endswith("日本語\n…")  # a whole line: no character split
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(request.url).query)["key"] == ["s3cr3tWeComKey"]
    payload = body_of(request)
    assert payload["msgtype"] == "text"
    content = payload["text"]["content"]
    assert len(content.encode("utf-8")) <= 2048  # WeCom counts bytes of UTF-8
    assert content.startswith("🚨 Monitor failing for account prod")
    assert "ALERT: monitor failing for account prod." in content  # the email's text


def test_ntfy_gets_a_title_and_a_text_message_within_4096_bytes(notifier, services):
    answer(services, "ntfy.example.com")
    notifier.destinations({"url": URLS["ntfy"]})

    notifier.invoke(LONG)
    notifier.invoke(NOISY)

    long, request = sent(services, "ntfy.example.com")
    assert len(body_of(long)["message"].encode()) <= 4096 < len(LONG.encode())
    assert request.headers["Authorization"] == "Bearer tk_s3cr3tNtfyToken"
    payload = body_of(request)
    assert payload["topic"] == "balance-alerts"
    assert payload["title"] == "🚨 Monitor failing for account prod: 3 checks failed"
    assert payload["message"].startswith("ALERT: monitor failing for account prod.")


def test_pagerduty_gets_an_event_whose_summary_fits_1024_characters(notifier, services):
    answer(services, "events.pagerduty.com", 202)
    answer(services, "events.pagerduty.com")
    notifier.destinations({"url": URLS["pagerduty"]})

    notifier.invoke(CRITICAL)

    request = sent(services, "events.pagerduty.com")[0]
    assert request.url == "https://events.pagerduty.com/v2/enqueue"
    payload = body_of(request)
    assert payload["routing_key"] == "s3cr3tIntegrationKey"
    assert payload["event_action"] == "trigger"
    assert payload["payload"]["severity"] == "critical"
    assert len(payload["payload"]["summary"]) <= 1024
    assert payload["payload"]["summary"].startswith("🚨 Balance critically low for account prod")


# --- routing, retries, independence, the undelivered queue ---------------------------------------------


def test_destinations_take_only_the_severities_and_accounts_they_ask_for_and_every_recovery(notifier, services):
    answer(services, "discord.com")
    answer(services, "qyapi.weixin.qq.com", body='{"errcode": 0}')
    notifier.destinations(
        {"url": URLS["discord"], "min_severity": "critical"},
        {"url": URLS["wecom"], "accounts": ["staging"]},
    )

    assert notifier.invoke(LOW) == {"sent": 0, "undelivered": 0, "skipped": 2}
    assert notifier.invoke(CRITICAL) == {"sent": 1, "undelivered": 0, "skipped": 1}
    assert notifier.invoke(RECOVERY) == {"sent": 1, "undelivered": 0, "skipped": 1}  # recoveries pass min_severity
    assert len(sent(services, "discord.com")) == 2
    assert sent(services, "qyapi.weixin.qq.com") == []


def test_a_temporary_failure_is_retried_and_a_refusal_is_not(notifier, services):
    answer(services, "discord.com", 502, 503)
    answer(services, "qyapi.weixin.qq.com", 400, 400, 400, body='{"errcode": 93000}')
    notifier.destinations({"url": URLS["discord"]}, {"url": URLS["wecom"]})

    assert notifier.invoke() == {"sent": 1, "undelivered": 1, "skipped": 0}

    assert len(sent(services, "discord.com")) == 3  # 429, 503, then delivered
    assert len(sent(services, "qyapi.weixin.qq.com")) == 1  # 400 is final
    assert len(notifier.sleeps) == 2
    [kept] = notifier.undelivered()
    assert kept["destination"] == "destinations[1] (wecombot://)"
    assert kept["error"] == "the service answered HTTP 400"
    assert json.loads(kept["message"])["state"] == "low"


def test_one_destination_down_holds_back_no_other_and_a_retry_would_not_resend(notifier, services, captured_logs):
    answer(services, "discord.com", 500, 500, 500)
    answer(services, "ntfy.example.com")
    notifier.destinations({"url": URLS["discord"], "name": "ops discord"}, {"url": URLS["ntfy"]})

    summary = notifier.invoke()  # returns: Lambda has nothing to retry

    assert summary == {"sent": 1, "undelivered": 1, "skipped": 0}
    assert len(sent(services, "ntfy.example.com")) == 1
    [kept] = notifier.undelivered()
    assert kept["destination"] == "destinations[0] 'ops discord' (discord://)"
    assert kept["error"] == "the service answered HTTP 500"
    logs = captured_logs()
    assert '"message":"could not deliver to a destination"' in logs
    assert "ntfy.example.com" not in logs
    assert "112233445566" not in logs


def test_an_unreachable_service_is_retried_then_kept(notifier, services):
    import requests

    services.add(responses.POST, re.compile(r"https://discord\.com/.*"), body=requests.ConnectionError("refused"))
    notifier.destinations({"url": URLS["discord"]})

    notifier.invoke()

    [kept] = notifier.undelivered()
    assert kept["error"] == "could not reach the service"
    assert len(sent(services, "discord.com")) == 3


def test_an_unusable_entry_is_reported_by_its_index_without_its_url_and_the_others_still_get_it(notifier, services):
    answer(services, "ntfy.example.com")
    notifier.destinations(
        {"url": URLS["discord"], "min_severity": "warn"},
        {"url": "tgram://not-a-token-s3cr3t"},
        {"url": URLS["ntfy"]},
    )

    assert notifier.invoke() == {"sent": 1, "undelivered": 2, "skipped": 0}

    first, second = sorted(notifier.undelivered(), key=lambda kept: kept["destination"])
    assert first["error"] == "destinations[0]: \"min_severity\" 'warn' is not one of info, warning, critical"
    assert second["destination"] == "destinations[1] (tgram://)"
    assert second["error"].startswith("Apprise does not take this URL")


def test_a_secret_that_is_not_a_list_of_destinations_fails_the_invocation_for_lambdas_retry(notifier, services):
    boto3.client("secretsmanager").put_secret_value(SecretId=notifier.secret_id, SecretString="discord://1/s3cr3t")
    parameters.clear_caches()

    with pytest.raises(DestinationsConfigurationError, match="not valid JSON") as error:
        notifier.invoke()

    assert not SECRET_PATTERN.search(str(error.value))
    assert sent(services, "discord.com") == []


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"url": 5}, 'has no "url" string'),
        ({"url": "discord://1/s3cr3t x"}, '"url" contains spaces or control characters'),
        ({"url": "s3cr3t"}, '"url" is not a URL: it needs a scheme, such as discord:// or https://'),
        ({"url": "discord://1/s3cr3t", "accounts": "prod"}, '"accounts" is not a non-empty list of account names'),
        ({"url": "discord://1/s3cr3t", "colour": "red"}, "has unknown fields colour"),
        (
            {"url": "https://hooks.example.com/s3cr3t", "format": "json"},
            'a "json" destination needs a "signing_secret"',
        ),
        (
            {"url": "http://hooks.example.com/s3cr3t", "format": "json", "signing_secret": "x" * 32},
            'a "json" destination needs an https URL',
        ),
        ({"url": "discord://1/s3cr3t", "signing_secret": "x" * 32}, '"signing_secret" goes with "format": "json" only'),
        ({"url": "discord://1/s3cr3t", "format": "xml"}, '"format" takes only "json"'),
    ],
)
def test_each_unusable_entry_says_why_without_quoting_its_url(entry, problem):
    [destination] = parse_destinations(json.dumps({"destinations": [entry]}))

    assert destination.problem is not None
    assert destination.problem.startswith(f"destinations[0]: {problem}")
    assert "s3cr3t" not in destination.problem
    assert "s3cr3t" not in destination.label


def test_the_undelivered_queue_and_its_alarm_are_wired_in_the_template():
    function = RESOURCES["NotifierFunction"]
    alarm = RESOURCES["NotifierUndeliveredAlarm"]["Properties"]

    assert function["Condition"] == "HasNotifier"
    assert function["Properties"]["Events"]["Alerts"]["Properties"]["Topic"] == {"Ref": "AlertTopic"}
    on_failure = function["Properties"]["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]
    assert on_failure == {"Type": "SQS", "Destination": {"Fn::GetAtt": ["NotifierUndeliveredQueue", "Arn"]}}
    assert alarm["Dimensions"][0]["Value"] == {"Fn::GetAtt": ["NotifierUndeliveredQueue", "QueueName"]}
    assert alarm["AlarmActions"] == [{"Ref": "AlertTopic"}]
    [policy] = RESOURCES["NotifierRole"]["Properties"]["Policies"]
    [read] = [s for s in policy["PolicyDocument"]["Statement"] if s["Action"] == "secretsmanager:GetSecretValue"]
    assert read["Resource"]["Fn::Sub"].endswith(":secret:${NotificationUrlsSecretName}-??????")


# --- the signed webhook, verified by a receiver as docs/channels.md tells it to -------------------------

SIGNING_SECRET = "s3cr3t-signing-0123456789abcdef"


def documented_verify():
    """The receiver's verification, run from docs/channels.md itself."""
    page = (ROOT / "docs" / "channels.md").read_text()
    code = re.search(r"```python\n(.*?)```", page[page.index("## Signed webhooks") :], re.S)[1]
    assert len(code.strip().splitlines()) <= 12
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # noqa: S102 - our own documentation's example
    return namespace["verify"]


class VerifyingReceiver(LoopbackServer):
    """A machine receiving the signed webhook: 200 for what it verifies, 401 for anything else."""

    def __init__(self) -> None:
        super().__init__()
        self.verify = documented_verify()
        self.verified: list[dict[str, Any]] = []

    def __enter__(self) -> VerifyingReceiver:
        super().__enter__()
        return self

    def answer(self, request: SeenRequest) -> Reply:
        scripted = self.scripted_reply()
        if scripted:
            return scripted
        if not self.verify(SIGNING_SECRET, request.headers, request.body):
            return Reply(401, b"bad signature")
        self.verified.append(json.loads(request.body))
        return Reply(200, b"{}")


@pytest.fixture
def receiver() -> Iterator[VerifyingReceiver]:
    with VerifyingReceiver() as server:
        yield server


def test_a_signed_webhook_receives_the_alert_document_which_the_documented_check_verifies(notifier, receiver):
    notifier.destinations({"url": receiver.base_url + "/hook", "format": "json", "signing_secret": SIGNING_SECRET})

    assert notifier.invoke() == {"sent": 1, "undelivered": 0, "skipped": 0}

    [request] = receiver.requests
    assert (request.method, request.path, request.headers["Content-Type"]) == ("POST", "/hook", "application/json")
    assert json.loads(request.body) == json.loads(json.dumps(LOW.document))  # the document itself
    assert receiver.verified[0]["schema"] == "deepseek-balance-monitor/alert"
    assert re.fullmatch(r"sha256=[0-9a-f]{64}", request.headers["X-Signature-256"])


def test_the_documented_check_refuses_a_tampered_body_another_secret_and_a_replay(receiver):
    from balance_monitor.adapters.signed_webhook import signature_headers

    body = json.dumps(LOW.document).encode()
    now = int(time.time())
    headers = signature_headers(SIGNING_SECRET, body, now)
    verify = receiver.verify

    assert verify(SIGNING_SECRET, headers, body)
    lower_cased = {name.lower(): value for name, value in headers.items()}  # as a function URL passes them
    assert verify(SIGNING_SECRET, lower_cased, body)
    assert not verify(SIGNING_SECRET, headers, body.replace(b"40.00", b"400.00"))
    assert not verify("another-secret-entirely", headers, body)
    assert not verify(SIGNING_SECRET, {**headers, "X-Signature-Timestamp": str(now + 1)}, body)
    assert not verify(SIGNING_SECRET, {**headers, "X-Signature-Timestamp": "²"}, body)  # refused, not a crash
    old = signature_headers(SIGNING_SECRET, body, now - 301)  # a recording replayed five minutes on
    assert not verify(SIGNING_SECRET, old, body)


def test_a_signed_webhook_is_retried_on_503_then_kept_when_it_refuses(notifier, receiver, captured_logs):
    receiver.then(Reply(503, b"", {"Retry-After": "1"}))
    notifier.destinations({"url": receiver.base_url + "/hook", "format": "json", "signing_secret": SIGNING_SECRET})

    notifier.invoke()
    assert len(receiver.verified) == 1
    assert notifier.sleeps == [1.0]

    receiver.then(Reply(410, b"gone"))
    notifier.invoke()
    [kept] = notifier.undelivered()
    assert kept["error"] == "the webhook answered HTTP 410"
    assert kept["destination"] == "destinations[0] (http://127.0.0.1)"
    assert "/hook" not in captured_logs()
