"""Which digests an invocation has published, kept in the history table beside the checks:

    account = "default"   record = "digest#2026-11-24T00:00:00Z"   (the period's end), with TTL

holding the request id of the invocation that published it. Lambda retries a failed
invocation with the same request id, so a retry publishes only the digests still owed; a
digest invoked again by hand (a new request id) is published again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from balance_monitor.adapters.aws import AWS_ERRORS, error_code
from balance_monitor.errors import HistoryStoreError
from balance_monitor.history import format_timestamp

DIGEST_PREFIX = "digest#"


class SentDigests:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def sent_by(self, account: str, period_end: datetime) -> str | None:
        """The request id of the invocation that published this period's digest, if one did."""
        try:
            response = self._client.get_item(
                TableName=self._table,
                Key=_key(account, period_end),
                ProjectionExpression="request_id",
                ConsistentRead=True,
            )
        except AWS_ERRORS as exc:
            raise HistoryStoreError(f"history table get_item failed ({error_code(exc)})") from exc
        item = response.get("Item")
        return str(item["request_id"]["S"]) if item and "request_id" in item else None

    def record(
        self,
        account: str,
        period_end: datetime,
        *,
        owner: str,
        message_id: str,
        sent_at: datetime,
        expires_at: datetime,
    ) -> None:
        try:
            self._client.put_item(
                TableName=self._table,
                Item={
                    **_key(account, period_end),
                    "request_id": {"S": owner},
                    "message_id": {"S": message_id},
                    "sent_at": {"S": format_timestamp(sent_at)},
                    "expires_at": {"N": str(int(expires_at.timestamp()))},
                },
            )
        except AWS_ERRORS as exc:
            raise HistoryStoreError(f"history table put_item failed ({error_code(exc)})") from exc


def _key(account: str, period_end: datetime) -> dict[str, Any]:
    return {"account": {"S": account}, "record": {"S": DIGEST_PREFIX + format_timestamp(period_end)}}
