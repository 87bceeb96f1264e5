"""A webhook for machines: the alert document itself, POSTed as JSON and signed with the
destination's signing secret, so that a receiver can check where it came from and refuse
replays (docs/channels.md, "Signed webhooks"). Sent with requests through http_retry.py's
policy: 429 (honouring Retry-After), 5xx and broken connections are retried, each attempt
signed afresh; any other refusal is final. Neither the URL nor the secret reaches an error."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable

import requests

from balance_monitor.adapters.http_retry import call_with_retries, retry_after_seconds
from balance_monitor.errors import DeliveryError, TransientDeliveryError

SIGNATURE_HEADER = "X-Signature-256"
TIMESTAMP_HEADER = "X-Signature-Timestamp"
_RETRYABLE = frozenset({429, 500, 502, 503, 504})


def signature_headers(secret: str, body: bytes, timestamp: int) -> dict[str, str]:
    """`X-Signature-256: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`, and the timestamp it covers."""
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return {SIGNATURE_HEADER: f"sha256={digest}", TIMESTAMP_HEADER: str(timestamp)}


class SignedWebhook:
    def __init__(
        self,
        url: str,
        signing_secret: str,
        *,
        session: requests.Session | None = None,
        timeout: float = 5.0,
        max_attempts: int = 3,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._url = url
        self._secret = signing_secret
        self._session = session or requests.Session()
        self._timeout = timeout
        self._max_attempts = max_attempts
        self._sleep = sleep
        self._clock = clock

    def send(self, body: bytes, deadline: float, *, what: str) -> None:
        call_with_retries(
            lambda: self._post_once(body, deadline),
            deadline=deadline,
            what=what,
            max_attempts=self._max_attempts,
            sleep=self._sleep,
        )

    def _post_once(self, body: bytes, deadline: float) -> None:
        time_left = deadline - time.monotonic()
        if time_left <= 0:
            raise DeliveryError("no time left to send")
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "deepseek-balance-monitor",
            **signature_headers(self._secret, body, int(self._clock())),
        }
        try:
            response = self._session.post(
                self._url, data=body, headers=headers, timeout=min(self._timeout, time_left), allow_redirects=False
            )
        except requests.Timeout:
            raise TransientDeliveryError("the webhook did not answer in time") from None  # the cause names the URL
        except requests.RequestException:
            raise TransientDeliveryError("could not reach the webhook") from None
        if 200 <= response.status_code < 300:
            return
        message = f"the webhook answered HTTP {response.status_code}"
        if response.status_code in _RETRYABLE:
            raise TransientDeliveryError(message, retry_after=retry_after_seconds(response.headers.get("Retry-After")))
        raise DeliveryError(message)
