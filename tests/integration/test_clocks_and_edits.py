"""What months of running meet besides usage: events dated wrong, a state a wrong date left
behind, the owner editing the secret, a bug in one account's check, a write that fails after
an alert went out. The function's clock is moved with time-machine where it matters."""

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest
import time_machine

from balance_monitor import check
from balance_monitor.adapters.history_table import HistoryTable
from balance_monitor.alert_lifecycle import AlertState, CheckOutcome, Status
from balance_monitor.errors import AccountsFailedError, CheckFailedError, HistoryStoreError
from balance_monitor.history import format_timestamp

from .conftest import API_KEY, FailingClient
from .test_many_accounts import history_of

NOW = datetime(2026, 11, 25, 8, 0, 20, tzinfo=UTC)


@pytest.fixture
def clock():
    """The function's clock, at 08:00:20 on the day the tests' events are dated."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def scheduled(monitor, clock):
    """A scheduled check as EventBridge delivers it: the clock 20 seconds past the event's time."""

    def deliver(time: str):
        clock.move_to(datetime.fromisoformat(time) + timedelta(seconds=20))
        return monitor.scheduled(time)

    return deliver


def metrics_written(capsys) -> list[str]:
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    return [metric["Name"] for line in lines for metric in line["_aws"]["CloudWatchMetrics"][0]["Metrics"]]


@pytest.mark.usefixtures("clock")
def test_an_event_dated_ahead_of_the_clock_is_refused_and_moves_nothing(monitor, captured_logs, capsys):
    monitor.configure(LowBalanceThreshold="CNY=500")

    refused = monitor.scheduled("2030-01-01T00:00:00Z")

    assert refused["result"] == "refused"
    assert "is ahead of this function's clock (2026-11-25T08:00:20Z)" in refused["error"]
    assert '"message":"event refused"' in captured_logs()
    assert "EventsRefused" in metrics_written(capsys)
    assert monitor.deepseek.requests == []
    assert monitor.history() == []
    assert monitor.state() == AlertState()
    # The schedule goes on as if it had never come: the low balance alerts at the next check.
    assert monitor.scheduled("2026-11-25T08:00:00Z")["notification"] == "alert"


@pytest.mark.parametrize(("ahead", "refused"), [(timedelta(minutes=5), False), (timedelta(minutes=5, seconds=1), True)])
def test_a_few_minutes_of_clock_skew_are_tolerated(monitor, clock, ahead, refused):
    summary = monitor.scheduled(format_timestamp(NOW + ahead))

    assert (summary.get("result") == "refused") is refused


def test_a_state_left_by_an_event_from_the_future_is_repaired_at_the_next_check(monitor, clock, captured_logs):
    """Before such events were refused, one could leave a state dated 2030 behind: every real
    check was "late", and not even an unavailable account alerted."""
    monitor.configure(LowBalanceThreshold="CNY=50")
    with time_machine.travel(datetime(2030, 1, 1, 0, 0, 20, tzinfo=UTC), tick=False):
        monitor.scheduled("2030-01-01T00:00:00Z")
    monitor.deepseek.is_available = False

    summary = monitor.scheduled("2026-11-25T08:00:00Z")

    assert (summary["result"], summary["status"], summary["notification"]) == ("checked", "unavailable", "alert")
    assert "the alert state was written by a check dated in the future" in captured_logs()
    assert monitor.state().last_check_at == datetime(2026, 11, 25, 8, tzinfo=UTC)
    [alert] = monitor.alerts()
    assert alert.attributes["state"] == "unavailable"


def test_a_key_put_into_the_new_stacks_empty_secret_is_used_at_the_next_check(monitor, scheduled):
    monitor.stack.put_api_key('{"api_key": ""}')  # what template.yaml creates
    assert scheduled("2026-11-25T08:00:00Z")["status"] == "key_rejected"

    monitor.stack.put_api_key(json.dumps({"api_key": API_KEY}))  # the README's set-up step
    summary = scheduled("2026-11-25T08:15:00Z")

    assert (summary["status"], summary["notification"]) == ("healthy", "recovery")
    assert [alert.attributes["kind"] for alert in monitor.alerts()] == ["alert", "recovery"]


@pytest.mark.usefixtures("atomic_aws_requests")
def test_accounts_added_removed_and_rethresholded_in_the_secret_count_from_the_next_check(monitor, scheduled):
    other_key = "sk-added-cccccccccccccccc"
    monitor.deepseek.add_account(other_key).set_balance("CNY", topped_up="30.00")
    monitor.stack.put_api_key(json.dumps({"accounts": {"main": {"api_key": API_KEY}}}))
    first = scheduled("2026-11-25T08:00:00Z")

    monitor.stack.put_api_key(
        json.dumps(
            {
                "accounts": {
                    "main": {"api_key": API_KEY, "low_balance_threshold": "CNY=500"},
                    "added": {"api_key": other_key},
                }
            }
        )
    )
    second = scheduled("2026-11-25T08:15:00Z")
    monitor.stack.put_api_key(json.dumps({"accounts": {"added": {"api_key": other_key}}}))
    third = scheduled("2026-11-25T08:30:00Z")

    def statuses(summary):
        return {result["account"]: result["status"] for result in summary["accounts"]}

    assert statuses(first) == {"main": "healthy"}
    assert statuses(second) == {"added": "healthy", "main": "low"}  # the stack's threshold is 10
    assert statuses(third) == {"added": "healthy"}


@pytest.mark.usefixtures("atomic_aws_requests")
def test_a_bug_in_one_accounts_check_is_its_failed_check_and_never_the_others(monitor):
    monitor.stack.put_api_key(json.dumps({"accounts": {"broken": {"api_key": API_KEY}, "fine": {"api_key": API_KEY}}}))
    # A state item edited by hand into something the monitor cannot read.
    boto3.client("dynamodb").put_item(
        TableName=monitor.stack.table_name,
        Item={"account": {"S": "broken"}, "record": {"S": "state"}, "version": {"N": "3"}},
    )

    with pytest.raises(AccountsFailedError, match=r"1 of 2 accounts failed \(broken: balance check failed: unexpected"):
        monitor.scheduled("2026-11-25T08:00:00Z")

    [broken] = history_of(monitor, "broken")
    assert (broken.observation.outcome, broken.observation.error) == (
        CheckOutcome.FAILED,
        "unexpected error (KeyError)",
    )
    [fine] = history_of(monitor, "fine")
    assert fine.observation.outcome is CheckOutcome.OK


def test_a_bug_in_the_alert_logic_keeps_the_reading_and_ends_in_a_failing_alert(monitor, monkeypatch):
    decide = check.evaluate

    def crashes_on_balances(state, observation, **options):
        if observation.outcome is CheckOutcome.OK:
            raise OverflowError("date value out of range")
        return decide(state, observation, **options)

    monkeypatch.setattr(check, "evaluate", crashes_on_balances)

    for minute in ("00", "15", "30"):
        with pytest.raises(CheckFailedError, match=r"unexpected error \(OverflowError\)"):
            monitor.scheduled(f"2026-11-25T08:{minute}:00Z")

    records = monitor.history()
    assert [record.observation.outcome for record in records] == [CheckOutcome.FAILED] * 3
    assert records[0].observation.report.balances["CNY"].total == 110  # the reading is kept
    assert monitor.state().status is Status.FAILING
    [alert] = monitor.alerts()
    assert alert.subject == "[DeepSeek] Monitor failing for account default: 3 checks failed"


def test_when_the_state_cannot_be_written_after_a_publish_the_alert_is_sent_again_not_lost(monitor, scheduled):
    """At least once: the published alert could not be recorded as sent, so once the lease it
    was sent under expires, the next check sends it again."""
    monitor.configure(LowBalanceThreshold="CNY=500")
    table = monitor.collaborators.history
    failing = FailingClient(boto3.client("dynamodb"), "transact_write_items", "InternalServerError")
    monitor.replace(history=HistoryTable(failing, monitor.stack.table_name))

    with pytest.raises(HistoryStoreError, match="transact_write_items failed"):
        scheduled("2026-11-25T08:00:00Z")
    assert [alert.attributes["kind"] for alert in monitor.alerts()] == ["alert"]

    monitor.replace(history=table)
    summary = scheduled("2026-11-25T08:15:00Z")

    assert summary["notification"] == "alert"
    assert [alert.attributes["kind"] for alert in monitor.alerts()] == ["alert"]
    assert monitor.state().status is Status.LOW
