"""Lambda entry point: parse the event, build settings and collaborators once per
container, run one balance check, return a short summary."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools.utilities.parameters import SecretsProvider

from balance_monitor.adapters.alert_topic import AlertTopic
from balance_monitor.adapters.aws import CLIENT_CONFIG
from balance_monitor.adapters.deepseek import DeepSeekClient
from balance_monitor.adapters.history_table import HistoryTable
from balance_monitor.adapters.secrets import CachedSecret, api_key_secret
from balance_monitor.check import balance_reader, check_time, run_check
from balance_monitor.observability import logger, metrics, tracer
from balance_monitor.settings import Settings

# Time kept back from the invocation's deadline for writing history and publishing alerts.
RESERVED_SECONDS = 8
LEASE_MARGIN_SECONDS = 30


@dataclass(frozen=True)
class Collaborators:
    settings: Settings
    api_key: CachedSecret
    deepseek: DeepSeekClient
    history: HistoryTable
    alerts: AlertTopic


@cache
def collaborators() -> Collaborators:
    """Built at the first invocation of a container, then reused; nothing talks to AWS before."""
    return build_collaborators(Settings.from_environment(os.environ))


def build_collaborators(settings: Settings) -> Collaborators:
    return Collaborators(
        settings=settings,
        api_key=api_key_secret(settings.api_key_secret_id, SecretsProvider(boto_config=CLIENT_CONFIG)),
        deepseek=DeepSeekClient(settings.deepseek_base_url),
        history=HistoryTable(boto3.client("dynamodb", config=CLIENT_CONFIG), settings.table_name),
        alerts=AlertTopic(boto3.client("sns", config=CLIENT_CONFIG), settings.topic_arn),
    )


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    parts = collaborators()
    checked_at = check_time(event, datetime.now(UTC))
    seconds_left = context.get_remaining_time_in_millis() / 1000
    logger.append_keys(account=parts.settings.account)
    tracer.put_annotation(key="account", value=parts.settings.account)

    summary = run_check(
        parts.settings,
        read_balance=balance_reader(parts.api_key, parts.deepseek, time.monotonic() + seconds_left - RESERVED_SECONDS),
        history=parts.history,
        alerts=parts.alerts,
        checked_at=checked_at,
        owner=context.aws_request_id,
        lease_seconds=int(seconds_left) + LEASE_MARGIN_SECONDS,
    )
    tracer.put_annotation(key="status", value=summary.status)
    return summary.as_dict()
