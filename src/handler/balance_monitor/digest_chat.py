"""What a digest looks like in chat: Slack Block Kit for the notifier's webhook, and AWS
Chatbot's custom-notification format. Drawn from the digest document, with the email's lines;
pure. chat_messages.py hands a digest document here."""

from __future__ import annotations

from typing import Any

from balance_monitor.alert_messages import untagged
from balance_monitor.chat_messages import _escape, _field, _header, _text_section
from balance_monitor.digest import checks_text, currency_heading, currency_lines, period_text, problem_text

COLOUR = "#439fe0"  # neither an alert's red or yellow nor a recovery's green
EMOJI = ":bar_chart:"


def digest_block_kit(document: dict[str, Any]) -> dict[str, Any]:
    title = untagged(document["subject"])
    blocks: list[dict[str, Any]] = [
        _header(f"{EMOJI} {title}"),
        {
            "type": "section",
            "fields": [
                _field("Account", document["account"]),
                _field("State now", document["state"]),
                _field("Period (UTC)", period_text(document)),
                _field("Checks", checks_text(document)),
            ],
        },
    ]
    for currency in document["currencies"]:
        lines = [_line(label, text) for label, text in currency_lines(currency)]
        blocks.append(_text_section(_escape(currency_heading(currency)), "\n".join(lines), escape=False))
    problems = [f"• {_escape(problem_text(problem))}" for problem in document["problems"]]
    blocks.append(_text_section("Problems", "\n".join(problems) or "none in this period", escape=False))
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"DeepSeek balance monitor · {document['kind']}"}]}
    )
    return {"text": document["subject"], "attachments": [{"color": COLOUR, "blocks": blocks}]}


def digest_chatbot(document: dict[str, Any]) -> dict[str, Any]:
    """AWS Chatbot (Amazon Q Developer in chat applications) renders this custom format."""
    lines = [f"*State now:* {document['state']}  *Checks:* {checks_text(document)}"]
    for currency in document["currencies"]:
        lines.append(f"*{currency_heading(currency)}*")
        lines += [f"• {label}: {text}" for label, text in currency_lines(currency)]
    lines.append("*Problems:* " + ("" if document["problems"] else "none in this period"))
    lines += [f"• {problem_text(problem)}" for problem in document["problems"]]
    return {
        "version": "1.0",
        "source": "custom",
        "id": f"{document['account']}:{document['period']['end']}:{document['kind']}",
        "content": {
            "textType": "client-markdown",
            "title": f"{EMOJI} {untagged(document['subject'])}",
            "description": "\n".join(lines),
        },
        "metadata": {
            "summary": document["subject"],
            "eventType": f"DeepSeekBalance:{document['kind']}",
            "additionalContext": {name: str(document[name]) for name in ("account", "state", "severity")},
        },
    }


def _line(label: str, text: str) -> str:
    """A label, and the text; a sparkline in code, so that every day has the same width."""
    if label == "each day":
        sparkline, _, days = text.partition("  ")
        return f"*{label}*  `{sparkline}`  {_escape(days)}"
    return f"*{label}*  {_escape(text)}"
