"""The notifier's undelivered queue: what a destination did not take, with the destination's
label (never its URL), the error, and the message itself, for a person to read and resend."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from balance_monitor.adapters.aws import error_code
from balance_monitor.errors import DeliveryError


class UndeliveredQueue:
    def __init__(self, client: Any, queue_url: str) -> None:
        self._client = client
        self._queue_url = queue_url

    def keep(self, record: dict[str, Any]) -> None:
        try:
            self._client.send_message(QueueUrl=self._queue_url, MessageBody=json.dumps(record))
        except (ClientError, BotoCoreError) as exc:
            raise DeliveryError(f"could not keep an undelivered message in the queue ({error_code(exc)})") from exc
