"""What a Chinese rendering must not keep of the English one."""

from __future__ import annotations

import re
from typing import Any

from balance_monitor.texts import CATALOGUE, ENGLISH

# The English words of the catalogue: none of them may be left in a Chinese rendering, but for
# what is English in any language (product, currency and field names, commands and paths, and
# the error, which is the raw diagnostic the provider or AWS gave).
ENGLISH_WORDS = {
    word.lower()
    for texts in CATALOGUE.values()
    for word in re.findall(r"[A-Za-z]{3,}", re.sub(r"\{[^}]*\}", " ", texts[ENGLISH]))
}


def leftover_english(text: str, document: dict[str, Any]) -> set[str]:
    """English words of the catalogue in `text`, once what stays English anywhere is taken out."""
    errors = [document.get("error"), *(reason["error"] for reason in document.get("errors", []))]
    for kept in (document["account"], *errors, "`deepseek-balance setup --stack NAME`"):
        if kept:  # replacing "" would put a space between every two letters, and so hide every word
            text = text.replace(kept, " ")
    text = re.sub(r":[a-z0-9_+-]+:", " ", text)  # Slack's emoji codes, such as :warning:
    text = re.sub(r"https://\S+|`deepseek-balance test-alert`|README|“The API key”|docs/many-accounts\.md", " ", text)
    text = re.sub(r"sam deploy --parameter-overrides Name=value|is_available: false|limit_remaining", " ", text)
    words = {word.lower() for word in re.findall(r"[A-Za-z]{3,}", text)}
    return (words & ENGLISH_WORDS) - {"api", "utc", "http", "deepseek"}
