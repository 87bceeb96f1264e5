"""Retries for HTTP calls: full-jitter exponential backoff, honouring Retry-After, stopping
before the invocation's deadline. One policy for DeepSeek and Slack alike."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from balance_monitor.errors import RetryableError
from balance_monitor.observability import logger

if TYPE_CHECKING:
    from tenacity import RetryCallState

T = TypeVar("T")


def call_with_retries(
    attempt: Callable[[], T],
    *,
    deadline: float,
    what: str,
    max_attempts: int = 4,
    backoff_seconds: float = 0.5,
    max_backoff_seconds: float = 8.0,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call `attempt` until it returns, raises an error that is not a RetryableError, or the
    attempts or the time before `deadline` (a `time.monotonic()` value) run out."""
    first_failure: RetryableError | None
    try:
        return attempt()
    except RetryableError as failure:
        first_failure = failure
    # Most calls succeed at once, so tenacity is imported only for a retry: that spares every
    # cold start its import (docs/performance.md). It is handed the first attempt's failure as
    # its own first attempt, so attempts, waits and the deadline count as if it made that one.
    from tenacity import (
        Retrying,
        retry_if_exception_type,
        stop_after_attempt,
        stop_before_delay,
        wait_random_exponential,
    )

    def replay_then_attempt() -> T:
        nonlocal first_failure
        if first_failure is not None:
            failure, first_failure = first_failure, None
            raise failure
        return attempt()

    backoff = wait_random_exponential(multiplier=backoff_seconds, max=max_backoff_seconds)

    def wait(retry_state: RetryCallState) -> float:
        retry_after = getattr(_failure(retry_state), "retry_after", None)
        return retry_after if retry_after is not None else backoff(retry_state)

    def log_retry(retry_state: RetryCallState) -> None:
        logger.warning(
            f"{what} will be retried",
            extra={
                "attempt": retry_state.attempt_number,
                "error": str(_failure(retry_state)),
                "wait_seconds": round(retry_state.upcoming_sleep, 2),
            },
        )

    retrying = Retrying(
        retry=retry_if_exception_type(RetryableError),
        stop=stop_after_attempt(max_attempts) | stop_before_delay(max(0.0, deadline - time.monotonic())),
        wait=wait,
        sleep=sleep,
        reraise=True,
        before_sleep=log_retry,
    )
    return retrying(replay_then_attempt)


def _failure(retry_state: RetryCallState) -> BaseException | None:
    return retry_state.outcome.exception() if retry_state.outcome else None


def retry_after_seconds(header: str | None) -> float | None:
    """Retry-After in seconds; the HTTP-date form is rare for APIs, and backoff stands in for it."""
    if header and header.strip().isdigit():
        return float(header.strip())
    return None
