"""The structural rules of Slack's Block Kit that a message must satisfy to render, as Slack
documents them: block and text-object types, required fields, and length limits."""

from __future__ import annotations

from typing import Any

TEXT_TYPES = {"plain_text", "mrkdwn"}


def block_kit_problems(message: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    if not isinstance(message.get("text"), str) or not message["text"]:
        problems.append("a top-level text is needed as the notification fallback")
    blocks = list(message.get("blocks", []))
    for attachment in message.get("attachments", []):
        colour = attachment.get("color", "#000000")
        if not (isinstance(colour, str) and colour.startswith("#") and len(colour) == 7):
            problems.append(f"attachment colour {colour!r} is not #rrggbb")
        blocks += attachment.get("blocks", [])
    if len(blocks) > 50:
        problems.append("more than 50 blocks")
    for index, block in enumerate(blocks):
        problems += [f"block {index}: {problem}" for problem in _block_problems(block)]
    return problems


def _block_problems(block: dict[str, Any]) -> list[str]:
    kind = block.get("type")
    if kind == "header":
        return _text_problems(block.get("text"), limit=150, plain_only=True)
    if kind == "section":
        if "text" not in block and "fields" not in block:
            return ["a section needs text or fields"]
        problems = _text_problems(block["text"], limit=3000) if "text" in block else []
        fields = block.get("fields", [])
        if len(fields) > 10:
            problems.append("more than 10 fields")
        for field in fields:
            problems += _text_problems(field, limit=2000)
        return problems
    if kind == "context":
        elements = block.get("elements", [])
        problems = [] if 0 < len(elements) <= 10 else ["a context needs 1 to 10 elements"]
        for element in elements:
            problems += _text_problems(element, limit=3000)
        return problems
    if kind == "divider":
        return []
    if kind == "actions":
        elements = block.get("elements", [])
        problems = [] if 0 < len(elements) <= 25 else ["an actions block needs 1 to 25 elements"]
        if len(block.get("block_id", "")) > 255:
            problems.append("block_id longer than 255 characters")
        for element in elements:
            problems += _button_problems(element)
        return problems
    return [f"unknown block type {kind!r}"]


def _button_problems(button: Any) -> list[str]:
    if not isinstance(button, dict) or button.get("type") != "button":
        return [f"{button!r} is not a button"]
    problems = _text_problems(button.get("text"), limit=75, plain_only=True)
    if not isinstance(button.get("action_id"), str) or not 0 < len(button["action_id"]) <= 255:
        problems.append("a button needs an action_id of 1 to 255 characters")
    if len(button.get("value", "")) > 2000:
        problems.append("a button's value is longer than 2000 characters")
    return problems


def _text_problems(text: Any, *, limit: int, plain_only: bool = False) -> list[str]:
    if not isinstance(text, dict) or text.get("type") not in TEXT_TYPES:
        return [f"{text!r} is not a text object"]
    if plain_only and text["type"] != "plain_text":
        return ["this text must be plain_text"]
    content = text.get("text")
    if not isinstance(content, str) or not content:
        return ["empty text"]
    if len(content) > limit:
        return [f"text longer than {limit} characters"]
    return []
