"""`deepseek-balance silence add | list | expire`: hold back one account's alerts and reminders
for a while, see which silences there are, end one early. Each is kept in the history table
(balance_monitor/adapters/silence_store.py): made, listed and ended here, never by editing items."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import boto3
from botocore.exceptions import ClientError, NoCredentialsError

from balance_cli import errors
from balance_cli.errors import CommandError, UsageError
from balance_cli.history import duration, moment, now
from balance_cli.output import table
from balance_monitor.adapters.silence_store import SilenceStore, StoredSilence, silence_item
from balance_monitor.alert_lifecycle import SILENCED_ONLY_BY_NAME
from balance_monitor.alert_messages import format_time
from balance_monitor.errors import HistoryStoreError, SilenceError, UnknownSilenceError
from balance_monitor.silences import Silence, make_silence


def add(
    table_name: str,
    account: str,
    states: list[str] | None,
    for_: str | None,
    until: str | None,
    until_top_up: bool,
    reason: str,
    *,
    as_json: bool,
) -> int:
    started = now()
    if for_ is not None:
        ends: datetime | None = started + duration("--for", for_)
    elif until is not None:
        ends = moment("--until", until)
    else:
        ends = None
    try:
        silence = make_silence(
            silence_id=secrets.token_hex(4),
            account=account,
            states=tuple(states or ()),
            now=started,
            ends=ends,
            until_top_up=until_top_up,
            reason=reason,
            created_by=_caller(),
        )
    except SilenceError as exc:
        raise UsageError(str(exc)) from None
    try:
        with _store_errors(table_name):
            _store(table_name).add(silence, started)
    except SilenceError as exc:
        raise CommandError(str(exc)) from None
    if as_json:
        print(json.dumps(as_document(StoredSilence(silence, in_force=True), started), indent=2))
        return errors.OK
    print(f"Silence {silence.id} holds back {describe(silence)}.")
    print(f"Reason: {silence.reason}. End it early with `deepseek-balance silence expire {silence.id}`.")
    return errors.OK


def list_silences(table_name: str, account: str, *, everything: bool, as_json: bool) -> int:
    at = now()
    with _store_errors(table_name):
        found = _store(table_name).silences(account, at)
    shown = [stored for stored in found if everything or stored.in_force]
    if as_json:
        print(json.dumps([as_document(stored, at) for stored in shown], indent=2))
        return errors.OK
    if not shown:
        more = "" if everything else "; --all also shows those that are over"
        print(f"No silences of account {account}{' in force' if not everything else ''}{more}.")
        return errors.OK
    rows = [
        [
            stored.silence.id,
            ", ".join(stored.silence.states) or "all but " + ", ".join(sorted(SILENCED_ONLY_BY_NAME)),
            format_time(stored.silence.starts),
            format_time(stored.silence.ends) + (" or a top-up" if stored.silence.until_top_up else ""),
            stored.status(at),
            stored.silence.created_by,
            stored.silence.reason,
        ]
        for stored in shown
    ]
    print(table(["id", "states", "from", "until", "status", "by", "reason"], rows))
    return errors.OK


def expire(table_name: str, account: str, silence_id: str) -> int:
    at = now()
    try:
        with _store_errors(table_name):
            silence = _store(table_name).expire(account, silence_id.strip().lower(), _caller(), at)
    except UnknownSilenceError as exc:
        raise CommandError(str(exc), errors.NOTHING_FOUND) from None
    except SilenceError as exc:
        print(str(exc)[0].upper() + str(exc)[1:] + ".")
        return errors.OK
    print(f"Silence {silence.id} is over. The next check publishes what the account's state calls for.")
    return errors.OK


def describe(silence: Silence) -> str:
    """What a silence holds back, whose, and for how long, in words."""
    if silence.states:
        what = "the alerts and reminders about " + ", ".join(silence.states)
    else:
        what = "every alert and reminder but those about " + ", ".join(sorted(SILENCED_ONLY_BY_NAME))
    until = f"until {format_time(silence.ends)}"
    if silence.until_top_up:
        until = f"until the next top-up, or {format_time(silence.ends)} at the latest"
    return f"{what} for account {silence.account}, from {format_time(silence.starts)} {until}"


def as_document(stored: StoredSilence, at: datetime) -> dict[str, Any]:
    """The silence as its own item holds it, less the table's keys, and where it stands at `at`."""
    document = silence_item(stored.silence)
    del document["record"], document["expires_at"]
    return {**document, "in_force": stored.in_force, "status": stored.status(at), "expired_by": stored.expired_by}


def _store(table_name: str) -> SilenceStore:
    return SilenceStore(boto3.client("dynamodb"), table_name)


def _caller() -> str:
    """Who is making or ending the silence, as AWS knows them: their ARN."""
    try:
        return str(boto3.client("sts").get_caller_identity()["Arn"])
    except NoCredentialsError:
        raise UsageError("no AWS credentials: run `aws configure`, or set AWS_PROFILE") from None


@contextmanager
def _store_errors(table_name: str) -> Iterator[None]:
    """The table's errors in one line each, naming the table."""
    try:
        yield
    except NoCredentialsError:
        raise UsageError("no AWS credentials: run `aws configure`, or set AWS_PROFILE") from None
    except (HistoryStoreError, ClientError) as exc:
        raise CommandError(f"table {table_name!r}: {exc}") from None
