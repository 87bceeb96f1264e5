"""Lambda entry point of the snooze endpoint: Slack posts here (a function URL) when someone
clicks "Snooze 24 h" or "Snooze until top-up" on an alert. A request is refused, before the
table is touched, unless Slack signed it with the app's signing secret in the last five
minutes and it is a snooze button's click; then the silence is made and the answer goes to
the alert's thread. Slack wants an answer within three seconds."""

from __future__ import annotations

import base64
import binascii
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parameters import SecretsProvider

from balance_monitor.adapters.aws import LazyClient, aws_client
from balance_monitor.adapters.secrets import CachedSecret, signing_secret
from balance_monitor.adapters.silence_store import SilenceStore
from balance_monitor.adapters.slack_webhook import SlackResponseUrl
from balance_monitor.channel_settings import SlackInteractionSettings
from balance_monitor.errors import (
    HistoryStoreError,
    SilenceError,
    SlackConfigurationError,
    SlackDeliveryError,
    SlackRequestError,
)
from balance_monitor.observability import logger, metrics, tracer
from balance_monitor.slack_requests import (
    Snooze,
    failed_reply,
    parse_snooze,
    snooze_silence,
    snoozed_reply,
    verify_signature,
)

ANSWER_SECONDS = 2.5  # Slack shows the clicker an error after 3 s without an answer
STATE_ATTEMPTS = 3  # the silence waits this many times for an alert being sent, within that


@dataclass(frozen=True)
class InteractionCollaborators:
    signing_secret: CachedSecret[str]
    silences: SilenceStore
    responses: SlackResponseUrl


@cache
def collaborators() -> InteractionCollaborators:
    """Built at the first invocation of a container, then reused."""
    return build_collaborators(SlackInteractionSettings.from_environment(os.environ))


def build_collaborators(settings: SlackInteractionSettings) -> InteractionCollaborators:
    """DynamoDB's client is made at the first silence, so a refused request never loads it."""
    return InteractionCollaborators(
        signing_secret=signing_secret(
            settings.signing_secret_id, SecretsProvider(boto3_client=aws_client("secretsmanager"))
        ),
        silences=SilenceStore(LazyClient("dynamodb"), settings.table_name, attempts=STATE_ATTEMPTS),
        responses=SlackResponseUrl(),
    )


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    parts = collaborators()
    now = datetime.now(UTC)
    deadline = time.monotonic() + min(ANSWER_SECONDS, context.get_remaining_time_in_millis() / 1000 - 1)
    try:
        body = request_body(event)
        headers = {str(name).lower(): str(value) for name, value in (event.get("headers") or {}).items()}
        verify_signature(parts.signing_secret.get(), headers, body, now)
        snooze = parse_snooze(body)
    except SlackRequestError as exc:
        logger.warning("request refused", extra={"status": exc.status, "reason": str(exc)})
        metrics.add_metric(name="SlackRequestsRefused", unit=MetricUnit.Count, value=1)
        return answer(exc.status, f"refused: {exc}")
    except SlackConfigurationError as exc:
        logger.error("the Slack signing secret cannot be read", extra={"error": str(exc)})
        metrics.add_metric(name="SnoozesFailed", unit=MetricUnit.Count, value=1)
        return answer(500, "the snooze endpoint is misconfigured")
    fields = {"account": snooze.account, "state": snooze.state, "slack_user": snooze.user_id}
    try:
        silence = snooze_silence(snooze, body, now)
        made = parts.silences.add(silence, now)
    except (SilenceError, HistoryStoreError) as exc:
        logger.error("could not snooze", extra={"error": str(exc), **fields})
        metrics.add_metric(name="SnoozesFailed", unit=MetricUnit.Count, value=1)
        _respond(parts, snooze, failed_reply(snooze, str(exc)), deadline)
        return answer(200, "")
    if not made:
        logger.info("the same click again: its silence exists", extra={"silence": silence.id, **fields})
        metrics.add_metric(name="SlackRequestsRepeated", unit=MetricUnit.Count, value=1)
        return answer(200, "")
    logger.info("snoozed", extra={"silence": silence.id, "until_top_up": silence.until_top_up, **fields})
    metrics.add_metric(name="Snoozes", unit=MetricUnit.Count, value=1)
    _respond(parts, snooze, snoozed_reply(snooze, silence), deadline)
    return answer(200, "")


def request_body(event: dict[str, Any]) -> bytes:
    """The raw body the signature covers, as the function URL delivered it."""
    method = (event.get("requestContext") or {}).get("http", {}).get("method", "POST")
    if method != "POST":
        raise SlackRequestError("only POST", 405)
    body = event.get("body") or ""
    if not isinstance(body, str):
        raise SlackRequestError("no body", 400)
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise SlackRequestError("the body is not valid base64", 400) from None
    return body.encode("utf-8")


def answer(status: int, text: str) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"Content-Type": "text/plain; charset=utf-8"}, "body": text}


def _respond(parts: InteractionCollaborators, snooze: Snooze, reply: dict[str, Any], deadline: float) -> None:
    try:
        parts.responses.post(snooze.response_url, reply, deadline)
    except SlackDeliveryError as exc:  # the silence is made either way
        logger.warning("could not answer in Slack", extra={"error": str(exc), "account": snooze.account})
