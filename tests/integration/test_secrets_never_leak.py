"""The API key never reaches a log, a history record, an alert or a summary, even when
DeepSeek's own error message quotes the key it was sent."""

import json

from balance_monitor.errors import MonitorError
from balance_monitor.observability import tracer
from sandbox.deepseek_simulator import Reply

from .conftest import API_KEY

REVOKED_KEY = "sk-revoked-5e6f7a8b9c0d1e2f"


def test_no_secret_in_anything_the_monitor_produces(monitor, captured_logs, monkeypatch):
    seen: list[str] = []
    annotations: list[str] = []
    monkeypatch.setattr(tracer, "put_annotation", lambda key, value: annotations.append(f"{key}={value}"))

    def check(time: str) -> None:
        try:
            seen.append(json.dumps(monitor.scheduled(time)))
        except MonitorError as exc:
            seen.append(repr(exc))

    monitor.configure(LowBalanceThreshold="CNY=500")
    check("2026-11-25T08:00:00Z")  # low: an alert
    monitor.deepseek.then(Reply(503), Reply(200, b"<html>oops</html>"))
    check("2026-11-25T08:15:00Z")  # a retry, then a failed check
    monitor.stack.put_api_key(json.dumps({"api_key": REVOKED_KEY}))
    monitor.collaborators.accounts.get(refresh=True)
    check("2026-11-25T08:30:00Z")  # 401 whose body quotes the key: key-rejected alert

    alerts = monitor.alerts()
    assert [alert.attributes["state"] for alert in alerts] == ["low", "key_rejected"]
    everything = "\n".join(
        [
            captured_logs(),
            json.dumps(monitor.raw_items()),
            *seen,
            *annotations,
            *(f"{alert.subject}\n{alert.body}\n{alert.attributes}" for alert in alerts),
        ]
    )
    assert "balance checked" in everything  # the logs were really captured
    assert "status=low" in annotations
    assert API_KEY not in everything
    assert REVOKED_KEY not in everything
    assert "Bearer" not in everything
