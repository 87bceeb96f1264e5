"""The notifier's work for one message of the alert topic: to each destination that wants it
(destinations.py), rendered for its service (channel_messages.py) and sent through Apprise, or
as the signed JSON document (signed_webhook.py). Each destination is tried on its own, with
retries; one that still fails, or whose entry cannot be used, is kept in the undelivered queue
under its label, and the others are not held back.

Nothing here raises for one destination's failure: the invocation succeeds once every failure
is in the queue, so Lambda never retries it, and never sends again to a destination that
already took the message. Only when the queue itself cannot take a failure does the error
reach Lambda, whose retry then sends to every destination again: a duplicate rather than a
lost alert.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from balance_monitor.adapters.apprise_service import AppriseService
from balance_monitor.adapters.signed_webhook import SignedWebhook
from balance_monitor.channel_messages import channel_message, style_for
from balance_monitor.destinations import Destination
from balance_monitor.errors import DeliveryError
from balance_monitor.observability import logger


@dataclass(frozen=True)
class TopicMessage:
    """One SNS notification, as the topic delivered it to the function."""

    message_id: str
    message: str
    subject: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> TopicMessage:
        notification = record["Sns"]
        attributes = {name: str(item.get("Value")) for name, item in notification.get("MessageAttributes", {}).items()}
        return cls(notification["MessageId"], notification["Message"], notification.get("Subject"), attributes)

    def json_body(self) -> bytes:
        """The document itself (an alert's, a digest's, a CloudWatch alarm's), byte for byte as
        published; anything else wrapped as {"subject", "message"}."""
        try:
            document = json.loads(self.message)
        except ValueError:
            document = None
        if isinstance(document, dict):
            return self.message.encode()
        return json.dumps({"subject": self.subject, "message": self.message}).encode()


class Sender(Protocol):
    def __call__(self, destination: Destination, message: TopicMessage, deadline: float) -> None: ...


class Channels:
    """Sends one message to one destination: Apprise for a service URL, the signed JSON
    document for a `"format": "json"` destination."""

    def __init__(self, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self._sleep = sleep

    def __call__(self, destination: Destination, message: TopicMessage, deadline: float) -> None:
        if destination.signing_secret is not None:
            webhook = SignedWebhook(destination.url, destination.signing_secret, sleep=self._sleep)
            webhook.send(message.json_body(), deadline, what=f"delivery to {destination.label}")
            return
        rendered = channel_message(message.message, message.subject, style_for(destination.scheme))
        AppriseService(destination.url, sleep=self._sleep).send(
            rendered, deadline, what=f"delivery to {destination.label}"
        )


@dataclass(frozen=True)
class Delivery:
    sent: tuple[str, ...]
    undelivered: tuple[str, ...]
    skipped: int


def deliver(
    message: TopicMessage,
    destinations: Iterable[Destination],
    *,
    send: Sender,
    keep: Callable[[dict[str, Any]], None],
    deadline: float,
) -> Delivery:
    sent, undelivered, skipped = [], [], 0
    for destination in destinations:
        if destination.problem is None and not destination.wants(
            severity=message.attributes.get("severity"),
            account=message.attributes.get("account"),
            kind=message.attributes.get("kind"),
        ):
            skipped += 1
            continue
        error = destination.problem
        if error is None:
            try:
                send(destination, message, deadline)
            except DeliveryError as exc:
                error = str(exc)
        if error is None:
            sent.append(destination.label)
            continue
        logger.error(
            "could not deliver to a destination",
            extra={"destination": destination.label, "error": error, "message_id": message.message_id},
        )
        keep(
            {
                "destination": destination.label,
                "error": error,
                "message_id": message.message_id,
                "subject": message.subject,
                "attributes": message.attributes,
                "message": message.message,
            }
        )
        undelivered.append(destination.label)
    return Delivery(tuple(sent), tuple(undelivered), skipped)
