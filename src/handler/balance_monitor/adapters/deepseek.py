"""DeepSeek's `GET /user/balance` over HTTP: timeouts, a size cap, and retries with
backoff and jitter on 429, 5xx and broken connections, within the invocation's deadline."""

from __future__ import annotations

import time
from collections.abc import Callable

import requests
import urllib3.exceptions
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_before_delay,
    wait_random_exponential,
)

from balance_monitor.balance import BalanceReport, parse_balance_response
from balance_monitor.errors import (
    InsufficientBalanceError,
    KeyRejectedError,
    ResponseFormatError,
    TransientUpstreamError,
    UpstreamError,
)
from balance_monitor.observability import logger

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
        backoff_seconds: float = 0.5,
        max_backoff_seconds: float = 8.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._url = f"{base_url}/user/balance"
        self._session = session or requests.Session()
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._max_attempts = max_attempts
        self._wait = wait_random_exponential(multiplier=backoff_seconds, max=max_backoff_seconds)
        self._sleep = sleep

    def fetch_balance(self, api_key: str, deadline: float) -> BalanceReport:
        """Read the balance, retrying transient failures while time is left before `deadline`
        (a `time.monotonic()` value). Raises a BalanceFetchError subclass on failure."""

        def wait(retry_state: RetryCallState) -> float:
            # Honour Retry-After when DeepSeek gives one; otherwise full-jitter backoff.
            retry_after = getattr(_failure(retry_state), "retry_after", None)
            return retry_after if retry_after is not None else self._wait(retry_state)

        def log_retry(retry_state: RetryCallState) -> None:
            logger.warning(
                "DeepSeek balance request will be retried",
                extra={
                    "attempt": retry_state.attempt_number,
                    "error": str(_failure(retry_state)),
                    "wait_seconds": round(retry_state.upcoming_sleep, 2),
                },
            )

        retrying = Retrying(
            retry=retry_if_exception_type(TransientUpstreamError),
            stop=stop_after_attempt(self._max_attempts) | stop_before_delay(max(0.0, deadline - time.monotonic())),
            wait=wait,
            sleep=self._sleep,
            reraise=True,
            before_sleep=log_retry,
        )
        return retrying(self._fetch_once, api_key, deadline)

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
                retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
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


def _failure(retry_state: RetryCallState) -> BaseException | None:
    return retry_state.outcome.exception() if retry_state.outcome else None


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


def _retry_after_seconds(header: str | None) -> float | None:
    if header and header.strip().isdigit():
        return float(header.strip())
    return None  # the HTTP-date form is rare for APIs; jittered backoff is a safe stand-in
