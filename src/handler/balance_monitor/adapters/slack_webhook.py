"""A Slack incoming webhook, and the response URL Slack gives with each button click. 429
(honouring Retry-After), 5xx and broken connections are retried (http_retry.py); any other
refusal is final. The URL is the credential: no error message, log line or exception chain
carries it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import requests

from balance_monitor.adapters.http_retry import call_with_retries, retry_after_seconds
from balance_monitor.adapters.secrets import CachedSecret
from balance_monitor.errors import SlackDeliveryError, TransientSlackError

_RETRYABLE = frozenset({429, 500, 502, 503, 504})


class SlackWebhook:
    def __init__(
        self,
        url: CachedSecret,
        *,
        session: requests.Session | None = None,
        timeout: float = 5.0,
        max_attempts: int = 4,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._url = url
        self._session = session or requests.Session()
        self._timeout = timeout
        self._max_attempts = max_attempts
        self._sleep = sleep

    def post(self, payload: dict[str, Any], deadline: float) -> None:
        url = self._url.get()
        call_with_retries(
            lambda: _post_once(self._session, url, payload, deadline, self._timeout),
            deadline=deadline,
            what="Slack post",
            max_attempts=self._max_attempts,
            sleep=self._sleep,
        )


class SlackResponseUrl:
    """Posts the answer to a button click to the click's own `response_url`."""

    def __init__(
        self,
        *,
        session: requests.Session | None = None,
        timeout: float = 2.0,
        max_attempts: int = 2,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._session = session or requests.Session()
        self._timeout = timeout
        self._max_attempts = max_attempts
        self._sleep = sleep

    def post(self, url: str, payload: dict[str, Any], deadline: float) -> None:
        call_with_retries(
            lambda: _post_once(self._session, url, payload, deadline, self._timeout),
            deadline=deadline,
            what="Slack response",
            max_attempts=self._max_attempts,
            sleep=self._sleep,
        )


def _post_once(session: requests.Session, url: str, payload: dict[str, Any], deadline: float, timeout: float) -> None:
    time_left = deadline - time.monotonic()
    if time_left <= 0:
        raise SlackDeliveryError("no time left to post to Slack")
    try:
        response = session.post(url, json=payload, timeout=min(timeout, time_left), allow_redirects=False)
    except requests.Timeout:
        raise TransientSlackError("Slack did not answer in time") from None  # the cause names the URL
    except requests.RequestException:
        raise TransientSlackError("could not reach Slack") from None
    if response.status_code == 200:
        return
    reason = response.text.strip()[:60] if response.status_code < 500 else ""
    message = f"Slack answered HTTP {response.status_code}" + (f" ({reason})" if reason else "")
    if response.status_code in _RETRYABLE:
        raise TransientSlackError(message, retry_after=retry_after_seconds(response.headers.get("Retry-After")))
    raise SlackDeliveryError(message)  # invalid_payload, no_service, ...: retrying cannot help
