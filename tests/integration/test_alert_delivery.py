"""Alerts are delivered at least once and, however invocations race, not twice."""

import threading
from typing import Any

import boto3
import pytest

from balance_monitor.adapters.alert_topic import AlertTopic
from balance_monitor.alert_lifecycle import NotificationKind, Status
from balance_monitor.errors import AlertDeliveryError, HistoryStoreError
from sandbox.deepseek_simulator import Reply

from .conftest import FailingClient

AT = "2026-11-25T08:00:00Z"


def failing_sns(times: int) -> FailingClient:
    return FailingClient(boto3.client("sns"), "publish", "InternalError", times=times)


def test_an_alert_that_could_not_be_published_is_sent_on_the_next_attempt(monitor):
    monitor.configure(LowBalanceThreshold="CNY=500")
    monitor.replace(alerts=AlertTopic(failing_sns(times=1), monitor.stack.topic_arn))

    with pytest.raises(AlertDeliveryError, match="InternalError"):
        monitor.scheduled(AT)

    assert monitor.alerts() == []
    assert monitor.state().status is Status.HEALTHY  # not advanced: the alert is still owed
    [record] = monitor.history()
    assert record.alert_error == "could not publish the alert (InternalError)"
    assert record.notification is NotificationKind.ALERT

    monitor.scheduled(AT)  # Lambda's retry of the same event

    [alert] = monitor.alerts()
    assert alert.attributes["state"] == "low"
    assert monitor.state().status is Status.LOW
    [record] = monitor.history()
    assert record.alert_error is None


def test_an_alert_owed_by_a_failed_invocation_goes_out_with_the_next_scheduled_check(monitor):
    monitor.configure(LowBalanceThreshold="CNY=500")
    monitor.replace(alerts=AlertTopic(failing_sns(times=3), monitor.stack.topic_arn))
    for _ in range(3):  # the first delivery and both Lambda retries fail
        with pytest.raises(AlertDeliveryError):
            monitor.scheduled(AT)

    monitor.scheduled("2026-11-25T08:15:00Z")

    assert [alert.attributes["kind"] for alert in monitor.alerts()] == ["alert"]


@pytest.mark.usefixtures("atomic_aws_requests")
def test_racing_invocations_of_the_same_event_record_one_check_and_send_one_alert(monitor):
    monitor.configure(LowBalanceThreshold="CNY=500")
    monitor.deepseek.then(*[Reply(delay_seconds=0.2)] * 4)  # both are inside DeepSeek at once
    results: list[Any] = []

    def invoke() -> None:
        try:
            results.append(monitor.scheduled(AT)["result"])
        except HistoryStoreError as exc:  # pragma: no cover - shown in the assertion below
            results.append(exc)

    threads = [threading.Thread(target=invoke) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(map(str, results)) == ["checked", "duplicate", "duplicate", "duplicate"]
    assert len(monitor.history()) == 1
    assert len(monitor.alerts()) == 1


@pytest.mark.usefixtures("atomic_aws_requests")
def test_racing_invocations_of_neighbouring_times_send_one_alert(monitor):
    monitor.configure(LowBalanceThreshold="CNY=500")
    monitor.deepseek.then(*[Reply(delay_seconds=0.2)] * 3)
    times = ["2026-11-25T08:00:00Z", "2026-11-25T08:15:00Z", "2026-11-25T08:30:00Z"]

    threads = [threading.Thread(target=monitor.scheduled, args=(time,)) for time in times]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(monitor.history()) == 3
    assert len(monitor.alerts()) == 1
    assert monitor.state().status is Status.LOW
