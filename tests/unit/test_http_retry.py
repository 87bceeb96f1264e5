"""The retry policy of every HTTP call. The first attempt is made before tenacity is imported
(a healthy cold start never loads it), so these pin that the attempts, waits and deadline
count the same as if tenacity had made it."""

import time

import pytest

from balance_monitor.adapters.http_retry import call_with_retries, retry_after_seconds
from balance_monitor.errors import MonitorError, RetryableError


class Script:
    """An attempt that fails with each of `failures` in turn, then answers "ok"."""

    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "ok"


def retried(attempt: Script, *, seconds_left: float = 60, **policy: int) -> tuple[str, list[float]]:
    sleeps: list[float] = []
    result = call_with_retries(
        attempt, deadline=time.monotonic() + seconds_left, what="the call", sleep=sleeps.append, **policy
    )
    return result, sleeps


def test_a_first_answer_is_returned_without_a_wait():
    attempt = Script()

    assert retried(attempt) == ("ok", [])
    assert attempt.calls == 1


def test_failures_are_retried_after_the_waits_the_server_asks_for():
    attempt = Script(RetryableError("429", retry_after=3), RetryableError("429", retry_after=5))

    assert retried(attempt) == ("ok", [3, 5])
    assert attempt.calls == 3


def test_the_attempts_count_the_first_one():
    attempt = Script(*[RetryableError(f"503 #{number}", retry_after=0) for number in range(1, 5)])

    with pytest.raises(RetryableError, match="503 #4"):
        retried(attempt, max_attempts=4)

    assert attempt.calls == 4


def test_one_attempt_allowed_is_one_made():
    attempt = Script(RetryableError("503", retry_after=0))

    with pytest.raises(RetryableError, match="503"):
        retried(attempt, max_attempts=1)

    assert attempt.calls == 1


def test_a_wait_that_would_pass_the_deadline_is_not_begun():
    attempt = Script(RetryableError("429", retry_after=30))

    with pytest.raises(RetryableError, match="429"):
        retried(attempt, seconds_left=20)

    assert attempt.calls == 1


def test_backoff_grows_between_attempts_within_its_bounds():
    attempt = Script(*[RetryableError("503") for _ in range(3)])

    result, sleeps = retried(attempt)

    assert result == "ok"
    assert len(sleeps) == 3
    # Full jitter: up to 0.5 s, 1 s and 2 s after the first, second and third attempts.
    assert all(0 <= wait <= bound for wait, bound in zip(sleeps, (0.5, 1.0, 2.0), strict=True))


def test_an_error_not_worth_retrying_is_raised_at_once():
    attempt = Script(MonitorError("refused"))

    with pytest.raises(MonitorError, match="refused"):
        retried(attempt)

    assert attempt.calls == 1


def test_an_error_not_worth_retrying_after_a_retry_is_raised_at_once():
    attempt = Script(RetryableError("503", retry_after=1), MonitorError("refused"))

    with pytest.raises(MonitorError, match="refused"):
        retried(attempt)

    assert attempt.calls == 2


def test_each_retry_is_logged_with_its_attempt_and_wait(caplog):
    attempt = Script(RetryableError("429", retry_after=2), RetryableError("503", retry_after=1))

    retried(attempt)

    retries = [record for record in caplog.records if record.getMessage() == "the call will be retried"]
    assert [(record.attempt, record.error, record.wait_seconds) for record in retries] == [(1, "429", 2), (2, "503", 1)]


def test_four_attempts_by_default():
    attempt = Script(*[RetryableError(f"503 #{number}", retry_after=0) for number in range(1, 6)])

    with pytest.raises(RetryableError, match="503 #4"):
        retried(attempt)

    assert attempt.calls == 4


def test_the_backoff_doubles_from_half_a_second_up_to_eight(monkeypatch):
    # The jitter at its most: each wait is the whole of the backoff's bound.
    monkeypatch.setattr("random.uniform", lambda low, high: high)
    attempt = Script(*[RetryableError("503") for _ in range(6)])

    assert retried(attempt, max_attempts=7) == ("ok", [0.5, 1.0, 2.0, 4.0, 8.0, 8.0])


def test_with_the_deadline_passed_no_wait_is_begun_however_short():
    attempt = Script(RetryableError("429", retry_after=0.5))

    with pytest.raises(RetryableError, match="429"):
        retried(attempt, seconds_left=-1)

    assert attempt.calls == 1


def test_the_logged_wait_is_rounded_to_hundredths(caplog):
    retried(Script(RetryableError("429", retry_after=1.2345)))

    [retry] = [record for record in caplog.records if record.getMessage() == "the call will be retried"]
    assert retry.wait_seconds == 1.23


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("3", 3.0), (" 120 ", 120.0), (None, None), ("", None), ("Wed, 21 Oct 2026 07:28:00 GMT", None), ("1.5", None)],
)
def test_retry_after_is_read_in_whole_seconds_only(header, seconds):
    assert retry_after_seconds(header) == seconds
