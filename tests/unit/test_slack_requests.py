"""A snooze button's click as Slack sends it: the signature that proves it is Slack's (the
HMAC of `v0:{timestamp}:{body}` with the app's signing secret, within five minutes), and the
payload read into a snooze, a silence and the answer."""

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest

from balance_monitor.chat_messages import SNOOZE_24H, SNOOZE_UNTIL_TOP_UP, snooze_value
from balance_monitor.errors import SlackRequestError
from balance_monitor.silences import UNTIL_TOP_UP_LIMIT
from balance_monitor.slack_requests import (
    failed_reply,
    parse_snooze,
    silence_id,
    snooze_silence,
    snoozed_reply,
    verify_signature,
)

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
NOW = datetime(2026, 11, 25, 8, 15, tzinfo=UTC)
RESPONSE_URL = "https://hooks.slack.com/actions/T0000000/1234567890/abcdefghij"


def click(action_id: str = SNOOZE_24H, value: str | None = None, **changes) -> dict:
    payload = {
        "type": "block_actions",
        "team": {"id": "T0000000"},
        "user": {"id": "U0ABC123", "username": "ana"},
        "response_url": RESPONSE_URL,
        "container": {"type": "message_attachment", "message_ts": "1764058500.000200"},
        "message": {"ts": "1764058500.000200"},
        "actions": [
            {
                "type": "button",
                "block_id": "snooze",
                "action_id": action_id,
                "value": value if value is not None else snooze_value("team-a", "low"),
                "action_ts": "1764058512.345678",
            }
        ],
    }
    return {**payload, **changes}


def body_of(payload: dict) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def signed(body: bytes, *, secret: str = SECRET, at: datetime = NOW) -> dict[str, str]:
    timestamp = str(int(at.timestamp()))
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"x-slack-request-timestamp": timestamp, "x-slack-signature": f"v0={digest}"}


def refused(call) -> int:
    with pytest.raises(SlackRequestError) as refusal:
        call()
    return refusal.value.status


def test_a_request_signed_with_the_signing_secret_within_five_minutes_is_slacks():
    body = body_of(click())

    verify_signature(SECRET, signed(body), body, NOW)
    verify_signature(SECRET, signed(body, at=NOW - timedelta(minutes=4, seconds=59)), body, NOW)


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda body: (signed(body, secret="another-apps-secret"), body), id="another secret"),
        pytest.param(lambda body: (signed(body), body.replace(b"team-a", b"team-b")), id="body changed"),
        pytest.param(lambda body: ({**signed(body), "x-slack-signature": "v0=" + "0" * 64}, body), id="made up"),
        pytest.param(lambda body: ({**signed(body), "x-slack-signature": "v1=" + "0" * 64}, body), id="version"),
        pytest.param(lambda body: ({**signed(body), "x-slack-signature": "v0=ünïcode"}, body), id="not ascii"),
        pytest.param(
            lambda body: ({"x-slack-request-timestamp": signed(body)["x-slack-request-timestamp"]}, body),
            id="no signature",
        ),
        pytest.param(lambda body: ({"x-slack-signature": signed(body)["x-slack-signature"]}, body), id="no time"),
        pytest.param(lambda body: ({**signed(body), "x-slack-request-timestamp": "17e8"}, body), id="bad time"),
    ],
)
def test_a_forged_request_is_refused_as_unauthorised(forge):
    headers, body = forge(body_of(click()))

    assert refused(lambda: verify_signature(SECRET, headers, body, NOW)) == 401


@pytest.mark.parametrize("age", [timedelta(minutes=5, seconds=1), timedelta(hours=3), -timedelta(minutes=6)])
def test_a_request_signed_more_than_five_minutes_from_now_is_a_replay_and_refused(age):
    body = body_of(click())

    assert refused(lambda: verify_signature(SECRET, signed(body, at=NOW - age), body, NOW)) == 401


def test_a_snooze_click_is_read_into_who_wants_which_account_and_state_quiet_and_where_to_answer():
    snooze = parse_snooze(body_of(click(SNOOZE_UNTIL_TOP_UP)))

    assert (snooze.account, snooze.state, snooze.until_top_up) == ("team-a", "low", True)
    assert (snooze.user_id, snooze.user_name) == ("U0ABC123", "ana")
    assert (snooze.response_url, snooze.thread_ts) == (RESPONSE_URL, "1764058500.000200")


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"payload", id="not a form"),
        pytest.param(b"\xff\xfe", id="not utf-8"),
        pytest.param(b"text=hello", id="no payload"),
        pytest.param(urlencode({"payload": "{not json"}).encode(), id="not json"),
        pytest.param(urlencode([("payload", "{}"), ("payload", "{}")]).encode(), id="two payloads"),
        pytest.param(body_of({**click(), "type": "view_submission"}), id="not a click"),
        pytest.param(body_of({**click(), "actions": []}), id="no action"),
        pytest.param(body_of(click("approve_deploy")), id="another button"),
        pytest.param(body_of(click(value="team-a")), id="value not json"),
        pytest.param(body_of(click(value=snooze_value("team a/../", "low"))), id="bad account"),
        pytest.param(body_of(click(value=snooze_value("team-a", "healthy"))), id="healthy"),
        pytest.param(body_of(click(SNOOZE_UNTIL_TOP_UP, snooze_value("team-a", "key_rejected"))), id="top-up key"),
        pytest.param(body_of({**click(), "user": {}}), id="no user"),
        pytest.param(body_of({**click(), "response_url": "http://hooks.slack.com/x"}), id="plain http"),
        pytest.param(b"payload=" + b"x" * 200_000, id="too large"),
    ],
)
def test_anything_but_a_snooze_click_is_refused_as_a_bad_request(body):
    assert refused(lambda: parse_snooze(body)) == 400


def test_the_silence_holds_the_clicked_state_for_24_hours_or_until_a_top_up():
    day = snooze_silence(parse_snooze(body_of(click())), body_of(click()), NOW)
    top_up_body = body_of(click(SNOOZE_UNTIL_TOP_UP))
    top_up = snooze_silence(parse_snooze(top_up_body), top_up_body, NOW)

    assert (day.states, day.starts, day.ends, day.until_top_up) == (("low",), NOW, NOW + timedelta(hours=24), False)
    assert (top_up.ends, top_up.until_top_up) == (NOW + UNTIL_TOP_UP_LIMIT, True)
    assert day.created_by == "slack:U0ABC123 (ana)"
    assert day.account == "team-a"


def test_the_same_request_makes_the_same_silence_id_and_another_click_another():
    first, second = body_of(click()), body_of(click(action_ts="x"))

    assert silence_id(first) == silence_id(first)
    assert silence_id(first) != silence_id(second)


def test_the_answer_goes_to_the_alerts_thread_and_says_how_to_end_the_silence():
    body = body_of(click())
    snooze = parse_snooze(body)
    silence = snooze_silence(snooze, body, NOW)

    reply = snoozed_reply(snooze, silence)
    failed = failed_reply(snooze, "the account's state is busy")

    assert (reply["response_type"], reply["replace_original"], reply["thread_ts"]) == (
        "in_channel",
        False,
        "1764058500.000200",
    )
    assert (
        "<@U0ABC123> snoozed `low` alerts and reminders for account team-a until 2026-11-26 08:15 UTC" in reply["text"]
    )
    assert f"deepseek-balance silence expire {silence.id} --account team-a" in reply["text"]
    assert (failed["response_type"], failed["thread_ts"]) == ("ephemeral", "1764058500.000200")
