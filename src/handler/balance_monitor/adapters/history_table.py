"""The DynamoDB table that holds every check and each account's alert state.

Key design (single table, one partition per account):
    account = "default"   record = "check#2026-11-25T19:30:00Z"   one item per check, with TTL
    account = "default"   record = "state"                         the alert state, no TTL
    account = "default"   record = "silence#1a2b3c4d"              one item per silence, with TTL
so one account's checks over a time range are one Query, never a Scan.
State writes are conditional on the version read, and a notification is claimed with a
lease before it is published, so two racing invocations cannot both send it. The silences
not yet over are copied into the state item (adapters/silence_store.py writes both), so a
check reads them with the state it reads anyway.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from balance_monitor.adapters.aws import AWS_ERRORS, error_code
from balance_monitor.alert_lifecycle import AlertState, CheckOutcome, NotificationKind, Observation, Status
from balance_monitor.balance import BalanceReport, CurrencyBalance
from balance_monitor.errors import HistoryStoreError
from balance_monitor.history import CheckRecord, format_timestamp, parse_timestamp
from balance_monitor.providers import DEFAULT_PROVIDER
from balance_monitor.silences import Silence
from balance_monitor.spend import CurrencySpend, Interval, SpendEvent

CHECK_PREFIX = "check#"
STATE_RECORD = "state"
SILENCE_PREFIX = "silence#"
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class HistoryTable:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def load_state(self, account: str) -> AlertState:
        response = self._call(
            "get_item",
            TableName=self._table,
            Key=_key(account, STATE_RECORD),
            ConsistentRead=True,
        )
        return _state_from_item(_plain(response.get("Item", {})))

    def claim_notification(self, account: str, version: int, owner: str, lease_until: int, now: int) -> bool:
        """Take the right to publish the notification decided from state `version`."""
        condition = _state_unchanged(version, now=now)
        condition["ExpressionAttributeValues"].update(_values(new_owner=owner, until=lease_until))
        return self._conditional(
            "update_item",
            TableName=self._table,
            Key=_key(account, STATE_RECORD),
            UpdateExpression="SET lease_owner = :new_owner, lease_until = :until",
            **condition,
        )

    def release_claim(self, account: str, owner: str) -> None:
        self._conditional(
            "update_item",
            TableName=self._table,
            Key=_key(account, STATE_RECORD),
            UpdateExpression="REMOVE lease_owner, lease_until",
            ConditionExpression="lease_owner = :owner",
            ExpressionAttributeValues=_values(owner=owner),
        )

    def commit(self, record: CheckRecord, state: AlertState, *, owner: str | None, now: int) -> bool:
        """Write the check and the state it led to, in one transaction. False when another
        invocation moved the state on first (the caller re-reads and decides again)."""
        condition = _state_unchanged(state.version - 1, owner=owner, now=now)
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": self._table, "Item": _serialize(_check_item(record))}},
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": _serialize(_state_item(record.account, state)),
                            **condition,
                        }
                    },
                ]
            )
        except AWS_ERRORS as exc:
            reasons = exc.response.get("CancellationReasons", []) if isinstance(exc, ClientError) else []
            if any(reason.get("Code") == "ConditionalCheckFailed" for reason in reasons):
                return False
            raise _store_error("transact_write_items", exc) from exc
        return True

    def put_check(self, record: CheckRecord, *, only_if_absent: bool = False) -> bool:
        """Write one check record; with only_if_absent, keep an existing record for that time."""
        options = {"ConditionExpression": "attribute_not_exists(account)"} if only_if_absent else {}
        return self._conditional("put_item", TableName=self._table, Item=_serialize(_check_item(record)), **options)

    def checks_between(self, account: str, start: datetime, end: datetime) -> Iterator[CheckRecord]:
        """One account's checks from start to end inclusive, oldest first, by Query."""
        paginator = self._client.get_paginator("query")
        try:
            pages = paginator.paginate(
                TableName=self._table,
                KeyConditionExpression="account = :account AND #record BETWEEN :start AND :end",
                ExpressionAttributeNames={"#record": "record"},
                ExpressionAttributeValues=_values(
                    account=account,
                    start=CHECK_PREFIX + format_timestamp(start),
                    end=CHECK_PREFIX + format_timestamp(end),
                ),
            )
            for page in pages:
                for item in page["Items"]:
                    yield check_from_item(_plain(item))
        except AWS_ERRORS as exc:
            raise _store_error("query", exc) from exc

    def _call(self, operation: str, **request: Any) -> dict[str, Any]:
        try:
            return getattr(self._client, operation)(**request)
        except AWS_ERRORS as exc:
            raise _store_error(operation, exc) from exc

    def _conditional(self, operation: str, **request: Any) -> bool:
        try:
            getattr(self._client, operation)(**request)
        except AWS_ERRORS as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise _store_error(operation, exc) from exc
        return True


def check_from_item(item: dict[str, Any]) -> CheckRecord:
    balances = {
        currency: CurrencyBalance(
            currency=currency,
            total=amounts.get("total"),
            granted=amounts.get("granted"),
            topped_up=amounts.get("topped_up"),
        )
        for currency, amounts in sorted(item.get("balances", {}).items())
    }
    report = None
    if "is_available" in item and balances:
        report = BalanceReport(is_available=item["is_available"], balances=balances)
    return CheckRecord(
        account=item["account"],
        checked_at=parse_timestamp(item["checked_at"]),
        observation=Observation(outcome=CheckOutcome(item["outcome"]), report=report, error=item.get("error")),
        expires_at=datetime.fromtimestamp(int(item["expires_at"]), tz=UTC),
        status=Status(item["status"]) if "status" in item else None,
        notification=NotificationKind(item["notification"]) if "notification" in item else None,
        alert_error=item.get("alert_error"),
        events=tuple(SpendEvent(event["kind"], event["currency"], event["amount"]) for event in item.get("events", [])),
        held=NotificationKind(item["held"]) if "held" in item else None,
        silenced_by=item.get("silenced_by"),
        provider=item.get("provider", DEFAULT_PROVIDER),
    )


def _check_item(record: CheckRecord) -> dict[str, Any]:
    observation = record.observation
    item: dict[str, Any] = {
        "account": record.account,
        "record": CHECK_PREFIX + format_timestamp(record.checked_at),
        "checked_at": format_timestamp(record.checked_at),
        "outcome": observation.outcome.value,
        "expires_at": int(record.expires_at.timestamp()),
    }
    if observation.report:
        item["is_available"] = observation.report.is_available
        item["balances"] = {
            currency: {
                name: amount
                for name, amount in (
                    ("total", balance.total),
                    ("granted", balance.granted),
                    ("topped_up", balance.topped_up),
                )
                if amount is not None  # unknown stays absent, never 0
            }
            for currency, balance in observation.report.balances.items()
        }
    optional = {
        "error": observation.error,
        "status": record.status,
        "notification": record.notification,
        "alert_error": record.alert_error,
        "held": record.held,
        "silenced_by": record.silenced_by,
        "provider": record.provider if record.provider != DEFAULT_PROVIDER else None,
    }
    item.update({name: str(value) for name, value in optional.items() if value is not None})
    if record.events:
        item["events"] = [
            {"kind": event.kind, "currency": event.currency, "amount": event.amount} for event in record.events
        ]
    return item


def _state_item(account: str, state: AlertState) -> dict[str, Any]:
    item: dict[str, Any] = {
        "account": account,
        "record": STATE_RECORD,
        "status": state.status.value,
        "last_check_failed": state.last_check_failed,
        "consecutive_failures": state.consecutive_failures,
        "version": state.version,
    }
    for name in ("since", "last_check_at", "last_notified_at", "problem_since"):
        moment = getattr(state, name)
        if moment is not None:
            item[name] = format_timestamp(moment)
    item["spend"] = {currency: _spend_item(aggregates) for currency, aggregates in state.spend.items()}
    # Always a map, even empty, so that a silence can be added to it by path (silence_store.py).
    item["silences"] = {silence.id: silence_copy(silence) for silence in state.silences}
    if state.notification_held:
        item["notification_held"] = True
    return item


def silence_copy(silence: Silence) -> dict[str, Any]:
    """What a check needs of a silence, as the state item holds it."""
    copy: dict[str, Any] = {"starts": format_timestamp(silence.starts), "ends": format_timestamp(silence.ends)}
    if silence.states:
        copy["states"] = list(silence.states)
    if silence.until_top_up:
        copy["until_top_up"] = True
    return copy


def _silence_from_copy(silence_id: str, copy: dict[str, Any]) -> Silence:
    return Silence(
        id=silence_id,
        starts=parse_timestamp(copy["starts"]),
        ends=parse_timestamp(copy["ends"]),
        states=tuple(copy.get("states", ())),
        until_top_up=bool(copy.get("until_top_up", False)),
    )


def _spend_item(spend: CurrencySpend) -> dict[str, Any]:
    item: dict[str, Any] = {
        "at": format_timestamp(spend.at),
        "total": spend.total,
        "hourly": list(spend.hourly),
        "recent": [
            {"start": format_timestamp(i.start), "end": format_timestamp(i.end), "spend": i.spend} for i in spend.recent
        ],
    }
    optional = {
        "granted": spend.granted,
        "topped_up": spend.topped_up,
        "observed_since": spend.observed_since and format_timestamp(spend.observed_since),
    }
    item.update({name: value for name, value in optional.items() if value is not None})
    return item


def _spend_from_item(item: dict[str, Any]) -> CurrencySpend:
    # A state written before hourly spend was kept starts learning again (its rate is not reused).
    since = item.get("observed_since") if "hourly" in item else None
    return CurrencySpend(
        at=parse_timestamp(item["at"]),
        total=item["total"],
        granted=item.get("granted"),
        topped_up=item.get("topped_up"),
        observed_since=parse_timestamp(since) if since else None,
        hourly=tuple(item.get("hourly", ())),
        recent=tuple(
            Interval(parse_timestamp(i["start"]), parse_timestamp(i["end"]), i["spend"]) for i in item["recent"]
        ),
    )


def _state_from_item(item: dict[str, Any]) -> AlertState:
    if "version" not in item:
        return AlertState()  # never checked (a bare lease may exist while the first alert is sent)
    silences = tuple(
        sorted(
            (_silence_from_copy(silence_id, copy) for silence_id, copy in item.get("silences", {}).items()),
            key=lambda silence: (silence.starts, silence.id),
        )
    )
    if "status" not in item and "silences" in item:  # never checked, but silenced already
        return AlertState(version=int(item["version"]), silences=silences)

    def moment(name: str) -> datetime | None:
        return parse_timestamp(item[name]) if name in item else None

    return AlertState(
        status=Status(item["status"]),
        since=moment("since"),
        last_check_at=moment("last_check_at"),
        last_check_failed=item["last_check_failed"],
        consecutive_failures=int(item["consecutive_failures"]),
        last_notified_at=moment("last_notified_at"),
        version=int(item["version"]),
        spend={currency: _spend_from_item(spend) for currency, spend in item.get("spend", {}).items()},
        silences=silences,
        notification_held=bool(item.get("notification_held", False)),
        problem_since=moment("problem_since"),
    )


def _state_unchanged(version: int, *, owner: str | None = None, now: int) -> dict[str, Any]:
    """Condition that the state item is still at `version` (0: never written) and that its
    lease is held by `owner`, or, without an owner, that no live lease is held."""
    conditions = ["version = :version" if version else "attribute_not_exists(version)"]
    values: dict[str, Any] = {"version": version} if version else {}
    if owner is None:
        conditions.append("(attribute_not_exists(lease_until) OR lease_until < :now)")
        values["now"] = now
    else:
        conditions.append("lease_owner = :owner")
        values["owner"] = owner
    return {"ConditionExpression": " AND ".join(conditions), "ExpressionAttributeValues": _values(**values)}


def _key(account: str, record: str) -> dict[str, Any]:
    return {"account": {"S": account}, "record": {"S": record}}


def _values(**values: Any) -> dict[str, Any]:
    return {f":{name}": _serializer.serialize(value) for name, value in values.items()}


def _serialize(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in item.items()}


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


def _store_error(operation: str, exc: Exception) -> HistoryStoreError:
    return HistoryStoreError(f"history table {operation} failed ({error_code(exc)})")
