"""What every AWS client here shares: one session, timeouts and retries, and errors told in a
few words fit for a log line or a history record."""

from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

# Standard retry mode backs off on throttling; the timeouts keep a slow call inside Lambda's;
# the pool lets every account checked at once (app.MAX_CONCURRENT_CHECKS) keep its connection.
CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 4}, connect_timeout=3, read_timeout=5, max_pool_connections=32
)
AWS_ERRORS = (ClientError, BotoCoreError)


def aws_client(service: str) -> Any:
    """A client from boto3's default session, so that every client shares one loaded set of
    endpoints and models (a second session costs a cold start about 50 ms)."""
    return boto3.client(service, config=CLIENT_CONFIG)


class LazyClient:
    """An AWS client made at its first call. A healthy check never publishes, so a container
    that sees no alert never loads SNS's service model (about 25 ms of a cold start)."""

    def __init__(self, service: str) -> None:
        self._service = service
        self._client: Any = None
        self._lock = threading.Lock()  # accounts are checked in threads; make the client once

    def __getattr__(self, operation: str) -> Any:
        with self._lock:
            if self._client is None:
                self._client = aws_client(self._service)
        return getattr(self._client, operation)


def error_code(exc: BaseException | None) -> str:
    """`ThrottlingException`, `ResourceNotFoundException`, ... or the class of a non-AWS error."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "ClientError"))
    return type(exc).__name__
