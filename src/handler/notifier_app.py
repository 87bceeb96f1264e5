"""Lambda entry point of the notifier: subscribed to the alert topic, it sends each message to
every destination in the notification destinations secret that wants it, through Apprise (Teams,
Discord, Telegram, Feishu, DingTalk, WeCom, ntfy, PagerDuty, ...) or as a signed JSON webhook
(docs/channels.md). A destination that still fails after retries is kept in the undelivered
queue and the invocation succeeds, so Lambda's retry never sends twice to the others; only an
error before any sending (the secret unreadable) or a queue that cannot keep a failure fails it."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.parameters import SecretsProvider

from balance_monitor.adapters.aws import aws_client
from balance_monitor.adapters.secrets import WEBHOOK_CACHE_SECONDS, CachedSecret
from balance_monitor.adapters.undelivered_queue import UndeliveredQueue
from balance_monitor.channel_settings import NotifierSettings
from balance_monitor.destination_delivery import Channels, Sender, TopicMessage, deliver
from balance_monitor.destinations import Destination, parse_destinations
from balance_monitor.errors import DestinationsConfigurationError
from balance_monitor.observability import logger, tracer

RESERVED_SECONDS = 2


@dataclass(frozen=True)
class NotifierCollaborators:
    destinations: CachedSecret[tuple[Destination, ...]]
    undelivered: UndeliveredQueue
    send: Sender


@cache
def collaborators() -> NotifierCollaborators:
    """Built at the first invocation of a container, then reused."""
    settings = NotifierSettings.from_environment(os.environ)
    secret = CachedSecret(
        settings.destinations_secret_id,
        SecretsProvider(boto3_client=aws_client("secretsmanager")),
        parse=parse_destinations,
        error=DestinationsConfigurationError,
        label="notification destinations",
        max_age=WEBHOOK_CACHE_SECONDS,  # an edited secret is used within minutes, no redeploy
    )
    return NotifierCollaborators(
        secret, UndeliveredQueue(aws_client("sqs"), settings.undelivered_queue_url), Channels()
    )


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    parts = collaborators()
    deadline = time.monotonic() + context.get_remaining_time_in_millis() / 1000 - RESERVED_SECONDS
    destinations = parts.destinations.get()
    summary = {"sent": 0, "undelivered": 0, "skipped": 0}
    for record in event["Records"]:
        message = TopicMessage.from_record(record)
        delivery = deliver(message, destinations, send=parts.send, keep=parts.undelivered.keep, deadline=deadline)
        logger.info(
            "delivered",
            extra={"message_id": message.message_id, "sent": delivery.sent, "undelivered": delivery.undelivered},
        )
        summary["sent"] += len(delivery.sent)
        summary["undelivered"] += len(delivery.undelivered)
        summary["skipped"] += delivery.skipped
    return summary
