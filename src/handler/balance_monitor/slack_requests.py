"""A click on a snooze button, as Slack sends it to the snooze endpoint: proved to be Slack's
by its signature, read, turned into a silence and answered. Pure functions over plain data.

Slack signs every request with the app's signing secret: `X-Slack-Signature` is `v0=` and the
hex HMAC-SHA256 of `v0:{X-Slack-Request-Timestamp}:{raw body}`. A timestamp more than five
minutes from now is refused, so a recorded request cannot be replayed later; within those
minutes the same request makes the same silence id, so replaying it makes nothing new.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from balance_monitor.alert_lifecycle import Status
from balance_monitor.alert_messages import format_time
from balance_monitor.chat_messages import ENDED_BY_A_TOP_UP, SNOOZE_24H, SNOOZE_UNTIL_TOP_UP
from balance_monitor.errors import SlackRequestError
from balance_monitor.settings import is_secure_url
from balance_monitor.silences import SNOOZE, Silence, make_silence

MAX_AGE = timedelta(minutes=5)
MAX_BODY_BYTES = 128 * 1024  # a click's payload carries the message clicked, a few KB
SIGNATURE_VERSION = "v0"
_ACCOUNT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_SLACK_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
_SLACK_TS = re.compile(r"\d{1,12}\.\d{1,9}")
_STATES = frozenset(status.value for status in Status if status is not Status.HEALTHY)


@dataclass(frozen=True)
class Snooze:
    """Who asked to snooze which account's alerts about which state, and for how long."""

    account: str
    state: str
    until_top_up: bool
    user_id: str
    user_name: str
    response_url: str  # where the answer goes: Slack's own, per click
    thread_ts: str | None  # the alert message, so the answer goes in its thread


def verify_signature(signing_secret: str, headers: Mapping[str, str], body: bytes, now: datetime) -> None:
    """Refuse (401) a request not signed by Slack with this secret, or signed too long ago or
    ahead. `headers` with lower-case names, as Lambda's function URL gives them."""
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        raise SlackRequestError("no valid X-Slack-Request-Timestamp", 401)
    if abs(now.timestamp() - int(timestamp)) > MAX_AGE.total_seconds():
        raise SlackRequestError("the request's timestamp is over five minutes from now (a replay?)", 401)
    base = f"{SIGNATURE_VERSION}:{timestamp}:".encode() + body
    expected = f"{SIGNATURE_VERSION}=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode(errors="replace")):
        raise SlackRequestError("the request's signature is not Slack's", 401)


def parse_snooze(body: bytes) -> Snooze:
    """A block_actions payload for one of the snooze buttons; anything else is refused (400)."""
    if len(body) > MAX_BODY_BYTES:
        raise SlackRequestError("the request is too large for a button click", 400)
    try:
        form = parse_qs(body.decode(), strict_parsing=True, max_num_fields=10)
        [text] = form["payload"]
        payload = json.loads(text)
    except (UnicodeDecodeError, ValueError, KeyError):
        raise SlackRequestError("the body is not a form with one JSON payload", 400) from None
    if not isinstance(payload, dict) or payload.get("type") != "block_actions":
        raise SlackRequestError("not a button click (block_actions)", 400)
    actions = payload.get("actions")
    if not isinstance(actions, list) or len(actions) != 1 or not isinstance(actions[0], dict):
        raise SlackRequestError("a click carries exactly one action", 400)
    action = actions[0]
    if action.get("action_id") not in (SNOOZE_24H, SNOOZE_UNTIL_TOP_UP):
        raise SlackRequestError("not a snooze button", 400)
    account, state = _button_value(action.get("value"))
    until_top_up = action["action_id"] == SNOOZE_UNTIL_TOP_UP
    if until_top_up and state not in ENDED_BY_A_TOP_UP:
        raise SlackRequestError(f"a top-up does not end {state!r}", 400)
    user = payload.get("user")
    user_id = user.get("id") if isinstance(user, dict) else None
    if not isinstance(user, dict) or not isinstance(user_id, str) or not _SLACK_ID.fullmatch(user_id):
        raise SlackRequestError("the click names no Slack user", 400)
    name = user.get("username") or user.get("name")
    response_url = payload.get("response_url")
    if not isinstance(response_url, str) or not is_secure_url(response_url):
        raise SlackRequestError("the click has no https response_url", 400)
    return Snooze(
        account=account,
        state=state,
        until_top_up=until_top_up,
        user_id=user_id,
        user_name=" ".join(name.split())[:64] if isinstance(name, str) else "",
        response_url=response_url,
        thread_ts=_message_ts(payload),
    )


def silence_id(body: bytes) -> str:
    """The same request makes the same id: a replay within MAX_AGE adds nothing."""
    return hashlib.sha256(body).hexdigest()[:8]


def snooze_silence(snooze: Snooze, body: bytes, now: datetime) -> Silence:
    who = f"slack:{snooze.user_id}" + (f" ({snooze.user_name})" if snooze.user_name else "")
    return make_silence(
        silence_id=silence_id(body),
        account=snooze.account,
        states=(snooze.state,),
        now=now,
        ends=None if snooze.until_top_up else now + SNOOZE,
        until_top_up=snooze.until_top_up,
        reason="snoozed from Slack" + (" until the next top-up" if snooze.until_top_up else ""),
        created_by=who,
    )


def snoozed_reply(snooze: Snooze, silence: Silence) -> dict[str, Any]:
    """The answer, in the alert's thread, for the whole channel to see."""
    until = f"until {format_time(silence.ends)}"
    if silence.until_top_up:
        until = f"until the next top-up (at the latest {format_time(silence.ends)})"
    text = (
        f":zzz: <@{snooze.user_id}> snoozed `{snooze.state}` alerts and reminders for account "
        f"{snooze.account} {until}: silence `{silence.id}`. Other problems still alert; recoveries are sent. "
        f"To end it sooner: `deepseek-balance silence expire {silence.id} --account {snooze.account}`."
    )
    return _reply(text, snooze.thread_ts, "in_channel")


def failed_reply(snooze: Snooze, why: str) -> dict[str, Any]:
    """Only the person who clicked sees it."""
    return _reply(f":warning: Could not snooze: {why}", snooze.thread_ts, "ephemeral")


def _reply(text: str, thread_ts: str | None, response_type: str) -> dict[str, Any]:
    reply: dict[str, Any] = {"response_type": response_type, "replace_original": False, "text": text}
    if thread_ts:
        reply["thread_ts"] = thread_ts
    return reply


def _button_value(value: Any) -> tuple[str, str]:
    try:
        decoded = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        decoded = None
    account = decoded.get("account") if isinstance(decoded, dict) else None
    state = decoded.get("state") if isinstance(decoded, dict) else None
    if not isinstance(account, str) or not _ACCOUNT.fullmatch(account) or state not in _STATES:
        raise SlackRequestError("the button does not name an account and a state", 400)
    return account, str(state)


def _message_ts(payload: dict[str, Any]) -> str | None:
    """The clicked message's timestamp, which Slack uses as its thread's id."""
    container, message = payload.get("container"), payload.get("message")
    for ts in (
        container.get("message_ts") if isinstance(container, dict) else None,
        message.get("ts") if isinstance(message, dict) else None,
    ):
        if isinstance(ts, str) and _SLACK_TS.fullmatch(ts):
            return ts
    return None
