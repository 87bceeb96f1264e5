"""What a digest looks like in chat: Slack Block Kit for the notifier's webhook, and AWS
Chatbot's custom-notification format. Drawn from the digest document, with the email's lines;
pure. chat_messages.py hands a digest document here."""

from __future__ import annotations

from typing import Any

from balance_monitor.alert_messages import title, untagged
from balance_monitor.chat_messages import _escape, _field, _header, _text_section, footer
from balance_monitor.digest import checks_text, currency_heading, currency_lines, period_text, problem_text
from balance_monitor.texts import language_of, say

COLOUR = "#439fe0"  # neither an alert's red or yellow nor a recovery's green
EMOJI = ":bar_chart:"


def digest_block_kit(document: dict[str, Any]) -> dict[str, Any]:
    language = language_of(document)
    state = document["state"] if language == "en" else title(document["state"], language)
    blocks: list[dict[str, Any]] = [
        _header(f"{EMOJI} {untagged(document['subject'])}"),
        {
            "type": "section",
            "fields": [
                _field(say(language, "chat.account"), document["account"]),
                _field(say(language, "digest.chat.state_now"), state),
                _field(say(language, "digest.chat.period"), period_text(document)),
                _field(say(language, "digest.chat.checks"), checks_text(document)),
            ],
        },
    ]
    each_day = say(language, "digest.each_day")
    for currency in document["currencies"]:
        lines = [_line(label, text, each_day) for label, text in currency_lines(currency, language)]
        heading = _escape(currency_heading(currency, language))
        blocks.append(_text_section(heading, "\n".join(lines), escape=False))
    problems = [f"• {_escape(problem_text(problem, language))}" for problem in document["problems"]]
    none = say(language, "digest.none")
    blocks.append(_text_section(say(language, "digest.chat.problems"), "\n".join(problems) or none, escape=False))
    blocks.append(footer(document))
    return {"text": document["subject"], "attachments": [{"color": COLOUR, "blocks": blocks}]}


def digest_chatbot(document: dict[str, Any]) -> dict[str, Any]:
    """AWS Chatbot (Amazon Q Developer in chat applications) renders this custom format."""
    language = language_of(document)
    state_title = title(document["state"], language)
    lines = [
        say(
            language,
            "digest.chatbot.summary",
            state=document["state"],
            state_title=state_title,
            checks=checks_text(document),
        )
    ]
    for currency in document["currencies"]:
        lines.append(f"*{currency_heading(currency, language)}*")
        lines += [
            say(language, "digest.chatbot.line", label=label, text=text)
            for label, text in currency_lines(currency, language)
        ]
    lines.append(
        say(language, "digest.chatbot.problems") + ("" if document["problems"] else say(language, "digest.none"))
    )
    lines += [f"• {problem_text(problem, language)}" for problem in document["problems"]]
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


def _line(label: str, text: str, each_day: str) -> str:
    """A label, and the text; a sparkline in code, so that every day has the same width."""
    if label == each_day:
        sparkline, _, days = text.partition("  ")
        return f"*{label}*  `{sparkline}`  {_escape(days)}"
    return f"*{label}*  {_escape(text)}"
