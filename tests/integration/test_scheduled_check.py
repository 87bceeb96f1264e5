"""The handler on its schedule, as a user lives with it: history, alerts, reminders, recovery."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from balance_monitor.alert_lifecycle import CheckOutcome, NotificationKind, Status
from sandbox.deepseek_simulator import SPEC_SHAPE

from .conftest import API_KEY, record_aws_calls


def test_a_healthy_check_is_recorded_with_exact_amounts_and_an_expiry(monitor):
    monitor.deepseek.set_balance("CNY", granted="10.00", topped_up="100.00")
    monitor.deepseek.set_balance("USD", granted="0.00", topped_up="20.00")

    summary = monitor.scheduled("2026-11-25T08:00:00Z")

    assert summary == {
        "account": "default",
        "checked_at": "2026-11-25T08:00:00Z",
        "result": "checked",
        "outcome": "ok",
        "status": "healthy",
        "notification": None,
    }
    [record] = monitor.history()
    assert record.checked_at == datetime(2026, 11, 25, 8, tzinfo=UTC)
    assert record.observation.report.balances["CNY"].total == Decimal("110.00")
    assert record.observation.report.balances["CNY"].granted == Decimal("10.00")
    assert record.observation.report.balances["USD"].topped_up == Decimal("20.00")
    assert record.expires_at == record.checked_at + timedelta(days=90)
    assert monitor.alerts() == []
    [request] = monitor.deepseek.requests
    assert (request.path, request.authorization, request.accept) == (
        "/user/balance",
        f"Bearer {API_KEY}",
        "application/json",
    )


def test_the_specification_shape_works_the_same(monitor):
    monitor.deepseek.shape = SPEC_SHAPE
    monitor.deepseek.set_balance("USD", topped_up="42.50")
    monitor.configure(LowBalanceThreshold="USD=50")

    monitor.scheduled("2026-11-25T08:00:00Z")

    [record] = monitor.history()
    assert record.observation.report.balances["USD"].total == Decimal("42.5")
    [alert] = monitor.alerts()
    assert alert.subject == "[DeepSeek] Balance low for account default: USD 42.50 < 50.00"


def test_a_low_balance_alerts_once_reminds_daily_and_recovers_after_a_top_up(monitor):
    monitor.configure(LowBalanceThreshold="CNY=50")
    monitor.deepseek.set_balance("CNY", granted="0.00", topped_up="45.00")
    start = datetime(2026, 11, 25, 8, tzinfo=UTC)

    def check(at: datetime) -> dict:
        return monitor.scheduled(at.strftime("%Y-%m-%dT%H:%M:%SZ"))

    assert check(start)["notification"] == "alert"
    [alert] = monitor.alerts()
    assert alert.subject == "[DeepSeek] Balance low for account default: CNY 45.00 < 50.00"
    assert alert.attributes == {
        "account": "default",
        "provider": "deepseek",
        "state": "low",
        "severity": "warning",
        "kind": "alert",
    }
    assert "BELOW threshold 50.00" in alert.body

    for quarter in range(1, 96):  # the rest of the day: still low, nobody is woken again
        check(start + quarter * timedelta(minutes=15))
    assert monitor.alerts() == []

    assert check(start + timedelta(hours=24))["notification"] == "reminder"
    [reminder] = monitor.alerts()
    assert reminder.subject.startswith("[DeepSeek] Reminder: balance low")

    monitor.deepseek.top_up("CNY", "100.00")
    assert check(start + timedelta(hours=24, minutes=15))["notification"] == "recovery"
    [recovery] = monitor.alerts()
    assert recovery.subject == "[DeepSeek] Resolved: account default is healthy, CNY 145.00"
    assert recovery.attributes["severity"] == "info"
    assert len(monitor.history()) == 98


def test_changing_order_of_currencies_never_flaps(monitor):
    monitor.configure(LowBalanceThreshold="CNY=50,USD=7")
    monitor.deepseek.set_balance("CNY", topped_up="10.00")
    monitor.deepseek.set_balance("USD", topped_up="100.00")

    for minute in range(0, 60, 5):
        monitor.scheduled(f"2026-11-25T08:{minute:02d}:00Z")

    assert [alert.attributes["kind"] for alert in monitor.alerts()] == ["alert"]
    assert {record.status for record in monitor.history()} == {Status.LOW}


def test_a_redelivered_event_is_the_same_check(monitor):
    monitor.configure(LowBalanceThreshold="CNY=500")

    first = monitor.scheduled("2026-11-25T08:00:00Z")
    again = monitor.scheduled("2026-11-25T08:00:00Z")

    assert (first["result"], again["result"]) == ("checked", "duplicate")
    assert len(monitor.history()) == 1
    assert len(monitor.alerts()) == 1
    assert len(monitor.deepseek.requests) == 1  # the duplicate did not even ask DeepSeek


def test_an_older_event_arriving_late_is_skipped_before_deepseek_is_asked(monitor):
    monitor.configure(LowBalanceThreshold="CNY=50")
    monitor.scheduled("2026-11-25T08:15:00Z")
    monitor.deepseek.spend("CNY", "105.00")

    late = monitor.scheduled("2026-11-25T08:00:00Z")

    assert late["result"] == "late"
    assert len(monitor.deepseek.requests) == 1  # today's balance is no answer for 08:00
    assert [record.checked_at.minute for record in monitor.history()] == [15]
    assert monitor.state().last_check_at == datetime(2026, 11, 25, 8, 15, tzinfo=UTC)
    # The low balance is not thrown away: the next scheduled check reads it and alerts.
    assert monitor.scheduled("2026-11-25T08:30:00Z")["notification"] == "alert"
    [alert] = monitor.alerts()
    assert alert.subject == "[DeepSeek] Balance low for account default: CNY 5.00 < 50.00"


def test_a_manual_invocation_checks_now(monitor):
    before = datetime.now(UTC).replace(microsecond=0)

    summary = monitor.invoke({})

    checked_at = datetime.fromisoformat(summary["checked_at"].replace("Z", "+00:00"))
    assert before <= checked_at <= datetime.now(UTC)
    assert len(monitor.history()) == 1


def test_an_event_with_a_bad_time_is_refused(monitor, captured_logs):
    summary = monitor.invoke({"time": "yesterday"})

    assert summary["result"] == "refused"
    assert summary["error"] == "event time 'yesterday' is not an ISO-8601 time with a zone"
    assert '"message":"event refused"' in captured_logs()
    assert monitor.history() == []
    assert monitor.deepseek.requests == []


def test_an_unavailable_account_alerts_whatever_the_amounts(monitor):
    monitor.deepseek.is_available = False

    monitor.scheduled("2026-11-25T08:00:00Z")

    [alert] = monitor.alerts()
    assert alert.subject == "[DeepSeek] Account unavailable for account default"
    assert alert.attributes["severity"] == "critical"
    assert "is_available: false" in alert.body


def test_history_can_be_read_by_time_range(monitor):
    import boto3

    from balance_monitor.adapters.history_table import HistoryTable

    for hour in range(8, 14):
        monitor.scheduled(f"2026-11-25T{hour:02d}:00:00Z")
    table = HistoryTable(boto3.client("dynamodb"), monitor.stack.table_name)

    window = list(
        table.checks_between("default", datetime(2026, 11, 25, 9, tzinfo=UTC), datetime(2026, 11, 25, 11, tzinfo=UTC))
    )

    assert [record.checked_at.hour for record in window] == [9, 10, 11]
    assert all(record.observation.outcome is CheckOutcome.OK for record in window)


def test_records_carry_the_notification_they_caused(monitor):
    monitor.configure(LowBalanceThreshold="CNY=500")

    monitor.scheduled("2026-11-25T08:00:00Z")
    monitor.scheduled("2026-11-25T08:15:00Z")

    assert [record.notification for record in monitor.history()] == [NotificationKind.ALERT, None]


def test_collaborators_are_built_once_per_container(stack, deepseek, monkeypatch):
    import app

    for name, value in stack.function_environment(DeepSeekBaseUrl=deepseek.base_url).items():
        monkeypatch.setenv(name, value)
    app.collaborators.cache_clear()
    try:
        assert app.collaborators() is app.collaborators()
        assert app.collaborators().settings.table_name == stack.table_name
    finally:
        app.collaborators.cache_clear()


def test_each_check_reads_the_secret_once_and_a_healthy_check_makes_two_dynamodb_requests(monitor, monkeypatch):
    recorded = record_aws_calls(monkeypatch)
    for time in ("2026-11-25T08:00:00Z", "2026-11-25T08:15:00Z", "2026-11-25T08:30:00Z"):
        monitor.scheduled(time)

    calls = [f"{call.service}:{call.operation}" for call in recorded]
    check = ["secretsmanager:GetSecretValue", "dynamodb:GetItem", "dynamodb:TransactWriteItems"]
    assert calls == check * 3  # no SNS while healthy
