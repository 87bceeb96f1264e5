"""One destination reached through Apprise (every chat and push service it knows, by URL).

Apprise builds and sends the service's request; this adapter decides what to retry. Apprise
reports each attempt's outcome in its captured warnings ("... error=503."), and this reads only
the status code from them: 429 and 5xx, timeouts and broken connections are retried through
http_retry.py's policy (backoff, the invocation's deadline), any other refusal is final.
Apprise's own retry (`?retry=`) retries every failure alike, a 400 too, so it is not used.

The URL is the credential. Apprise logs it at DEBUG, and quotes parts of a bad one in its
warnings: its logger is kept out of the function's logs, and its messages are never repeated.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

import apprise

from balance_monitor.adapters.http_retry import call_with_retries
from balance_monitor.channel_messages import ChannelMessage
from balance_monitor.errors import DeliveryError, TransientDeliveryError

_RETRYABLE = frozenset({429, 500, 502, 503, 504})
_STATUS = re.compile(r"\berror=(\d{3})\b")
_UNREACHED = ("connection error", "timed out", "timeout")
# Apprise's logger would reach Lambda's root handler, with URLs at DEBUG and INFO ("Sent ntfy
# notification to 'https://...'") and parts of them in warnings: it writes nowhere, and below
# WARNING it records nothing at all. What failed is read from the result Apprise returns.
_apprise_logger = logging.getLogger("apprise")
_apprise_logger.propagate = False
_apprise_logger.addHandler(logging.NullHandler())
_apprise_logger.addFilter(lambda record: record.levelno >= logging.WARNING)
ASSET = apprise.AppriseAsset(app_id="DeepSeek balance monitor", app_desc="DeepSeek balance monitor")


class AppriseService:
    def __init__(
        self,
        url: str,
        *,
        timeout: float = 8.0,
        max_attempts: int = 3,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        service = apprise.Apprise.instantiate(url, asset=ASSET, suppress_exceptions=True)
        if service is None:  # Apprise's reason quotes the URL: say only that it is not one it takes
            raise DeliveryError("Apprise does not take this URL (an unknown scheme, or a token of the wrong form)")
        self._notifier = apprise.Apprise(asset=ASSET)
        self._notifier.add(service)
        self._timeout = timeout
        self._max_attempts = max_attempts
        self._sleep = sleep

    def send(self, message: ChannelMessage, deadline: float, *, what: str) -> None:
        call_with_retries(
            lambda: self._send_once(message, deadline),
            deadline=deadline,
            what=what,
            max_attempts=self._max_attempts,
            sleep=self._sleep,
        )

    def _send_once(self, message: ChannelMessage, deadline: float) -> None:
        time_left = deadline - time.monotonic()
        if time_left <= 0:
            raise DeliveryError("no time left to send")
        result = self._notifier.notify(
            body=message.body,
            title=message.title,
            notify_type=message.level,
            body_format=message.markup,
            timeout=min(self._timeout, time_left),
        )
        if not result:
            raise failure(result)


def failure(result: apprise.AppriseResult) -> DeliveryError:
    """What an unsuccessful notify() means, from its attempts: never their messages' text."""
    statuses, unreached = [], False
    for service_result in result:
        for attempt in service_result:
            unreached |= attempt.status == apprise.AppriseResultStatus.TIMEOUT
            for entry in attempt:
                found = _STATUS.search(entry.message)
                if found:
                    statuses.append(int(found[1]))
                unreached |= any(sign in entry.message.lower() for sign in _UNREACHED)
    if statuses:
        status = statuses[-1]
        if status in _RETRYABLE:
            return TransientDeliveryError(f"the service answered HTTP {status}")
        return DeliveryError(f"the service answered HTTP {status}")
    if unreached:
        return TransientDeliveryError("could not reach the service")
    return DeliveryError("the service did not take the message")
