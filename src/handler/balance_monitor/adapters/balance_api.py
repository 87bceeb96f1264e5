"""A provider's balance endpoint over HTTP (DeepSeek's `GET /user/balance`, and the others in
providers/): timeouts, a size cap, no redirects, and retries (http_retry.py) on 429, 5xx and
broken connections, within the invocation's deadline. The provider parses the answer."""

from __future__ import annotations

import time
from collections.abc import Callable

import requests
import urllib3.exceptions

from balance_monitor.adapters.http_retry import call_with_retries, retry_after_seconds
from balance_monitor.balance import BalanceReport
from balance_monitor.errors import (
    InsufficientBalanceError,
    KeyRejectedError,
    ResponseFormatError,
    TransientUpstreamError,
    UpstreamError,
)
from balance_monitor.providers import Provider

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_BODY_BYTES = 64 * 1024  # a real answer is a few hundred bytes
_CHUNK_BYTES = 4096
_HOSTS = 8  # connection pools kept, one a host: every provider's, and a proxy or two


class BalanceApiClient:
    def __init__(
        self,
        *,
        session: requests.Session | None = None,
        connect_timeout: float = 3.05,
        read_timeout: float = 10.0,
        max_attempts: int = 4,
        pool_size: int = 10,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._session = session or _session(pool_size)
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._max_attempts = max_attempts
        self._sleep = sleep

    def fetch_balance(self, api_key: str, deadline: float, *, provider: Provider, base_url: str) -> BalanceReport:
        """Read the balance from `provider` at `base_url`, retrying transient failures while time
        is left before `deadline` (a `time.monotonic()` value). Raises a BalanceFetchError
        subclass on failure (or ConfigurationError, from the provider's parser)."""
        return call_with_retries(
            lambda: self._fetch_once(api_key, deadline, provider, base_url),
            deadline=deadline,
            what=f"{provider.label} balance request",
            max_attempts=self._max_attempts,
            sleep=self._sleep,
        )

    def _fetch_once(self, api_key: str, deadline: float, provider: Provider, base_url: str) -> BalanceReport:
        label = provider.label
        time_left = deadline - time.monotonic()
        if time_left <= 0:
            raise UpstreamError(f"no time left to ask {label}")
        # One attempt, body included, may take the read timeout at most: a trickle is a timeout.
        attempt_deadline = min(deadline, time.monotonic() + self._connect_timeout + self._read_timeout)
        try:
            with self._session.get(
                base_url + provider.path,
                headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
                timeout=(min(self._connect_timeout, time_left), min(self._read_timeout, time_left)),
                stream=True,
                allow_redirects=False,
            ) as response:
                status = response.status_code
                if status == 200:
                    body = _read_capped(response, attempt_deadline, label)
                    return provider.parse(body, provider.currency_at(base_url))
                retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        except (requests.Timeout, urllib3.exceptions.TimeoutError) as exc:
            raise TransientUpstreamError(f"{label} did not answer in time") from exc
        except (requests.ConnectionError, urllib3.exceptions.HTTPError) as exc:
            raise TransientUpstreamError(f"the connection to {label} failed") from exc
        except requests.RequestException as exc:
            raise UpstreamError(f"request to {label} failed ({type(exc).__name__})") from exc

        if status in provider.rejected_statuses:
            raise KeyRejectedError(f"{label} rejected the API key (HTTP {status})")
        if status == 402:
            raise InsufficientBalanceError(f"{label} reports insufficient balance (HTTP 402)")
        if status in RETRYABLE_STATUSES:
            raise TransientUpstreamError(f"{label} answered HTTP {status}", retry_after=retry_after)
        raise UpstreamError(f"{label} answered HTTP {status}")


def _session(pool_size: int) -> requests.Session:
    """Keep-alive connections, as many a host as accounts are checked at once."""
    session = requests.Session()
    for scheme in ("https://", "http://"):
        session.mount(scheme, requests.adapters.HTTPAdapter(pool_connections=_HOSTS, pool_maxsize=pool_size))
    return session


def _read_capped(response: requests.Response, deadline: float, label: str) -> bytes:
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
            raise TransientUpstreamError(f"{label}'s answer arrived too slowly")
    return bytes(body)
