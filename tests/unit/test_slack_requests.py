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
    MAX_BODY_BYTES,
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


def with_action(**changes) -> dict:
    """A click whose one action is changed."""
    [action] = click()["actions"]
    return click(actions=[{**action, **changes}])


def body_of(payload: dict) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def signed(body: bytes, *, secret: str = SECRET, at: datetime = NOW, timestamp: str | None = None) -> dict[str, str]:
    timestamp = timestamp or str(int(at.timestamp()))
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"x-slack-request-timestamp": timestamp, "x-slack-signature": f"v0={digest}"}


def refused(call) -> tuple[int, str]:
    """The status and the reason the request was refused with (the answer's body says it)."""
    with pytest.raises(SlackRequestError) as refusal:
        call()
    return refusal.value.status, str(refusal.value)


NOT_SLACKS = "the request's signature is not Slack's"
NO_TIME = "no valid X-Slack-Request-Timestamp"
REPLAY = "the request's timestamp is over five minutes from now (a replay?)"


@pytest.mark.parametrize(
    "age", [timedelta(0), timedelta(minutes=4, seconds=59), timedelta(minutes=5), -timedelta(minutes=5)]
)
def test_a_request_signed_with_the_signing_secret_within_five_minutes_is_slacks(age):
    body = body_of(click())

    verify_signature(SECRET, signed(body, at=NOW - age), body, NOW)


@pytest.mark.parametrize(
    ("forge", "reason"),
    [
        pytest.param(lambda body: (signed(body, secret="another-apps-secret"), body), NOT_SLACKS, id="another secret"),
        pytest.param(lambda body: (signed(body), body.replace(b"team-a", b"team-b")), NOT_SLACKS, id="body changed"),
        pytest.param(
            lambda body: ({**signed(body), "x-slack-signature": "v0=" + "0" * 64}, body), NOT_SLACKS, id="made up"
        ),
        pytest.param(
            lambda body: ({**signed(body), "x-slack-signature": "v1=" + "0" * 64}, body), NOT_SLACKS, id="version"
        ),
        pytest.param(
            lambda body: ({**signed(body), "x-slack-signature": "v0=ünïcode"}, body), NOT_SLACKS, id="not ascii"
        ),
        pytest.param(
            lambda body: ({**signed(body), "x-slack-signature": "v0=\ud800"}, body), NOT_SLACKS, id="not unicode"
        ),
        pytest.param(
            lambda body: ({"x-slack-request-timestamp": signed(body)["x-slack-request-timestamp"]}, body),
            NOT_SLACKS,
            id="no signature",
        ),
        pytest.param(
            lambda body: ({"x-slack-signature": signed(body)["x-slack-signature"]}, body), NO_TIME, id="no time"
        ),
        pytest.param(
            lambda body: ({**signed(body), "x-slack-request-timestamp": "17e8"}, body), NO_TIME, id="bad time"
        ),
        pytest.param(lambda body: (signed(body, timestamp="1" + "0" * 12), body), NO_TIME, id="13 digits"),
    ],
)
def test_a_forged_request_is_refused_as_unauthorised(forge, reason):
    headers, body = forge(body_of(click()))

    assert refused(lambda: verify_signature(SECRET, headers, body, NOW)) == (401, reason)


@pytest.mark.parametrize(
    "timestamp",
    [
        pytest.param(str(int((NOW - timedelta(minutes=5, seconds=1)).timestamp())), id="5 min 1 s ago"),
        pytest.param(str(int((NOW - timedelta(hours=3)).timestamp())), id="3 hours ago"),
        pytest.param(str(int((NOW + timedelta(minutes=6)).timestamp())), id="6 minutes ahead"),
        pytest.param("9" * 12, id="in the year 33658"),
    ],
)
def test_a_request_signed_more_than_five_minutes_from_now_is_a_replay_and_refused(timestamp):
    body = body_of(click())

    assert refused(lambda: verify_signature(SECRET, signed(body, timestamp=timestamp), body, NOW)) == (401, REPLAY)


def test_a_snooze_click_is_read_into_who_wants_which_account_and_state_quiet_and_where_to_answer():
    snooze = parse_snooze(body_of(click(SNOOZE_UNTIL_TOP_UP)))

    assert (snooze.account, snooze.state, snooze.until_top_up) == ("team-a", "low", True)
    assert (snooze.user_id, snooze.user_name) == ("U0ABC123", "ana")
    assert (snooze.response_url, snooze.thread_ts) == (RESPONSE_URL, "1764058500.000200")


NOT_A_FORM = "the body is not a form with one JSON payload"
NO_BUTTON_VALUE = "the button does not name an account and a state"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        pytest.param(b"payload", NOT_A_FORM, id="not a form"),
        pytest.param(b"\xff\xfe", NOT_A_FORM, id="not utf-8"),
        pytest.param(b"text=hello", NOT_A_FORM, id="no payload"),
        pytest.param(urlencode({"payload": "{not json"}).encode(), NOT_A_FORM, id="not json"),
        pytest.param(urlencode([("payload", "{}"), ("payload", "{}")]).encode(), NOT_A_FORM, id="two payloads"),
        pytest.param(body_of(click()) + b"&stray", NOT_A_FORM, id="a field with no value"),
        pytest.param(body_of(click()) + b"".join(b"&f%d=x" % n for n in range(10)), NOT_A_FORM, id="11 fields"),
        pytest.param(
            body_of({**click(), "type": "view_submission"}), "not a button click (block_actions)", id="not a click"
        ),
        pytest.param(body_of({**click(), "actions": []}), "a click carries exactly one action", id="no action"),
        pytest.param(body_of(click("approve_deploy")), "not a snooze button", id="another button"),
        pytest.param(body_of(click(value="team-a")), NO_BUTTON_VALUE, id="value not json"),
        pytest.param(body_of(with_action(value={"account": "team-a", "state": "low"})), NO_BUTTON_VALUE, id="object"),
        pytest.param(body_of(click(value=snooze_value("team a/../", "low"))), NO_BUTTON_VALUE, id="bad account"),
        pytest.param(body_of(click(value=snooze_value("team-a", "healthy"))), NO_BUTTON_VALUE, id="healthy"),
        pytest.param(
            body_of(click(SNOOZE_UNTIL_TOP_UP, snooze_value("team-a", "key_rejected"))),
            "a top-up does not end 'key_rejected'",
            id="top-up key",
        ),
        pytest.param(body_of({**click(), "user": {}}), "the click names no Slack user", id="no user"),
        pytest.param(body_of({**click(), "user": "U0ABC123"}), "the click names no Slack user", id="user not object"),
        pytest.param(
            body_of({**click(), "response_url": "http://hooks.slack.com/x"}),
            "the click has no https response_url",
            id="plain http",
        ),
        pytest.param(b"payload=" + b"x" * 200_000, "the request is too large for a button click", id="too large"),
    ],
)
def test_anything_but_a_snooze_click_is_refused_as_a_bad_request(body, reason):
    assert refused(lambda: parse_snooze(body)) == (400, reason)


def test_a_click_as_large_as_allowed_is_read():
    unpadded = body_of(click(message={"ts": "1764058500.000200", "text": ""}))
    body = body_of(click(message={"ts": "1764058500.000200", "text": "x" * (MAX_BODY_BYTES - len(unpadded))}))

    assert len(body) == MAX_BODY_BYTES
    assert parse_snooze(body).account == "team-a"


@pytest.mark.parametrize(
    ("user", "user_name", "created_by"),
    [
        ({"id": "U0ABC123", "username": "ana", "name": "Ana"}, "ana", "slack:U0ABC123 (ana)"),
        ({"id": "U0ABC123", "name": "Ana"}, "Ana", "slack:U0ABC123 (Ana)"),
        ({"id": "U0ABC123", "username": " Ana \n  María "}, "Ana María", "slack:U0ABC123 (Ana María)"),
        ({"id": "U0ABC123", "username": "a" * 100}, "a" * 64, f"slack:U0ABC123 ({'a' * 64})"),
        ({"id": "U0ABC123"}, "", "slack:U0ABC123"),
        ({"id": "U0ABC123", "username": 42}, "", "slack:U0ABC123"),
    ],
)
def test_the_silence_says_which_slack_user_made_it(user, user_name, created_by):
    body = body_of(click(user=user))
    snooze = parse_snooze(body)

    assert snooze.user_name == user_name
    assert snooze_silence(snooze, body, NOW).created_by == created_by


OLDER = "1764058499.000100"


@pytest.mark.parametrize(
    ("changes", "thread_ts"),
    [
        pytest.param({}, "1764058500.000200", id="both"),
        pytest.param({"message": {"ts": OLDER}}, "1764058500.000200", id="container first"),
        pytest.param({"message": None}, "1764058500.000200", id="container only"),
        pytest.param({"message": "x"}, "1764058500.000200", id="message not an object"),
        pytest.param({"container": None, "message": {"ts": OLDER}}, OLDER, id="message only"),
        pytest.param({"container": "x", "message": {"ts": OLDER}}, OLDER, id="container not an object"),
        pytest.param({"container": {"message_ts": "yesterday"}, "message": {"ts": OLDER}}, OLDER, id="bad container"),
        pytest.param({"container": {"type": "view"}, "message": None}, None, id="neither"),
    ],
)
def test_the_answer_goes_in_the_clicked_messages_thread(changes, thread_ts):
    body = body_of(click(**changes))
    snooze = parse_snooze(body)

    reply = snoozed_reply(snooze, snooze_silence(snooze, body, NOW))

    assert snooze.thread_ts == thread_ts
    assert reply.get("thread_ts") == thread_ts
    assert failed_reply(snooze, "busy").get("thread_ts") == thread_ts


def test_the_silence_holds_the_clicked_state_for_24_hours_or_until_a_top_up():
    day = snooze_silence(parse_snooze(body_of(click())), body_of(click()), NOW)
    top_up_body = body_of(click(SNOOZE_UNTIL_TOP_UP))
    top_up = snooze_silence(parse_snooze(top_up_body), top_up_body, NOW)

    assert (day.states, day.starts, day.ends, day.until_top_up) == (("low",), NOW, NOW + timedelta(hours=24), False)
    assert (top_up.ends, top_up.until_top_up) == (NOW + UNTIL_TOP_UP_LIMIT, True)
    assert day.created_by == "slack:U0ABC123 (ana)"
    assert day.account == "team-a"
    assert (day.reason, top_up.reason) == ("snoozed from Slack", "snoozed from Slack until the next top-up")


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
    assert failed["text"] == ":warning: Could not snooze: the account's state is busy"


def test_the_answer_to_a_snooze_until_a_top_up_says_when_it_ends_at_the_latest():
    body = body_of(click(SNOOZE_UNTIL_TOP_UP))
    snooze = parse_snooze(body)

    reply = snoozed_reply(snooze, snooze_silence(snooze, body, NOW))

    assert (
        "snoozed `low` alerts and reminders for account team-a until the next top-up "
        "(at the latest 2026-12-02 08:15 UTC)" in reply["text"]
    )
