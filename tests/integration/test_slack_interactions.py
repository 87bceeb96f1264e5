"""The snooze endpoint as Lambda's function URL runs it, against moto, with Slack's response URL
played by a server on 127.0.0.1: a click Slack signed makes the silence and is answered in the
alert's thread; forged, replayed and malformed requests are refused and touch no table."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters

import slack_interactions
from balance_monitor.adapters.silence_store import SilenceStore
from balance_monitor.channel_settings import SlackInteractionSettings
from balance_monitor.chat_messages import SNOOZE_24H, SNOOZE_UNTIL_TOP_UP, snooze_value
from balance_monitor.silences import MAX_ACTIVE
from sandbox.aws import function_environment, load_template
from sandbox.lambda_context import LambdaContext
from sandbox.loopback_http import LoopbackServer, Reply, SeenRequest

from ..test_template import _as_list
from .conftest import record_aws_calls

# Like the webhook's token, it holds "s3cr3t": every test's log scan would catch it leaking.
SIGNING_SECRET = "s3cr3t5ign1ng0f7h3s1ackapp0000ab"
SIGNING_SECRET_NAME = "deepseek-monitor/slack-signing-secret"
MESSAGE_TS = "1764058500.000200"


class ResponseUrl(LoopbackServer):
    """Slack's response_url for one click: takes the answer, keeps it."""

    path = "/actions/T0000000/1234567890/abcdefghijklmnop"

    def answer(self, request: SeenRequest) -> Reply:
        return self.scripted_reply() or Reply(200, b"ok", {"Content-Type": "text/plain"})

    @property
    def url(self) -> str:
        return self.base_url + self.path

    def answers(self) -> list[dict[str, Any]]:
        return [json.loads(request.body) for request in self.requests]


class Endpoint:
    """The function URL: builds each request as Slack does and the event as Lambda does."""

    def __init__(self, stack, response_url: ResponseUrl, monkeypatch: pytest.MonkeyPatch) -> None:
        self.stack = stack
        self.response_url = response_url
        boto3.client("secretsmanager").create_secret(Name=SIGNING_SECRET_NAME, SecretString=SIGNING_SECRET)
        references = {"HistoryTable": stack.table_name, "SlackSigningSecretName": SIGNING_SECRET_NAME}
        environment = function_environment(load_template(), "SlackInteractionsFunction", references)
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        built = slack_interactions.build_collaborators(SlackInteractionSettings.from_environment(environment))
        monkeypatch.setattr(slack_interactions, "collaborators", lambda: built)

    def click(self, action_id: str = SNOOZE_24H, account: str = "default", state: str = "low", **changes) -> bytes:
        payload = {
            "type": "block_actions",
            "team": {"id": "T0000000"},
            "user": {"id": "U0ABC123", "username": "ana"},
            "trigger_id": f"{time.monotonic_ns()}.738474920.8088930838d88f008e0",
            "response_url": self.response_url.url,
            "container": {"type": "message_attachment", "message_ts": MESSAGE_TS},
            "actions": [{"type": "button", "action_id": action_id, "value": snooze_value(account, state)}],
        }
        return urlencode({"payload": json.dumps({**payload, **changes})}).encode()

    def post(
        self,
        body: bytes,
        *,
        secret: str = SIGNING_SECRET,
        at: float | None = None,
        method: str = "POST",
        base64_encoded: bool = False,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        timestamp = str(int(time.time() if at is None else at))
        signature = "v0=" + hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
        event = {
            "version": "2.0",
            "rawPath": "/",
            "headers": headers
            if headers is not None
            else {
                "content-type": "application/x-www-form-urlencoded",
                "x-slack-request-timestamp": timestamp,
                "x-slack-signature": signature,
            },
            "requestContext": {"http": {"method": method, "path": "/"}},
            "body": base64.b64encode(body).decode() if base64_encoded else body.decode(),
            "isBase64Encoded": base64_encoded,
        }
        return slack_interactions.lambda_handler(event, LambdaContext(function_name="slack-interactions"))

    def silences(self, account: str = "default"):
        return SilenceStore(boto3.client("dynamodb"), self.stack.table_name).silences(account, datetime.now(UTC))

    def items(self) -> list[dict[str, Any]]:
        return boto3.client("dynamodb").scan(TableName=self.stack.table_name)["Items"]


@pytest.fixture
def endpoint(stack, monkeypatch):
    parameters.clear_caches()
    with ResponseUrl() as response_url:
        yield Endpoint(stack, response_url, monkeypatch)
    parameters.clear_caches()


def test_a_click_slack_signed_makes_the_silence_and_is_answered_in_the_alerts_thread(endpoint):
    answer = endpoint.post(endpoint.click(account="team-a"))

    assert answer["statusCode"] == 200
    [made] = endpoint.silences("team-a")
    assert (made.in_force, made.silence.states, made.silence.until_top_up) == (True, ("low",), False)
    assert made.silence.created_by == "slack:U0ABC123 (ana)"
    [reply] = endpoint.response_url.answers()
    assert (reply["response_type"], reply["replace_original"], reply["thread_ts"]) == ("in_channel", False, MESSAGE_TS)
    assert f"silence `{made.silence.id}`" in reply["text"]
    assert endpoint.response_url.requests[0].path == ResponseUrl.path


def test_until_top_up_makes_a_silence_a_top_up_ends(endpoint):
    assert endpoint.post(endpoint.click(SNOOZE_UNTIL_TOP_UP, state="runway_short"))["statusCode"] == 200

    [made] = endpoint.silences()
    assert (made.silence.states, made.silence.until_top_up) == (("runway_short",), True)
    assert "until the next top-up" in endpoint.response_url.answers()[0]["text"]


def test_the_body_lambda_hands_over_in_base64_is_read_as_sent(endpoint):
    assert endpoint.post(endpoint.click(), base64_encoded=True)["statusCode"] == 200
    assert len(endpoint.silences()) == 1


def no_table_calls(recorded) -> bool:
    return not [call for call in recorded if call.service == "dynamodb"]


def refused_untouched(endpoint, monkeypatch, **request) -> dict[str, Any]:
    """Post, and check the request touched no table and got no answer in Slack."""
    recorded = record_aws_calls(monkeypatch)
    answer = endpoint.post(request.pop("body", None) or endpoint.click(), **request)
    assert no_table_calls(recorded), [call.operation for call in recorded]
    assert endpoint.items() == []
    assert endpoint.response_url.requests == []
    return answer


def test_a_forged_signature_is_refused_without_touching_the_table(endpoint, monkeypatch):
    answer = refused_untouched(endpoint, monkeypatch, secret="not-the-apps-signing-secret")

    assert (answer["statusCode"], answer["body"]) == (401, "refused: the request's signature is not Slack's")


def test_a_signed_body_changed_on_the_way_is_refused(endpoint, monkeypatch):
    signed = endpoint.click(account="team-a")
    timestamp = str(int(time.time()))
    signature = (
        "v0=" + hmac.new(SIGNING_SECRET.encode(), f"v0:{timestamp}:".encode() + signed, hashlib.sha256).hexdigest()
    )
    headers = {"x-slack-request-timestamp": timestamp, "x-slack-signature": signature}

    answer = refused_untouched(endpoint, monkeypatch, body=signed.replace(b"team-a", b"team-b"), headers=headers)

    assert answer["statusCode"] == 401


def test_a_request_replayed_after_five_minutes_is_refused_without_touching_the_table(endpoint, monkeypatch):
    answer = refused_untouched(endpoint, monkeypatch, at=time.time() - 5 * 60 - 5)

    assert answer["statusCode"] == 401
    assert "over five minutes" in answer["body"]


def test_a_request_without_slacks_headers_is_refused(endpoint, monkeypatch):
    assert refused_untouched(endpoint, monkeypatch, headers={})["statusCode"] == 401


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"payload", id="not a form"),
        pytest.param(urlencode({"payload": "{not json"}).encode(), id="not json"),
        pytest.param(urlencode({"payload": json.dumps({"type": "view_submission"})}).encode(), id="not a click"),
        pytest.param(b"=", id="empty form"),
    ],
)
def test_a_malformed_body_even_signed_is_refused_without_touching_the_table(endpoint, monkeypatch, body):
    answer = refused_untouched(endpoint, monkeypatch, body=body)

    assert answer["statusCode"] == 400


def test_a_click_naming_no_real_state_or_a_bad_account_is_refused(endpoint, monkeypatch):
    for body in (endpoint.click(state="healthy"), endpoint.click(account="../x"), endpoint.click("deploy")):
        assert refused_untouched(endpoint, monkeypatch, body=body)["statusCode"] == 400


def test_only_post_is_taken(endpoint, monkeypatch):
    assert refused_untouched(endpoint, monkeypatch, method="GET")["statusCode"] == 405


def test_the_same_request_replayed_within_five_minutes_makes_nothing_new(endpoint):
    body = endpoint.click()

    first, again = endpoint.post(body), endpoint.post(body)

    assert first["statusCode"] == again["statusCode"] == 200
    assert len(endpoint.silences()) == 1
    assert len(endpoint.response_url.answers()) == 1


def test_a_click_that_cannot_make_a_silence_is_told_only_to_whoever_clicked(endpoint):
    for _ in range(MAX_ACTIVE):
        endpoint.post(endpoint.click())

    answer = endpoint.post(endpoint.click())

    assert answer["statusCode"] == 200
    last = endpoint.response_url.answers()[-1]
    assert last["response_type"] == "ephemeral"
    assert "Could not snooze: account 'default' already has 20 silences in force" in last["text"]
    assert len(endpoint.silences()) == MAX_ACTIVE


def test_slack_not_taking_the_answer_leaves_the_silence_made(endpoint):
    endpoint.response_url.then(Reply(500), Reply(500))

    assert endpoint.post(endpoint.click())["statusCode"] == 200
    assert len(endpoint.silences()) == 1


def test_an_unreadable_signing_secret_is_an_error_of_the_endpoint_and_touches_no_table(endpoint, monkeypatch):
    boto3.client("secretsmanager").delete_secret(SecretId=SIGNING_SECRET_NAME, ForceDeleteWithoutRecovery=True)

    answer = refused_untouched(endpoint, monkeypatch)

    assert answer["statusCode"] == 500


def test_the_role_grants_exactly_the_calls_the_endpoint_makes(endpoint, monkeypatch):
    recorded = record_aws_calls(monkeypatch)
    endpoint.post(endpoint.click())
    endpoint.post(endpoint.click(), secret="forged")

    made = {f"{call.signing_name}:{call.operation}" for call in recorded if call.service != "sqs"}
    # TransactWriteItems is authorised as the UpdateItem calls it makes.
    made = {"dynamodb:UpdateItem" if call == "dynamodb:TransactWriteItems" else call for call in made}
    [policy] = load_template()["Resources"]["SlackInteractionsRole"]["Properties"]["Policies"]
    granted = {
        action
        for statement in policy["PolicyDocument"]["Statement"]
        for action in _as_list(statement["Action"])
        if not action.startswith(("logs:", "xray:"))  # used by Lambda on the function's behalf
    }
    assert made == granted == {"secretsmanager:GetSecretValue", "dynamodb:UpdateItem"}
