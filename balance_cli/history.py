"""`deepseek-balance history`: a deployed stack's checks over a time range, read with the
same Query the function uses (never a Scan)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.exceptions import ClientError, NoCredentialsError

from balance_cli import errors
from balance_cli.errors import CommandError, UsageError
from balance_cli.output import amount, exact_amounts, table
from balance_monitor.adapters.history_table import HistoryTable
from balance_monitor.alert_messages import exact_amount
from balance_monitor.errors import HistoryStoreError
from balance_monitor.history import CheckRecord, format_timestamp, parse_timestamp

_DURATION = re.compile(r"(\d+)([mhd])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def time_range(since: str | None, start: str | None, end: str | None, now: datetime) -> tuple[datetime, datetime]:
    until = moment("--to", end) if end else now
    if start:
        begin = moment("--from", start)
        if begin > until:
            raise UsageError(f"--from {start} is after --to {end or 'now'}: swap them, or widen the range")
        return begin, until
    return until - duration("--since", since or "7d"), until


def duration(flag: str, text: str) -> timedelta:
    """`90m`, `24h`, `7d`."""
    match = _DURATION.fullmatch(text.strip())
    if not match:
        raise UsageError(f"{flag} {text!r}: give a duration like 90m, 24h or 7d")
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


def moment(flag: str, text: str) -> datetime:
    try:
        return parse_timestamp(text)
    except ValueError:
        raise UsageError(f"{flag} {text!r} is not a time with its zone: give one like 2026-11-25T08:00:00Z") from None


def read_history(table_name: str, account: str, start: datetime, end: datetime) -> list[CheckRecord]:
    try:
        records = list(HistoryTable(boto3.client("dynamodb"), table_name).checks_between(account, start, end))
    except NoCredentialsError:
        raise UsageError("no AWS credentials: run `aws configure`, or set AWS_PROFILE") from None
    except (HistoryStoreError, ClientError) as exc:
        raise CommandError(f"could not read table {table_name!r}: {exc}") from None
    if not records:
        raise CommandError(
            f"no checks of account {account!r} from {format_timestamp(start)} to {format_timestamp(end)}: "
            "widen the range with --since or --from",
            errors.NOTHING_FOUND,
        )
    return records


def currencies(records: list[CheckRecord]) -> list[str]:
    found = {
        currency for record in records if record.observation.report for currency in record.observation.report.balances
    }
    return sorted(found)


def as_json(records: list[CheckRecord]) -> list[dict[str, Any]]:
    rows = []
    for record in records:
        report = record.observation.report
        rows.append(
            {
                "checked_at": format_timestamp(record.checked_at),
                "provider": record.provider,
                "outcome": record.observation.outcome.value,
                "status": record.status and record.status.value,
                "notification": record.notification and record.notification.value,
                "is_available": report.is_available if report else None,
                "balances": {
                    currency: exact_amounts(balance)
                    for currency, balance in (report.balances.items() if report else [])
                },
                "events": [
                    {"kind": event.kind, "currency": event.currency, "amount": exact_amount(event.amount)}
                    for event in record.events
                ],
                "error": record.observation.error,
                "held": record.held and record.held.value,
                "silenced_by": record.silenced_by,
            }
        )
    return rows


def as_table(records: list[CheckRecord]) -> str:
    names = currencies(records)
    return table(["checked at", "outcome", "state", *names, "notes"], [_row(record, names) for record in records])


def as_csv(records: list[CheckRecord]) -> str:
    names = currencies(records)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["checked_at", "outcome", "state", *(f"{name}_total" for name in names), "notes"])
    for record in records:
        row = _row(record, names)
        row[3 : 3 + len(names)] = [cell.replace(",", "") if cell != "-" else "" for cell in row[3 : 3 + len(names)]]
        writer.writerow(row)
    return buffer.getvalue()


def _row(record: CheckRecord, names: list[str]) -> list[str]:
    report = record.observation.report
    totals = [amount(report.balances[name].total) if report and name in report.balances else "-" for name in names]
    notes = [
        record.notification and f"{record.notification.value} sent",
        record.held and f"{record.held.value} held by silence {record.silenced_by}",
        report and not report.is_available and "unavailable",
        *(f"{event.kind.replace('_', '-')} {event.currency} {amount(event.amount)}" for event in record.events),
        record.observation.error,
    ]
    state = record.status.value if record.status else "(unchanged)"
    return [
        format_timestamp(record.checked_at),
        record.observation.outcome.value,
        state,
        *totals,
        "; ".join(note for note in notes if note),
    ]


def now() -> datetime:
    return datetime.now(UTC)
