"""What a message looks like in each chat or push service the notifier reaches through Apprise:
a title and a body in the markup the service reads (Apprise's NotifyFormat: text, markdown or
html), within the service's documented length. Pure: drawn from the alert or digest document
the topic carries (or a CloudWatch alarm, or plain text), with the email's lines for a text body.

Every value from outside is escaped for the markup, and a message too long is cut at a whole
line and ends with an ellipsis, so a cut never splits an escape, a tag or a character's bytes.
Apprise is given a message that already fits: its own overflow handling never has to cut.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from balance_monitor.alert_messages import (
    SCHEMA,
    balance_line,
    email_text,
    format_time,
    provider_label,
    state_values,
    untagged,
)
from balance_monitor.texts import language_of, say

TEXT, MARKDOWN, HTML = "text", "markdown", "html"  # the values of Apprise's NotifyFormat
CHARACTERS, BYTES = "characters", "bytes"  # how a service counts its limit (bytes: of UTF-8)
ELLIPSIS = "…"
FULL_WIDTH_COLON = "\uff1a"  # Chinese texts' colon
SEGMENT_LIMIT = 400  # a single value (an error, a reason) is cut to this before it is escaped
EMOJI = {"critical": "🚨", "warning": "⚠️", "info": "✅"}
DIGEST_EMOJI = "📊"
# Apprise's notify types, which set a service's colour or PagerDuty's severity.
LEVELS = {"critical": "failure", "warning": "warning", "info": "info"}


@dataclass(frozen=True)
class Style:
    """How one service shows a message, and the most it takes (docs/channels.md)."""

    service: str
    markup: str
    limit: int  # of the body, with the title when `title_in_body`
    unit: str = CHARACTERS
    title_in_body: bool = False  # the service has no title of its own: the title is the body's first line
    title_limit: int = 100
    crlf: bool = False  # Apprise sends the body's newlines as \r\n, which the limit counts


# By the URL's scheme (Apprise's name for the plugin). Limits are the services' documented ones,
# with room for what Apprise adds around the text.
STYLES = {
    # Teams takes a message of up to 28 KB; the Adaptive Card's JSON wraps the text.
    "workflow": Style("Microsoft Teams (Workflows)", MARKDOWN, 20_000, BYTES),
    "workflows": Style("Microsoft Teams (Workflows)", MARKDOWN, 20_000, BYTES),
    "discord": Style("Discord", MARKDOWN, 2_000, title_in_body=True),  # a message's content
    "tgram": Style("Telegram", HTML, 4_096, title_in_body=True, crlf=True),  # a message's text
    # Feishu and DingTalk take a request body of up to 20 KB; Apprise adds the title and the JSON.
    "feishu": Style("Feishu", MARKDOWN, 18_000, BYTES),
    "dingtalk": Style("DingTalk", MARKDOWN, 18_000, BYTES),
    "wecombot": Style("WeCom", TEXT, 2_048, BYTES, title_in_body=True),  # text content, UTF-8 bytes
    "ntfy": Style("ntfy", TEXT, 4_096, BYTES, title_limit=200),  # longer messages become attachments
    "ntfys": Style("ntfy", TEXT, 4_096, BYTES, title_limit=200),
    "pagerduty": Style("PagerDuty", TEXT, 1_024, title_in_body=True),  # an event's summary
}
# Any other Apprise service: plain text, as short as the strictest above (Apprise's own limit for
# the service applies too, and cuts without an ellipsis).
DEFAULT_STYLE = Style("another Apprise service", TEXT, 1_000)


@dataclass(frozen=True)
class ChannelMessage:
    title: str  # empty when the style puts it in the body
    body: str
    markup: str
    level: str  # an Apprise notify type: info, success, warning, failure


@dataclass(frozen=True)
class _Content:
    """A message before markup: its title, its plain-text lines (the email's), and its rich lines,
    each a list of (text, strong) pieces that markdown or html marks up and escapes."""

    title: str
    level: str
    text_lines: list[str]
    rich_lines: list[list[tuple[str, bool]]]


def style_for(scheme: str) -> Style:
    return STYLES.get(scheme.lower(), DEFAULT_STYLE)


def channel_message(sns_message: str, sns_subject: str | None, style: Style) -> ChannelMessage:
    """The message for one service, from whatever the topic carried."""
    content = _content(sns_message, sns_subject)
    measure = _measure(style.unit, crlf=style.crlf)
    title = _cut_text(content.title, style.title_limit, len)
    lines = _lines(content, style.markup)
    if style.title_in_body:
        heading = {TEXT: title, MARKDOWN: f"**{_markdown(title)}**", HTML: f"<b>{html.escape(title, quote=False)}</b>"}
        lines = [heading[style.markup], *lines]
        title = ""
    return ChannelMessage(title, _fit(lines, style.limit, measure), style.markup, content.level)


def _content(sns_message: str, sns_subject: str | None) -> _Content:
    try:
        message = json.loads(sns_message)
    except ValueError:
        message = None
    if isinstance(message, dict) and message.get("schema") == SCHEMA:
        return _alert(message)
    if isinstance(message, dict) and message.get("kind") == "digest":
        return _digest(message)
    if isinstance(message, dict) and "AlarmName" in message:
        return _alarm(message)
    title = sns_subject or "Message from the DeepSeek balance monitor's topic"
    lines = sns_message.splitlines() or [""]
    return _Content(title, "info", lines, [[(line, False)] for line in lines])


def _alert(document: dict[str, Any]) -> _Content:
    severity = document["severity"]
    language = language_of(document)
    level = "success" if document["kind"] == "recovery" else LEVELS.get(severity, "info")
    since = format_time(document["since"])
    rich: list[list[tuple[str, bool]]] = [
        [
            (say(language, "channel.account"), True),
            (document["account"], False),
            (say(language, "channel.state"), True),
            (say(language, "channel.state_value", since=since, **state_values(document)), False),
        ],
        [(say(language, "channel.checked"), True), (format_time(document["checked_at"]), False)],
    ]
    if document["kind"] != "test":
        rich.append([(say(language, "chat.balances"), True)])
        if document["balances"] is None:
            rich.append([(f"• {say(language, 'email.balance_unknown').strip()}", False)])
        rich += [[(f"• {balance_line(balance, language)}", False)] for balance in document["balances"] or []]
        for top_up in document["top_ups"]:
            topped_up = say(language, "email.top_up", currency=top_up["currency"], amount=top_up["amount"])
            rich.append([(f"• {topped_up.strip()}", False)])
    if document["reason"]:
        rich.append(
            [
                (say(language, "channel.provider_said", label=provider_label(document)), True),
                (document["reason"], False),
            ]
        )
    if document["error"]:
        rich.append([(say(language, "channel.error"), True), (document["error"], False)])
    action = document["action"]
    rich.append([(say(language, "channel.what_to_do"), True), (action["text"], False)])
    if action["url"]:
        rich.append([(action["url"], False)])
    title = f"{EMOJI.get(severity, '')} {untagged(document['subject'])}".strip()
    return _Content(title, level, email_text(document).splitlines(), rich)


def _digest(document: dict[str, Any]) -> _Content:
    from balance_monitor.digest import digest_text  # only a digest needs it

    lines = digest_text(document).splitlines()
    rich = [[(line.strip(), not line.startswith(" ") and line.endswith((":", FULL_WIDTH_COLON)))] for line in lines]
    return _Content(f"{DIGEST_EMOJI} {untagged(document['subject'])}", "info", lines, rich)


def _alarm(alarm: dict[str, Any]) -> _Content:
    firing = alarm.get("NewStateValue") == "ALARM"
    title = f"{EMOJI['critical' if firing else 'info']} {alarm.get('AlarmName', 'CloudWatch alarm')} is "
    title += str(alarm.get("NewStateValue", "unknown"))
    why, about = str(alarm.get("NewStateReason", "")), str(alarm.get("AlarmDescription") or "")
    return _Content(
        title,
        "failure" if firing else "success",
        [f"Why: {why}", f"About: {about}"],
        [[("Why: ", True), (why, False)], [("About: ", True), (about, False)]],
    )


def _lines(content: _Content, markup: str) -> list[str]:
    if markup == TEXT:
        return [_cut_text(line, SEGMENT_LIMIT, len) for line in content.text_lines]
    escape, strong = (_markdown, "**{}**") if markup == MARKDOWN else (_html, "<b>{}</b>")
    rendered = []
    for pieces in content.rich_lines:
        parts = []
        for text, bold in pieces:
            escaped = escape(_cut_text(text, SEGMENT_LIMIT, len))  # cut, then escape: never mid-escape
            # "  State: " is marked up as "  **State:** ": spaces stay outside the markup, and so does
            # a full-width colon ("**状态**" and then the colon), after which CommonMark would not close the "**".
            if bold:
                before, after = (
                    len(escaped) - len(escaped.lstrip()),
                    len(escaped.rstrip().removesuffix(FULL_WIDTH_COLON)),
                )
                escaped = escaped[:before] + strong.format(escaped[before:after]) + escaped[after:]
            parts.append(escaped)
        rendered.append("".join(parts))
    # Markdown runs lines together into one paragraph unless they end with two spaces.
    return [line + "  " if markup == MARKDOWN else line for line in rendered]


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]~|<>#])")


def _markdown(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _html(text: str) -> str:
    return html.escape(text, quote=False)


def _measure(unit: str, *, crlf: bool = False) -> Callable[[str], int]:
    size: Callable[[str], int] = (lambda text: len(text.encode("utf-8"))) if unit == BYTES else len
    return (lambda text: size(text) + text.count("\n")) if crlf else size


def _cut_text(text: str, limit: int, measure: Callable[[str], int]) -> str:
    """Plain text cut to `limit` with an ellipsis, at a character (never inside one's bytes)."""
    if measure(text) <= limit:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with the ellipsis
        middle = (low + high + 1) // 2
        if measure(text[:middle] + ELLIPSIS) <= limit:
            low = middle
        else:
            high = middle - 1
    return text[:low] + ELLIPSIS


def _fit(lines: list[str], limit: int, measure: Callable[[str], int]) -> str:
    """Whole lines while they fit, then an ellipsis line: each line is complete markup."""
    body = "\n".join(lines)
    if measure(body) <= limit:
        return body
    kept: list[str] = []
    for line in lines:
        if measure("\n".join([*kept, line, ELLIPSIS])) > limit:
            break
        kept.append(line)
    return "\n".join([*kept, ELLIPSIS])
