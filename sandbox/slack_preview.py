"""A Slack message as a reader sees it, drawn in a terminal: the colour bar, the header,
fields side by side, mrkdwn reduced to plain text. For the local run and the README."""

from __future__ import annotations

import re
from typing import Any

_BAR = "┃"
_EMOJI = {":warning:": "⚠️", ":rotating_light:": "🚨", ":white_check_mark:": "✅", ":bar_chart:": "📊"}


def preview(message: dict[str, Any]) -> str:
    lines: list[str] = []
    for attachment in message.get("attachments", []) or [{"blocks": [_plain(message["text"])]}]:
        for block in attachment["blocks"]:
            lines += _block_lines(block)
            lines.append("")
    return "\n".join(f"{_BAR} {line}".rstrip() for line in lines[:-1])


def _block_lines(block: dict[str, Any]) -> list[str]:
    if block["type"] == "header":
        return [_text(block["text"]["text"])]
    if block["type"] == "context":
        return [_text(" ".join(element["text"] for element in block["elements"]))]
    lines = _text(block["text"]["text"]).splitlines() if "text" in block else []
    fields = [_text(field["text"]).split("\n", 1) for field in block.get("fields", [])]
    for left, right in zip(fields[::2], fields[1::2], strict=False):
        lines += [f"{left[0]:<23} {right[0]}", f"{left[1]:<23} {right[1]}"]
    return lines


def _plain(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _text(mrkdwn: str) -> str:
    for code, emoji in _EMOJI.items():
        mrkdwn = mrkdwn.replace(code, emoji)
    mrkdwn = re.sub(r"<([^|>]+)\|[^>]+>", r"\1", mrkdwn)  # <url|label> shows as a link
    mrkdwn = mrkdwn.replace("*", "")
    return mrkdwn.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
