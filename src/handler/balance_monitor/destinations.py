"""Where the notifier sends each message: the destinations secret, read and checked, and which
destination wants which message. Pure: no Apprise, no HTTP, no AWS.

The secret holds `{"destinations": [{"url": "...", "min_severity": "warning", "accounts": ["prod"]}]}`
(docs/channels.md). A destination's URL (and a signed webhook's signing secret) is a credential:
no message here quotes one; an entry that cannot be used is named by its index, and only that
entry is held back, so a typo in one never silences the others.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from balance_monitor.errors import DestinationsConfigurationError
from balance_monitor.settings import is_secure_url

SEVERITIES = ("info", "warning", "critical")  # lowest first: min_severity lets through it and those after
# What an entry may hold; anything else is a typo the user should hear of.
DESTINATION_FIELDS = ("url", "name", "min_severity", "accounts", "format", "signing_secret")
SIGNED_FORMAT = "json"
MIN_SIGNING_SECRET = 16
# Kinds every destination gets whatever its min_severity: the end of a problem it was told of,
# and a test of the subscriptions (as the critical-only email filter does).
ALWAYS_SENT_KINDS = frozenset({"recovery", "test"})
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]{0,31})://", re.IGNORECASE)
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.:/-]{0,63}")


@dataclass(frozen=True)
class Destination:
    index: int
    url: str = field(repr=False)
    name: str | None = None
    min_severity: str = "info"
    accounts: frozenset[str] | None = None  # None: every account
    signing_secret: str | None = field(default=None, repr=False)  # set: a signed JSON webhook, not Apprise
    problem: str | None = None  # why the entry cannot be used; it is then never sent to

    @property
    def scheme(self) -> str:
        """The URL's scheme (Apprise's name for the service), or "?" when it has none."""
        match = _SCHEME.match(self.url)
        return match[1].lower() if match else "?"

    @property
    def label(self) -> str:
        """How logs and the undelivered queue name it: never the URL, whose path, host or user
        part is the token for most services (tgram://{bot_token}, wecombot://{key}, ...). A signed
        webhook, an https URL, shows its host, which is not secret; any other shows its scheme."""
        shown = f"{self.scheme}://"
        if self.signing_secret is not None and self.problem is None:
            shown += urlsplit(self.url).hostname or ""
        return f"destinations[{self.index}]" + (f" {self.name!r}" if self.name else "") + f" ({shown})"

    def wants(self, *, severity: str | None, account: str | None, kind: str | None) -> bool:
        """Whether this destination takes a message with these SNS attributes. A message without
        them (the monitor's own CloudWatch alarms) goes everywhere, as it does to a critical-only email."""
        if self.accounts is not None and account is not None and account not in self.accounts:
            return False
        if severity is None or kind in ALWAYS_SENT_KINDS:
            return True
        rank = SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)
        return rank >= SEVERITIES.index(self.min_severity)


def parse_destinations(value: Any) -> tuple[Destination, ...]:
    """The secret's destinations, in order. A secret that is not such a document raises; an entry
    that cannot be used comes back with its `problem`, to be reported rather than sent to."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        raise DestinationsConfigurationError("the notification destinations secret is not text")
    try:
        document = json.loads(value)
    except ValueError:
        raise DestinationsConfigurationError("the notification destinations secret is not valid JSON") from None
    entries = document.get("destinations") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise DestinationsConfigurationError(
            'the notification destinations secret needs {"destinations": [{"url": ...}, ...]}, a non-empty list'
        )
    return tuple(_destination(index, entry) for index, entry in enumerate(entries))


def _destination(index: int, entry: Any) -> Destination:
    url = entry.get("url") if isinstance(entry, Mapping) else None
    safe_url = url if isinstance(url, str) else ""
    name = entry.get("name") if isinstance(entry, Mapping) else None
    safe_name = name if isinstance(name, str) and _NAME.fullmatch(name) else None

    def unusable(problem: str) -> Destination:
        return Destination(index, safe_url, safe_name, problem=f"destinations[{index}]: {problem}")

    if not isinstance(entry, Mapping):
        return unusable("is not an object")
    unknown = sorted(str(key)[:40] for key in entry if key not in DESTINATION_FIELDS)
    if unknown:
        return unusable(f"has unknown fields {', '.join(unknown)} (known: {', '.join(DESTINATION_FIELDS)})")
    if name is not None and safe_name is None:
        return unusable('"name" takes letters, digits, spaces and . _ : / - (64 at most)')
    if not isinstance(url, str) or not url.strip():
        return unusable('has no "url" string')
    if url != url.strip() or any(character.isspace() or not character.isprintable() for character in url):
        return unusable('"url" contains spaces or control characters')  # the URL itself is never quoted
    if not _SCHEME.match(url):
        return unusable('"url" is not a URL: it needs a scheme, such as discord:// or https://')
    severity = entry.get("min_severity", "info")
    if severity not in SEVERITIES:
        shown = repr(severity)[:40]
        return unusable(f'"min_severity" {shown} is not one of {", ".join(SEVERITIES)}')
    accounts = entry.get("accounts")
    if accounts is not None and (
        not isinstance(accounts, list) or not accounts or not all(isinstance(a, str) and a for a in accounts)
    ):
        return unusable('"accounts" is not a non-empty list of account names')
    signing_secret = entry.get("signing_secret")
    output = entry.get("format")
    if output is not None and output != SIGNED_FORMAT:
        return unusable(f'"format" takes only "{SIGNED_FORMAT}" (a signed webhook); leave it out for Apprise')
    if output == SIGNED_FORMAT:
        if not is_secure_url(url) or urlsplit(url).scheme not in ("https", "http"):
            return unusable('a "json" destination needs an https URL')
        if not isinstance(signing_secret, str) or len(signing_secret) < MIN_SIGNING_SECRET:
            return unusable(f'a "json" destination needs a "signing_secret" of {MIN_SIGNING_SECRET} characters or more')
        if not signing_secret.isascii() or not signing_secret.isprintable() or " " in signing_secret:
            return unusable('"signing_secret" contains spaces or characters that are not ASCII')
    elif signing_secret is not None:
        return unusable('"signing_secret" goes with "format": "json" only')
    return Destination(
        index,
        url,
        safe_name,
        min_severity=severity,
        accounts=frozenset(accounts) if accounts is not None else None,
        signing_secret=signing_secret,  # None unless "format" is "json" (checked above)
    )
