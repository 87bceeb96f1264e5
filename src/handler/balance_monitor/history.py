"""A check as it is kept in history, and the time format that orders history records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from balance_monitor.alert_lifecycle import NotificationKind, Observation, Status
from balance_monitor.providers import DEFAULT_PROVIDER
from balance_monitor.spend import SpendEvent


@dataclass(frozen=True)
class CheckRecord:
    """One check as the history keeps it: what it observed and what it decided."""

    account: str
    checked_at: datetime
    observation: Observation
    expires_at: datetime
    # The account's state after this check; None for a late check that a newer one overtook.
    status: Status | None = None
    notification: NotificationKind | None = None
    # Set when the notification this check called for could not be published.
    alert_error: str | None = None
    events: tuple[SpendEvent, ...] = ()  # top-ups and expiries this check revealed
    # The notification this check called for but a silence held back, and that silence's id.
    held: NotificationKind | None = None
    silenced_by: str | None = None
    provider: str = DEFAULT_PROVIDER  # kept in the item only when not DeepSeek, whose items stay as they were


def format_timestamp(moment: datetime) -> str:
    """Whole seconds, UTC, `Z`: strings that sort in time order, so history can be ranged."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(text: str) -> datetime:
    """An ISO-8601 time with a zone, as EventBridge sends it, in UTC to the whole second."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"time {text!r} has no time zone")
    return moment.astimezone(UTC).replace(microsecond=0)
