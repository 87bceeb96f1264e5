"""Silences in the history table, made and ended by the command and by Slack's snooze button.

Each silence is two things written in one transaction: its own item (record "silence#<id>",
the audit trail `silence list` reads, kept KEPT_AFTER_END past its end, then removed by TTL),
and a copy in the account's state item, which the check reads anyway. The transaction bumps
the state's `version`, so a check that read the state before it is refused its write, reads
again and decides with the silence. It waits for an alert being sent (a live lease) to be
recorded first, so it never makes a check that already published fail to record it.

Both writes are UpdateItem: the snooze function's role may do nothing else to the table.
A check prunes the copies of silences that are over when it writes the state, so what a
check reads grows with the silences in force, never with the silences ever made.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from balance_monitor.adapters.aws import AWS_ERRORS, error_code
from balance_monitor.adapters.history_table import (
    SILENCE_PREFIX,
    STATE_RECORD,
    _key,
    _plain,
    _state_from_item,
    _store_error,
    _values,
    silence_copy,
)
from balance_monitor.errors import HistoryStoreError, SilenceError, UnknownSilenceError
from balance_monitor.history import format_timestamp, parse_timestamp
from balance_monitor.silences import KEPT_AFTER_END, MAX_ACTIVE, Silence

STATE_ATTEMPTS = 5
STATE_RETRY_SECONDS = 0.25
_NO_LIVE_LEASE = "(attribute_not_exists(lease_until) OR lease_until < :now)"


@dataclass(frozen=True)
class StoredSilence:
    """A silence as `silence list` shows it."""

    silence: Silence
    in_force: bool  # its copy is in the state (a check prunes it within one schedule of its end)
    expired_at: datetime | None = None  # ended early, by `silence expire`
    expired_by: str | None = None

    def status(self, now: datetime) -> str:
        if self.expired_at:
            return f"expired {_minute(self.expired_at)} by {self.expired_by}"
        if now >= self.silence.ends:
            return f"ended {_minute(self.silence.ends)}"
        if self.in_force:
            return "in force"
        # A copy leaves the state early only when expired (above) or when a top-up ends it.
        return "ended at a top-up"


class _BusyError(Exception):
    """An alert is being sent for this account: try again shortly."""


class SilenceStore:
    def __init__(
        self,
        client: Any,
        table_name: str,
        *,
        attempts: int = STATE_ATTEMPTS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._table = table_name
        self._attempts = attempts
        self._sleep = sleep

    def add(self, silence: Silence, now: datetime) -> bool:
        """Make the silence. False when one with its id exists already: the same request twice."""
        return bool(self._retrying(lambda: self._add(silence, now)))

    def expire(self, account: str, silence_id: str, by: str, now: datetime) -> Silence:
        """End a silence in force now; the next check publishes what it holds back."""
        found = self._call(
            "get_item",
            TableName=self._table,
            Key=_key(account, SILENCE_PREFIX + silence_id),
            ConsistentRead=True,
        ).get("Item")
        if not found:
            raise UnknownSilenceError(f"account {account!r} has no silence {silence_id} (see `silence list --all`)")
        stored = stored_silence(_plain(found), in_force=True)
        if stored.expired_at or now >= stored.silence.ends:
            raise SilenceError(f"silence {silence_id} is already over: {stored.status(now)}")
        self._retrying(lambda: self._expire(stored.silence, by, now))
        return stored.silence

    def silences(self, account: str, now: datetime) -> list[StoredSilence]:
        """Every silence of the account still kept, oldest first: one Query and the state."""
        state = self._call("get_item", TableName=self._table, Key=_key(account, STATE_RECORD), ConsistentRead=True)
        in_force = {silence.id for silence in _state_from_item(_plain(state.get("Item", {}))).silences}
        paginator = self._client.get_paginator("query")
        try:
            pages = paginator.paginate(
                TableName=self._table,
                KeyConditionExpression="account = :account AND begins_with(#record, :prefix)",
                ExpressionAttributeNames={"#record": "record"},
                ExpressionAttributeValues=_values(account=account, prefix=SILENCE_PREFIX),
                ConsistentRead=True,
            )
            items = [_plain(item) for page in pages for item in page["Items"]]
        except AWS_ERRORS as exc:
            raise _store_error("query", exc) from exc
        at = format_timestamp(now)  # the same format as `ends`, so they compare in time order
        found = [stored_silence(item, in_force=item["id"] in in_force and at < item["ends"]) for item in items]
        return sorted(found, key=lambda stored: (stored.silence.starts, stored.silence.id))

    def _add(self, silence: Silence, now: datetime) -> bool:
        try:
            self._transact(
                self._create_silence_item(silence),
                self._state_update(
                    silence.account,
                    "SET silences.#id = :copy, version = if_not_exists(version, :zero) + :one",
                    f"{_NO_LIVE_LEASE} AND size(silences) < :most",
                    silence.id,
                    copy=silence_copy(silence),
                    zero=0,
                    one=1,
                    most=MAX_ACTIVE,
                    now=int(now.timestamp()),
                ),
            )
            return True
        except _CancelledError as cancelled:
            if cancelled.failed(0):
                return False  # made already
            state = cancelled.item(1)
            if cancelled.failed(1) and "silences" in state:
                raise self._refusal(state, now, silence.account) from None
            if cancelled.failed(1) or cancelled.invalid_path:
                return self._add_first(silence, now)  # the state item has no silences map
            raise _BusyError from None  # another transaction on the state item: try again

    def _add_first(self, silence: Silence, now: datetime) -> bool:
        """The state item has no silences map yet (no check has written it since this version)."""
        try:
            self._transact(
                self._create_silence_item(silence),
                self._state_update(
                    silence.account,
                    "SET silences = :silences, version = if_not_exists(version, :zero) + :one",
                    f"{_NO_LIVE_LEASE} AND attribute_not_exists(silences)",
                    None,
                    silences={silence.id: silence_copy(silence)},
                    zero=0,
                    one=1,
                    now=int(now.timestamp()),
                ),
            )
            return True
        except _CancelledError as cancelled:
            if cancelled.failed(0):
                return False
            # An alert being sent, or a check wrote the map meanwhile: the next attempt adds to it.
            raise self._refusal(cancelled.item(1), now, silence.account) from None

    def _expire(self, silence: Silence, by: str, now: datetime) -> None:
        try:
            self._transact(
                {
                    "TableName": self._table,
                    "Key": _key(silence.account, SILENCE_PREFIX + silence.id),
                    "UpdateExpression": "SET expired_at = :at, expired_by = :by",
                    "ConditionExpression": "attribute_exists(#record) AND attribute_not_exists(expired_at)",
                    "ExpressionAttributeNames": {"#record": "record"},
                    "ExpressionAttributeValues": _values(at=format_timestamp(now), by=by),
                },
                self._state_update(
                    silence.account,
                    "REMOVE silences.#id SET version = version + :one",
                    f"{_NO_LIVE_LEASE} AND attribute_exists(silences.#id)",
                    silence.id,
                    one=1,
                    now=int(now.timestamp()),
                ),
            )
        except _CancelledError as cancelled:
            if cancelled.failed(0):
                raise SilenceError(f"silence {silence.id} was expired meanwhile") from None
            item = cancelled.item(1)
            if _lease_is_live(item, now):
                raise _BusyError from None
            raise SilenceError(f"silence {silence.id} is already over (a top-up ended it)") from None

    @staticmethod
    def _refusal(state: dict[str, Any], now: datetime, account: str) -> Exception:
        """Why the state refused a new silence: too many already, or busy (try again)."""
        if not _lease_is_live(state, now) and len(state.get("silences", {})) >= MAX_ACTIVE:
            return SilenceError(
                f"account {account!r} already has {MAX_ACTIVE} silences in force: expire one first (`silence list`)"
            )
        return _BusyError()

    def _create_silence_item(self, silence: Silence) -> dict[str, Any]:
        item = silence_item(silence)
        del item["account"], item["record"]
        names = {f"#f{index}": name for index, name in enumerate(item)}
        values = {f"f{index}": value for index, value in enumerate(item.values())}
        return {
            "TableName": self._table,
            "Key": _key(silence.account, SILENCE_PREFIX + silence.id),
            "UpdateExpression": "SET " + ", ".join(f"{name} = :{name[1:]}" for name in names),
            "ConditionExpression": "attribute_not_exists(#record)",
            "ExpressionAttributeNames": {**names, "#record": "record"},
            "ExpressionAttributeValues": _values(**values),
        }

    def _state_update(
        self, account: str, expression: str, condition: str, silence_id: str | None, **values: Any
    ) -> dict[str, Any]:
        update: dict[str, Any] = {
            "TableName": self._table,
            "Key": _key(account, STATE_RECORD),
            "UpdateExpression": expression,
            "ConditionExpression": condition,
            "ExpressionAttributeValues": _values(**values),
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        if silence_id is not None:
            update["ExpressionAttributeNames"] = {"#id": silence_id}
        return update

    def _transact(self, silence_update: dict[str, Any], state_update: dict[str, Any]) -> None:
        try:
            self._client.transact_write_items(TransactItems=[{"Update": silence_update}, {"Update": state_update}])
        except AWS_ERRORS as exc:
            if isinstance(exc, ClientError):
                cancelled = _CancelledError.of(exc)
                if cancelled is not None:
                    raise cancelled from None
            raise _store_error("transact_write_items", exc) from exc

    def _retrying(self, attempt: Callable[[], Any]) -> Any:
        for tried in range(self._attempts):
            if tried:
                self._sleep(STATE_RETRY_SECONDS * tried)
            try:
                return attempt()
            except _BusyError:
                continue
        raise HistoryStoreError("an alert for this account is being sent and holds its state; try again in a minute")

    def _call(self, operation: str, **request: Any) -> dict[str, Any]:
        try:
            return getattr(self._client, operation)(**request)
        except AWS_ERRORS as exc:
            raise _store_error(operation, exc) from exc


class _CancelledError(Exception):
    """A transaction DynamoDB refused: which of its items failed their condition, and why."""

    def __init__(self, reasons: list[dict[str, Any]], invalid_path: bool) -> None:
        super().__init__("transaction cancelled")
        self.reasons = reasons
        self.invalid_path = invalid_path

    @classmethod
    def of(cls, exc: ClientError) -> _CancelledError | None:
        code = error_code(exc)
        message = str(exc.response.get("Error", {}).get("Message", ""))
        reasons = list(exc.response.get("CancellationReasons", []))
        # A path inside a map the item lacks: DynamoDB reports it as a ValidationError reason of
        # a cancelled transaction; emulators as a ValidationException, or a ValueError reason.
        invalid_path = (code == "ValidationException" and "document path" in message) or any(
            reason.get("Code") in ("ValidationError", "ValueError") for reason in reasons
        )
        if code == "TransactionCanceledException" or invalid_path:
            return cls(reasons, invalid_path)
        return None

    def failed(self, index: int) -> bool:
        return len(self.reasons) > index and self.reasons[index].get("Code") == "ConditionalCheckFailed"

    def item(self, index: int) -> dict[str, Any]:
        if not self.failed(index):
            return {}
        return _plain(self.reasons[index].get("Item", {}))


def silence_item(silence: Silence) -> dict[str, Any]:
    """A silence's own item: everything about it, and when DynamoDB may remove it."""
    item: dict[str, Any] = {
        "account": silence.account,
        "record": SILENCE_PREFIX + silence.id,
        "id": silence.id,
        "states": list(silence.states),
        "starts": format_timestamp(silence.starts),
        "ends": format_timestamp(silence.ends),
        "until_top_up": silence.until_top_up,
        "reason": silence.reason,
        "created_by": silence.created_by,
        "created_at": format_timestamp(silence.created_at or silence.starts),
        "expires_at": int((silence.ends + KEPT_AFTER_END).timestamp()),
    }
    return item


def stored_silence(item: dict[str, Any], *, in_force: bool) -> StoredSilence:
    silence = Silence(
        id=item["id"],
        starts=parse_timestamp(item["starts"]),
        ends=parse_timestamp(item["ends"]),
        states=tuple(item.get("states", ())),
        until_top_up=bool(item.get("until_top_up", False)),
        account=item["account"],
        reason=item.get("reason", ""),
        created_by=item.get("created_by", ""),
        created_at=parse_timestamp(item["created_at"]) if "created_at" in item else None,
    )
    expired_at = parse_timestamp(item["expired_at"]) if "expired_at" in item else None
    return StoredSilence(silence, in_force and expired_at is None, expired_at, item.get("expired_by"))


def _minute(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _lease_is_live(state: dict[str, Any], now: datetime) -> bool:
    lease_until = state.get("lease_until")
    return lease_until is not None and int(lease_until) >= int(now.astimezone(UTC).timestamp())
