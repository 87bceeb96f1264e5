"""What an alert looks like in chat: a Slack Block Kit message for the incoming webhook, and
AWS Chatbot's custom-notification format. Both are drawn from the alert document; pure."""

from __future__ import annotations

import json
from typing import Any

from balance_monitor.alert_lifecycle import NotificationKind
from balance_monitor.alert_messages import SCHEMA, balance_line, format_time, provider_label, state_values, untagged
from balance_monitor.texts import DEFAULT_LANGUAGE, language_of, say

SEVERITY_STYLE = {  # colour bar and emoji a reader scans for
    "critical": ("#d72b3f", ":rotating_light:"),
    "warning": ("#f2c744", ":warning:"),
    "info": ("#2eb886", ":white_check_mark:"),
}
HEADER_LIMIT, TEXT_LIMIT = 150, 3000  # Block Kit's limits for a header and a section's text
# The snooze buttons, and what the interaction function (slack_interactions.py) reads back from
# a click: the action's id says for how long, the value names the account and the state.
SNOOZE_24H = "snooze_24h"
SNOOZE_UNTIL_TOP_UP = "snooze_until_top_up"
SNOOZE_BLOCK = "snooze"
# States a top-up ends, for which "until top-up" is offered.
ENDED_BY_A_TOP_UP = frozenset({"low", "critically_low", "runway_short", "unavailable"})


def slack_message(sns_message: str, sns_subject: str | None = None, *, snooze: bool = False) -> dict[str, Any]:
    """A Block Kit message for whatever the topic carried: an alert document, a CloudWatch
    alarm (the monitor's own alarms notify the same topic), or anything else as plain text.
    With `snooze`, an alert or reminder carries the snooze buttons."""
    try:
        message = json.loads(sns_message)
    except ValueError:
        message = None
    if isinstance(message, dict) and message.get("schema") == SCHEMA:
        return block_kit(message, snooze=snooze)
    if isinstance(message, dict) and message.get("kind") == NotificationKind.DIGEST:
        from balance_monitor.digest_chat import digest_block_kit  # only a digest needs it

        return digest_block_kit(message)
    if isinstance(message, dict) and "AlarmName" in message:
        return _alarm_block_kit(message)
    text = (sns_subject or "Message from the DeepSeek balance monitor's topic") + "\n" + sns_message
    return {"text": _cut(_escape(text), TEXT_LIMIT)}


def block_kit(document: dict[str, Any], *, snooze: bool = False) -> dict[str, Any]:
    language = language_of(document)
    colour, emoji = SEVERITY_STYLE[document["severity"]]
    title = untagged(document["subject"])
    balances = document["balances"]
    balance_text = (
        "\n".join(f"• {_escape(balance_line(balance, language))}" for balance in balances)
        if balances is not None
        else say(language, "email.balance_unknown").strip()
    )
    blocks: list[dict[str, Any]] = [
        _header(f"{emoji} {title}"),
        {
            "type": "section",
            "fields": [
                _field(say(language, "chat.account"), document["account"]),
                _field(say(language, "chat.state"), say(language, "chat.state_value", **state_values(document))),
                _field(say(language, "chat.since"), format_time(document["since"])),
                _field(say(language, "chat.checked"), format_time(document["checked_at"])),
            ],
        },
    ]
    if document["kind"] != "test":  # a test notification is about no balance
        blocks.append(_text_section(say(language, "chat.balances"), balance_text, escape=False))
    problems = _problems(document)
    if problems:
        said = say(language, "chat.provider_said", label=provider_label(document))
        blocks.append(_text_section(said, "\n".join(problems)))
    action = document["action"]
    what_to_do = _escape(action["text"]) + (f"\n<{action['url']}|{action['url']}>" if action["url"] else "")
    blocks.append(_text_section(say(language, "chat.what_to_do"), what_to_do, escape=False))
    if snooze and document["kind"] in ("alert", "reminder"):
        blocks.append(snooze_buttons(document["account"], document["state"], language))
    blocks.append(footer(document))
    return {"text": document["subject"], "attachments": [{"color": colour, "blocks": blocks}]}


def footer(document: dict[str, Any]) -> dict[str, Any]:
    """The context line that closes a message: whose monitor, and what kind of notification."""
    language = language_of(document)
    kind = document["kind"]
    text = say(language, "chat.footer", kind=kind, kind_title=say(language, f"kind.{kind}"))
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def snooze_buttons(account: str, state: str, language: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """An actions block: snooze this state's alerts for this account, 24 hours or until a top-up."""
    value = snooze_value(account, state)
    buttons = [_button(SNOOZE_24H, say(language, "chat.snooze_24h"), value)]
    if state in ENDED_BY_A_TOP_UP:
        buttons.append(_button(SNOOZE_UNTIL_TOP_UP, say(language, "chat.snooze_until_top_up"), value))
    return {"type": "actions", "block_id": SNOOZE_BLOCK, "elements": buttons}


def snooze_value(account: str, state: str) -> str:
    """What a snooze button carries: no secret, only whose alerts and which."""
    return json.dumps({"account": account, "state": state}, separators=(",", ":"))


def _button(action_id: str, label: str, value: str) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": label},
        "value": value,
    }


def chatbot_notification(document: dict[str, Any]) -> dict[str, Any]:
    """AWS Chatbot (Amazon Q Developer in chat applications) renders this custom format."""
    if document.get("kind") == NotificationKind.DIGEST:
        from balance_monitor.digest_chat import digest_chatbot  # only a digest needs it

        return digest_chatbot(document)
    language = language_of(document)
    _, emoji = SEVERITY_STYLE[document["severity"]]
    balances = document["balances"]
    lines = [
        say(language, "chatbot.state", since=format_time(document["since"]), **state_values(document)),
        *(f"• {balance_line(balance, language)}" for balance in balances or []),
    ]
    if balances is None and document["kind"] != "test":
        lines.append(say(language, "chatbot.balance_unknown"))
    lines += _problems(document)
    action = document["action"]
    return {
        "version": "1.0",
        "source": "custom",
        "id": f"{document['account']}:{document['checked_at']}:{document['kind']}",
        "content": {
            "textType": "client-markdown",
            "title": f"{emoji} {untagged(document['subject'])}",
            "description": "\n".join(lines),
            "nextSteps": [action["text"] + (f" {action['url']}" if action["url"] else "")],
        },
        "metadata": {
            "summary": document["subject"],
            "eventType": f"DeepSeekBalance:{document['kind']}",
            **({"threadId": thread} if (thread := thread_id(document)) else {}),
            "additionalContext": {name: str(document[name]) for name in ("account", "state", "severity")},
        },
    }


def _alarm_block_kit(alarm: dict[str, Any]) -> dict[str, Any]:
    firing = alarm.get("NewStateValue") == "ALARM"
    colour, emoji = SEVERITY_STYLE["critical" if firing else "info"]
    title = f"{emoji} {alarm.get('AlarmName', 'CloudWatch alarm')} is {alarm.get('NewStateValue', 'unknown')}"
    blocks = [
        _header(title),
        _text_section("Why", str(alarm.get("NewStateReason", ""))),
        _text_section("About", str(alarm.get("AlarmDescription") or "")),
    ]
    return {"text": title, "attachments": [{"color": colour, "blocks": blocks}]}


def thread_id(document: dict[str, Any]) -> str | None:
    """One chat thread for each account's problem episode: its alert, reminders, changes of
    problem (low to critically low, say) and recovery. Test notifications and digests stand alone."""
    episode = document.get("episode_since")
    if document["kind"] not in ("alert", "reminder", "recovery") or not episode:
        return None
    return f"{document.get('provider', 'deepseek')}/{document['account']}/{episode}"


def _problems(document: dict[str, Any]) -> list[str]:
    """What the provider said, and the check's error, when there are any."""
    error = document["error"] and say(language_of(document), "chat.error", error=document["error"])
    return [text for text in (document["reason"], error) if text]


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": _cut(text, HEADER_LIMIT), "emoji": True}}


def _field(label: str, value: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": f"*{label}*\n{_escape(value)}"}


def _text_section(label: str, text: str, *, escape: bool = True) -> dict[str, Any]:
    body = _escape(text) if escape else text
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(f"*{label}*\n{body}", TEXT_LIMIT)}}


def _escape(text: str) -> str:
    """Slack's mrkdwn treats &, < and > as markup; text from outside must not."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
