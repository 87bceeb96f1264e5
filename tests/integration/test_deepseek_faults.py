"""DeepSeek misbehaving, one case a row: what is recorded, what is alerted, what Lambda sees.
A failed read is always a recorded failed check with a clear error, and never a zero balance."""

import json
import socket
from dataclasses import dataclass, field

import pytest

from balance_monitor.alert_lifecycle import CheckOutcome, Status
from balance_monitor.errors import CheckFailedError
from sandbox.deepseek_simulator import Reply

AT = "2026-11-25T08:00:00Z"


def _body(**document: object) -> bytes:
    return json.dumps({"is_available": True, **document}).encode()


def _entries(*entries: dict) -> bytes:
    return _body(balance_infos=list(entries))


@dataclass
class Fault:
    replies: list[Reply]
    error: str
    attempts: int = 1
    outcome: CheckOutcome = CheckOutcome.FAILED
    sleeps: list[float] = field(default_factory=list)


FIVE_HUNDREDS = [Reply(500)] * 4
FAULTS = {
    "402 insufficient balance": Fault([Reply(402)], "insufficient balance", outcome=CheckOutcome.INSUFFICIENT_BALANCE),
    "403 forbidden": Fault([Reply(403)], "DeepSeek answered HTTP 403"),
    "404 not found": Fault([Reply(404)], "DeepSeek answered HTTP 404"),
    "429 throughout": Fault([Reply(429)] * 4, "DeepSeek answered HTTP 429", attempts=4),
    "500 throughout": Fault(FIVE_HUNDREDS, "DeepSeek answered HTTP 500", attempts=4),
    "502 throughout": Fault([Reply(502)] * 4, "DeepSeek answered HTTP 502", attempts=4),
    "503 throughout": Fault([Reply(503, headers={"Retry-After": "1"})] * 4, "HTTP 503", attempts=4, sleeps=[1, 1, 1]),
    "HTML from a proxy": Fault(
        [Reply(200, b"<html><body>Bad gateway</body></html>", {"Content-Type": "text/html"})], "not valid JSON"
    ),
    "truncated JSON": Fault([Reply(200, _body()[:-9])], "not valid JSON"),
    "connection cut mid-body": Fault(
        [Reply(200, _body()[:20], declared_length=400)] * 4, "connection to DeepSeek failed", attempts=4
    ),
    "wrong types": Fault([Reply(200, b'{"is_available": "yes", "balance_infos": {}}')], "is_available"),
    "NaN amount": Fault(
        [Reply(200, b'{"is_available": true, "balance_infos": [{"currency": "CNY", "amount": NaN}]}')], "NaN"
    ),
    "Infinity amount": Fault([Reply(200, _entries({"currency": "CNY", "total_balance": "Infinity"}))], "not a number"),
    "negative amount": Fault([Reply(200, _entries({"currency": "CNY", "total_balance": "-3.00"}))], "negative"),
    "absurd amount": Fault([Reply(200, _entries({"currency": "CNY", "total_balance": "1" + "0" * 14}))], "implausibly"),
    "non-numeric amount": Fault([Reply(200, _entries({"currency": "CNY", "total_balance": "lots"}))], "not a number"),
    "empty balance_infos": Fault([Reply(200, _entries())], "balance_infos is missing or empty"),
    "unknown currency": Fault([Reply(200, _entries({"currency": "EUR", "total_balance": "5.00"}))], "unknown currency"),
    "same currency twice": Fault(
        [Reply(200, _entries({"currency": "CNY", "amount": 1}, {"currency": "CNY", "amount": 2}))], "appears twice"
    ),
    "oversized body": Fault([Reply(200, _body(padding="x" * 200_000))], "too large"),
}


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_each_fault_is_recorded_as_a_failed_check_and_never_as_zero(monitor, fault):
    monitor.deepseek.then(*fault.replies)

    if fault.outcome is CheckOutcome.FAILED:
        with pytest.raises(CheckFailedError, match=fault.error):
            monitor.scheduled(AT)  # Lambda sees an error, and may retry the same check
    else:
        monitor.scheduled(AT)

    [record] = monitor.history()
    assert record.observation.outcome is fault.outcome
    assert fault.error.lower() in record.observation.error.lower()
    assert record.observation.report is None  # no balance at all, rather than a made-up one
    [item] = [item for item in monitor.raw_items() if item["record"]["S"].startswith("check#")]
    assert "balances" not in item
    assert len(monitor.deepseek.requests) == fault.attempts
    if fault.sleeps:
        assert monitor.sleeps == fault.sleeps
    if fault.outcome is CheckOutcome.FAILED:
        assert monitor.alerts() == []  # one failed check alerts nobody
        assert monitor.state().consecutive_failures == 1


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


def test_a_hanging_server_times_out(monitor):
    monitor.configure(read_timeout=0.3)
    monitor.deepseek.then(*[Reply(delay_seconds=1.0)] * 4)

    with pytest.raises(CheckFailedError, match="did not answer in time"):
        monitor.scheduled(AT)

    assert len(monitor.deepseek.requests) == 4


def test_a_trickling_answer_is_cut_off(monitor):
    monitor.configure(read_timeout=0.3, connect_timeout=0.2)
    monitor.deepseek.then(*[Reply(trickle_seconds=0.05)] * 4)

    with pytest.raises(CheckFailedError, match="too slowly"):
        monitor.scheduled(AT)


def test_a_refused_connection_is_a_failed_check(monitor):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    monitor.configure(DeepSeekBaseUrl=f"http://127.0.0.1:{closed_port}")

    with pytest.raises(CheckFailedError, match="connection to DeepSeek failed"):
        monitor.scheduled(AT)

    assert len(monitor.sleeps) == 3


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
