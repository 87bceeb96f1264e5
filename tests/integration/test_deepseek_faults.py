"""How the monitor rides out DeepSeek's failures over time: retries within the invocation,
Lambda's retry of a failed check, the failing state, a rejected or rotated key. (One failure
at a time, case by case, is in test_fault_matrix.py.)"""

import pytest

from balance_monitor.alert_lifecycle import CheckOutcome, Status
from balance_monitor.errors import CheckFailedError
from sandbox.deepseek_simulator import Reply

AT = "2026-11-25T08:00:00Z"


def test_a_rate_limit_is_waited_out_as_retry_after_asks(monitor):
    monitor.deepseek.then(Reply(429, headers={"Retry-After": "3"}))

    summary = monitor.scheduled(AT)

    assert summary["outcome"] == "ok"
    assert monitor.sleeps == [3.0]
    assert len(monitor.deepseek.requests) == 2


def test_a_passing_server_error_is_retried_with_jittered_backoff(monitor):
    monitor.deepseek.then(Reply(503), Reply(500))

    summary = monitor.scheduled(AT)

    assert summary["outcome"] == "ok"
    assert len(monitor.sleeps) == 2
    assert all(0 <= wait <= 1.0 for wait in monitor.sleeps)  # 0.5 s x 2^attempt, jittered


def test_retries_stop_when_the_invocation_has_no_time_for_them(monitor):
    monitor.deepseek.then(*[Reply(503, headers={"Retry-After": "30"})] * 4)

    with pytest.raises(CheckFailedError, match="HTTP 503"):
        monitor.invoke({"time": AT}, timeout_seconds=20)  # 12 s left for DeepSeek: no 30 s wait

    assert monitor.sleeps == []
    assert len(monitor.deepseek.requests) == 1


def test_three_failed_checks_in_a_row_alert_that_the_monitor_is_failing_then_it_recovers(monitor):
    for minute in ("00", "15", "30"):
        monitor.deepseek.then(Reply(200, b"<html>maintenance</html>"))
        with pytest.raises(CheckFailedError):
            monitor.scheduled(f"2026-11-25T08:{minute}:00Z")

    [alert] = monitor.alerts()
    assert alert.subject == "[DeepSeek] Monitor failing for account default: 3 checks failed"
    assert "response is not valid JSON" in alert.body

    monitor.scheduled("2026-11-25T08:45:00Z")
    [recovery] = monitor.alerts()
    assert recovery.attributes["kind"] == "recovery"
    assert [record.status for record in monitor.history()] == [Status.HEALTHY] * 2 + [Status.FAILING, Status.HEALTHY]


def test_lambdas_retry_of_a_failed_check_can_succeed_and_counts_once(monitor):
    monitor.deepseek.then(Reply(200, b"<html>maintenance</html>"))
    with pytest.raises(CheckFailedError):
        monitor.scheduled(AT)

    retried = monitor.scheduled(AT)  # the asynchronous retry of the same event

    assert retried["outcome"] == "ok"
    [record] = monitor.history()  # still one check at that time, now a successful one
    assert record.observation.outcome is CheckOutcome.OK
    assert monitor.state().consecutive_failures == 0


def test_a_retried_check_that_fails_again_is_recorded_once_and_not_retried_further(monitor):
    monitor.deepseek.then(Reply(404), Reply(404))
    with pytest.raises(CheckFailedError):
        monitor.scheduled(AT)

    summary = monitor.scheduled(AT)  # Lambda's retry fails too: recorded, and Lambda stops here

    assert (summary["outcome"], summary["status"]) == ("failed", "healthy")
    [record] = monitor.history()
    assert record.observation.error == "DeepSeek answered HTTP 404"
    assert monitor.state().consecutive_failures == 1


def test_a_rejected_key_alerts_at_once_without_retrying(monitor):
    monitor.stack.put_api_key('{"api_key": "sk-revoked-0000"}')

    summary = monitor.scheduled(AT)  # no exception: retrying cannot fix a key

    assert summary["status"] == "key_rejected"
    assert len(monitor.deepseek.requests) == 1
    [alert] = monitor.alerts()
    assert alert.subject == "[DeepSeek] API key rejected for account default"
    assert alert.attributes["severity"] == "critical"
    [record] = monitor.history()
    assert record.observation.error == "DeepSeek rejected the API key (HTTP 401)"


def test_a_rotated_key_is_picked_up_without_a_false_alarm(monitor):
    monitor.scheduled("2026-11-25T08:00:00Z")  # caches the key for the container
    monitor.deepseek.api_key = "sk-rotated-1111"
    monitor.stack.put_api_key("sk-rotated-1111")

    summary = monitor.scheduled("2026-11-25T08:15:00Z")

    assert summary["status"] == "healthy"
    assert monitor.alerts() == []
    assert [request.authorization for request in monitor.deepseek.requests[-2:]] == [
        "Bearer sk-test-3f9a1c0b7d2e4f60a8b5c4d3e2f1a0b9",
        "Bearer sk-rotated-1111",
    ]
