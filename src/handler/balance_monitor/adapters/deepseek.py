"""DeepSeek's `GET /user/balance` over HTTP: timeouts, a size cap, and retries (http_retry.py)
on 429, 5xx and broken connections, within the invocation's deadline."""

from __future__ import annotations

import time
from collections.abc import Callable

import requests
import urllib3.exceptions

from balance_monitor.adapters.http_retry import call_with_retries, retry_after_seconds
from balance_monitor.balance import BalanceReport, parse_balance_response
from balance_monitor.errors import (
    InsufficientBalanceError,
    KeyRejectedError,
    ResponseFormatError,
    TransientUpstreamError,
    UpstreamError,
)

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_BODY_BYTES = 64 * 1024  # a real answer is a few hundred bytes
_CHUNK_BYTES = 4096


class DeepSeekClient:
    def __init__(
        self,
        base_url: str,
        *,
        session: requests.Session | None = None,
        connect_timeout: float = 3.05,
        read_timeout: float = 10.0,
        max_attempts: int = 4,
        pool_size: int = 10,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._url = f"{base_url}/user/balance"
        self._session = session or _session(pool_size)
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._max_attempts = max_attempts
        self._sleep = sleep

    def fetch_balance(self, api_key: str, deadline: float) -> BalanceReport:
        """Read the balance, retrying transient failures while time is left before `deadline`
        (a `time.monotonic()` value). Raises a BalanceFetchError subclass on failure."""
        return call_with_retries(
            lambda: self._fetch_once(api_key, deadline),
            deadline=deadline,
            what="DeepSeek balance request",
            max_attempts=self._max_attempts,
            sleep=self._sleep,
        )

    def _fetch_once(self, api_key: str, deadline: float) -> BalanceReport:
        time_left = deadline - time.monotonic()
        if time_left <= 0:
            raise UpstreamError("no time left to ask DeepSeek")
        # One attempt, body included, may take the read timeout at most: a trickle is a timeout.
        attempt_deadline = min(deadline, time.monotonic() + self._connect_timeout + self._read_timeout)
        try:
            with self._session.get(
                self._url,
                headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
                timeout=(min(self._connect_timeout, time_left), min(self._read_timeout, time_left)),
                stream=True,
                allow_redirects=False,
            ) as response:
                status = response.status_code
                if status == 200:
                    return parse_balance_response(_read_capped(response, attempt_deadline))
                retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        except (requests.Timeout, urllib3.exceptions.TimeoutError) as exc:
            raise TransientUpstreamError("DeepSeek did not answer in time") from exc
        except (requests.ConnectionError, urllib3.exceptions.HTTPError) as exc:
            raise TransientUpstreamError("the connection to DeepSeek failed") from exc
        except requests.RequestException as exc:
            raise UpstreamError(f"request to DeepSeek failed ({type(exc).__name__})") from exc

        if status == 401:
            raise KeyRejectedError("DeepSeek rejected the API key (HTTP 401)")
        if status == 402:
            raise InsufficientBalanceError("DeepSeek reports insufficient balance (HTTP 402)")
        if status in RETRYABLE_STATUSES:
            raise TransientUpstreamError(f"DeepSeek answered HTTP {status}", retry_after=retry_after)
        raise UpstreamError(f"DeepSeek answered HTTP {status}")


def _session(pool_size: int) -> requests.Session:
    """Keep-alive connections, as many as accounts are checked at once."""
    session = requests.Session()
    session.mount("https://", requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=pool_size))
    session.mount("http://", requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=pool_size))
    return session


def _read_capped(response: requests.Response, deadline: float) -> bytes:
    """Read the body in small pieces, so a huge or trickling answer cannot exhaust memory or time."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise ResponseFormatError(f"response body is too large ({declared} bytes)")
    body = bytearray()
    while chunk := response.raw.read1(_CHUNK_BYTES, decode_content=True):
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise ResponseFormatError(f"response body is larger than {MAX_BODY_BYTES} bytes")
        if time.monotonic() > deadline:
            raise TransientUpstreamError("DeepSeek's answer arrived too slowly")
    return bytes(body)
