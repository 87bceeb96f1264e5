"""The settings of the stack's chat-side functions: the Slack notifier, the notifier of other
services and the snooze endpoint. Kept apart from the check's settings, so that a check never
builds classes it does not use (each costs a cold start about a millisecond)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from balance_monitor.errors import ConfigurationError
from balance_monitor.settings import invalid_setting


@dataclass(frozen=True)
class SlackSettings:
    """The Slack notifier's settings: the secret that holds the incoming-webhook URL, and
    whether alerts carry snooze buttons (the stack has a snooze endpoint)."""

    webhook_secret_id: str
    snooze_buttons: bool = False

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> SlackSettings:
        secret_id = environ.get("SLACK_WEBHOOK_SECRET_ID", "").strip()
        if not secret_id:
            raise ConfigurationError("SLACK_WEBHOOK_SECRET_ID must be set")
        buttons = environ.get("SLACK_SNOOZE_BUTTONS", "false").strip().lower()
        if buttons not in ("true", "false"):
            raise invalid_setting("SLACK_SNOOZE_BUTTONS", buttons, "expected true or false")
        return cls(webhook_secret_id=secret_id, snooze_buttons=buttons == "true")


@dataclass(frozen=True)
class NotifierSettings:
    """The notifier's settings: the secret listing the destinations, and the queue that keeps
    what a destination did not take."""

    destinations_secret_id: str
    undelivered_queue_url: str

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> NotifierSettings:
        secret_id = environ.get("NOTIFICATION_URLS_SECRET_ID", "").strip()
        queue_url = environ.get("UNDELIVERED_QUEUE_URL", "").strip()
        if not secret_id:
            raise ConfigurationError("NOTIFICATION_URLS_SECRET_ID must be set")
        if not queue_url:
            raise ConfigurationError("UNDELIVERED_QUEUE_URL must be set")
        return cls(destinations_secret_id=secret_id, undelivered_queue_url=queue_url)


@dataclass(frozen=True)
class SlackInteractionSettings:
    """The snooze endpoint's settings: the table silences go to, and the secret holding the
    Slack app's signing secret."""

    table_name: str
    signing_secret_id: str

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> SlackInteractionSettings:
        values = {}
        for name in ("TABLE_NAME", "SLACK_SIGNING_SECRET_ID"):
            values[name] = environ.get(name, "").strip()
            if not values[name]:
                raise ConfigurationError(f"{name} must be set")
        return cls(table_name=values["TABLE_NAME"], signing_secret_id=values["SLACK_SIGNING_SECRET_ID"])
