"""Lambda entry point of the Slack notifier: subscribed to the alert topic, it posts each
message to a Slack incoming webhook as Block Kit, with snooze buttons when the stack has the
snooze endpoint (slack_interactions.py). A message that still cannot be posted fails the
invocation; Lambda retries it, then keeps it in the undelivered queue."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.parameters import SecretsProvider

from balance_monitor.adapters.aws import aws_client
from balance_monitor.adapters.secrets import webhook_secret
from balance_monitor.adapters.slack_webhook import SlackWebhook
from balance_monitor.channel_settings import SlackSettings
from balance_monitor.chat_messages import slack_message
from balance_monitor.errors import SlackDeliveryError
from balance_monitor.observability import logger, tracer

RESERVED_SECONDS = 2


@dataclass(frozen=True)
class SlackCollaborators:
    webhook: SlackWebhook
    snooze_buttons: bool = False


@cache
def collaborators() -> SlackCollaborators:
    """Built at the first invocation of a container, then reused."""
    settings = SlackSettings.from_environment(os.environ)
    url = webhook_secret(settings.webhook_secret_id, SecretsProvider(boto3_client=aws_client("secretsmanager")))
    return SlackCollaborators(webhook=SlackWebhook(url), snooze_buttons=settings.snooze_buttons)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    parts = collaborators()
    deadline = time.monotonic() + context.get_remaining_time_in_millis() / 1000 - RESERVED_SECONDS
    for record in event["Records"]:
        notification = record["Sns"]
        attributes = {name: item.get("Value") for name, item in notification.get("MessageAttributes", {}).items()}
        try:
            message = slack_message(notification["Message"], notification.get("Subject"), snooze=parts.snooze_buttons)
            parts.webhook.post(message, deadline)
        except SlackDeliveryError as exc:
            logger.error("could not post to Slack", extra={"error": str(exc), **attributes})
            raise
        logger.info("posted to Slack", extra={"message_id": notification["MessageId"], **attributes})
    return {"posted": len(event["Records"])}
