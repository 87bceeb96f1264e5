"""Lambda entry point: parse the event, build settings and collaborators once per
container, check every account's balance (or, for the digest schedule's event, send each
account's digest), return a short summary."""

from __future__ import annotations

import os
import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parameters import SecretsProvider

from balance_monitor.adapters.alert_topic import AlertTopic
from balance_monitor.adapters.aws import LazyClient, aws_client
from balance_monitor.adapters.balance_api import BalanceApiClient
from balance_monitor.adapters.history_table import HistoryTable
from balance_monitor.adapters.secrets import AccountConfig, AccountKey, CachedSecret, accounts_secret
from balance_monitor.check import Invocation, check_accounts, check_time
from balance_monitor.errors import AccountsFailedError, ApiKeyError, ConfigurationError, EventTimeError
from balance_monitor.history import format_timestamp
from balance_monitor.observability import MetricsRecorder, logger, metrics, tracer
from balance_monitor.settings import DEFAULT_ACCOUNT, Settings

# Time kept back from the invocation's deadline for writing history and publishing alerts.
RESERVED_SECONDS = 8
LEASE_MARGIN_SECONDS = 30
MAX_CONCURRENT_CHECKS = 32  # accounts checked at once; each provider's pool of connections matches it


@dataclass(frozen=True)
class Collaborators:
    """What the handler works with, built once per container."""

    settings: Settings
    accounts: CachedSecret[dict[str, AccountConfig]]
    balances: BalanceApiClient
    history: HistoryTable
    alerts: AlertTopic


@cache
def collaborators() -> Collaborators:
    """Built at the first invocation of a container, then reused; nothing talks to AWS before."""
    return build_collaborators(Settings.from_environment(os.environ))


def build_collaborators(settings: Settings) -> Collaborators:
    return Collaborators(
        settings=settings,
        accounts=accounts_secret(
            settings.api_key_secret_id, SecretsProvider(boto3_client=aws_client("secretsmanager"))
        ),
        balances=BalanceApiClient(pool_size=MAX_CONCURRENT_CHECKS),
        history=HistoryTable(aws_client("dynamodb"), settings.table_name),
        alerts=AlertTopic(LazyClient("sns"), settings.topic_arn),
    )


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    parts = collaborators()
    now = datetime.now(UTC)
    try:
        checked_at = check_time(event, now)
    except EventTimeError as exc:
        # Retrying cannot mend the event, and running it could move the state to a wrong time.
        logger.error("event refused", extra={"error": str(exc)})
        metrics.add_metric(name="EventsRefused", unit=MetricUnit.Count, value=1)
        return {"result": "refused", "error": str(exc), "now": format_timestamp(now)}
    seconds_left = context.get_remaining_time_in_millis() / 1000
    # Without a readable secret, the default account alone: its check reads it again and says why.
    accounts = {DEFAULT_ACCOUNT: AccountConfig(DEFAULT_ACCOUNT, None)}
    if parts.settings.api_key_secret_id:
        # Read afresh at every invocation (one request, ~$0.015 a month at the default
        # schedule), so an edit to the secret takes effect at the next check.
        with suppress(ApiKeyError, ConfigurationError):
            accounts = parts.accounts.get(refresh=True)
    if isinstance(event, dict) and "digest" in event:  # the digest schedule's event
        languages = {name: config.alert_language or parts.settings.language for name, config in accounts.items()}
        return send_digests(parts, event["digest"], languages, checked_at, context)
    recorder = MetricsRecorder()
    invocation = Invocation(
        history=parts.history,
        alerts=parts.alerts,
        checked_at=checked_at,
        owner=context.aws_request_id,
        lease_seconds=int(seconds_left) + LEASE_MARGIN_SECONDS,
        recorder=recorder,
    )
    outcomes = check_accounts(
        parts.settings,
        accounts,
        invocation,
        key_for=lambda name: AccountKey(parts.accounts, name),
        client=parts.balances,
        deadline=time.monotonic() + seconds_left - RESERVED_SECONDS,
        max_workers=MAX_CONCURRENT_CHECKS,
    )
    recorder.flush()
    if [outcome.account for outcome in outcomes] == [DEFAULT_ACCOUNT]:  # the single-key setup
        [outcome] = outcomes
        tracer.put_annotation(key="account", value=outcome.account)
        summary = outcome.result()
        tracer.put_annotation(key="status", value=summary.status)
        return summary.as_dict()
    failed = [outcome for outcome in outcomes if outcome.error]
    if failed:
        details = "; ".join(f"{outcome.account}: {outcome.error}" for outcome in failed[:5])
        more = f"; and {len(failed) - 5} more, in the logs" if len(failed) > 5 else ""
        raise AccountsFailedError(f"{len(failed)} of {len(outcomes)} accounts failed ({details}{more})")
    return {
        "checked_at": format_timestamp(checked_at),
        "accounts": [outcome.summary.as_dict() for outcome in outcomes if outcome.summary],
    }


def send_digests(
    parts: Collaborators, request: Any, accounts: dict[str, str], at: datetime, context: Any
) -> dict[str, Any]:
    """Each account's digest of the days before `at`'s, in the account's language (`accounts`
    maps each name to it). Its modules are imported here, so that a balance check never loads them."""
    from balance_monitor.adapters.sent_digests import SentDigests
    from balance_monitor.digest_delivery import Delivery, deliver_digests

    delivery = Delivery(
        history=parts.history,
        alerts=parts.alerts,
        sent=SentDigests(aws_client("dynamodb"), parts.settings.table_name),
        owner=context.aws_request_id,
        retention=parts.settings.history_retention,
        deadline=time.monotonic() + context.get_remaining_time_in_millis() / 1000 - RESERVED_SECONDS,
        now=lambda: datetime.now(UTC),
        languages=accounts,
    )
    return deliver_digests(request, list(accounts), at, delivery)
