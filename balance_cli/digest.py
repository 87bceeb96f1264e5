"""`deepseek-balance digest`: the digest the deployed function sends, made here from the
stack's history with the same Query and the same code, for the same whole UTC days."""

from __future__ import annotations

import re
from datetime import datetime

import boto3
from botocore.exceptions import ClientError, NoCredentialsError

from balance_cli.errors import CommandError, UsageError
from balance_monitor.adapters.history_table import HistoryTable
from balance_monitor.alert_messages import AlertMessage
from balance_monitor.digest import DEFAULT_DAYS, LOOKBACK, MAX_DAYS, Period, render_digest, summarise
from balance_monitor.errors import HistoryStoreError
from balance_monitor.texts import DEFAULT_LANGUAGE

_DAYS = re.compile(r"(\d+)d")


def digest_days(since: str | None) -> int:
    match = _DAYS.fullmatch((since or f"{DEFAULT_DAYS}d").strip())
    if not match or not 1 <= int(match[1]) <= MAX_DAYS:
        raise UsageError(f"--since {since!r}: give whole days, from 1d to {MAX_DAYS}d (default {DEFAULT_DAYS}d)")
    return int(match[1])


def make_digest(
    table_name: str, account: str, days: int, now: datetime, language: str = DEFAULT_LANGUAGE
) -> AlertMessage:
    """The digest of the `days` whole UTC days before today, as the function would publish it now,
    written in `language`."""
    period = Period.days_before(now, days)
    table = HistoryTable(boto3.client("dynamodb"), table_name)
    try:
        state = table.load_state(account)
        records = list(table.checks_between(account, period.start - LOOKBACK, period.end))
    except NoCredentialsError:
        raise UsageError("no AWS credentials: run `aws configure`, or set AWS_PROFILE") from None
    except (HistoryStoreError, ClientError) as exc:
        raise CommandError(f"could not read table {table_name!r}: {exc}") from None
    return render_digest(summarise(account, records, period, state), language)
