"""Several DeepSeek accounts from one stack: each with its own thresholds, history, state and
alerts, checked at once; one account's trouble never hides or delays another's."""

import json

import pytest

from balance_monitor.alert_lifecycle import CheckOutcome, Status
from balance_monitor.errors import AccountsFailedError
from sandbox.deepseek_simulator import Reply

# Accounts are checked in threads; moto needs the lock that DynamoDB's atomicity stands for.
pytestmark = pytest.mark.usefixtures("atomic_aws_requests")

AT = "2026-11-25T08:00:00Z"
TEAM_KEY, CLIENT_KEY = "sk-team-aaaaaaaaaaaaaaaa", "sk-client-bbbbbbbbbbbbbbbb"


@pytest.fixture
def two_accounts(monitor):
    """team-a watches CNY below 50; client-b uses the stack's threshold (CNY=100)."""
    monitor.configure(LowBalanceThreshold="CNY=100")
    team = monitor.deepseek.add_account(TEAM_KEY)
    team.set_balance("CNY", topped_up="80.00")
    client = monitor.deepseek.add_account(CLIENT_KEY)
    client.set_balance("CNY", topped_up="80.00")
    secret = {
        "accounts": {
            "team-a": {"api_key": TEAM_KEY, "low_balance_threshold": "CNY=50"},
            "client-b": {"api_key": CLIENT_KEY},
        }
    }
    monitor.stack.put_api_key(json.dumps(secret))
    return team, client


def history_of(monitor, account: str):
    from datetime import UTC, datetime

    import boto3

    from balance_monitor.adapters.history_table import HistoryTable

    table = HistoryTable(boto3.client("dynamodb"), monitor.stack.table_name)
    return list(table.checks_between(account, datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)))


def test_each_account_has_its_own_thresholds_history_state_and_alerts(monitor, two_accounts):
    summary = monitor.scheduled(AT)

    assert [(result["account"], result["status"]) for result in summary["accounts"]] == [
        ("client-b", "low"),
        ("team-a", "healthy"),
    ]
    [alert] = monitor.alerts()
    assert alert.attributes["account"] == "client-b"
    assert alert.subject == "[DeepSeek] Balance low for account client-b: CNY 80.00 < 100.00"
    assert [record.status for record in history_of(monitor, "team-a")] == [Status.HEALTHY]
    assert [record.status for record in history_of(monitor, "client-b")] == [Status.LOW]


def test_accounts_alert_independently_as_their_balances_move(monitor, two_accounts):
    team, _ = two_accounts
    monitor.scheduled(AT)
    monitor.alerts()
    team.spend("CNY", "40.00")  # team-a falls below its own 50

    monitor.scheduled("2026-11-25T08:15:00Z")

    [alert] = monitor.alerts()
    assert alert.attributes == {
        "account": "team-a",
        "provider": "deepseek",
        "state": "low",
        "severity": "warning",
        "kind": "alert",
    }


def test_one_failing_account_does_not_stop_the_others(monitor, two_accounts):
    monitor.stack.put_api_key(
        json.dumps({"accounts": {"team-a": {"api_key": TEAM_KEY}, "client-b": {"api_key": "sk-revoked-cccccccc"}}})
    )
    monitor.deepseek.then(Reply(200, b"<html>proxy error</html>"))  # whichever asks first gets the HTML

    with pytest.raises(AccountsFailedError, match="1 of 2 accounts failed"):
        monitor.scheduled(AT)

    outcomes = {account: history_of(monitor, account)[0].observation.outcome for account in ("team-a", "client-b")}
    assert sorted(outcomes.values()) == sorted([CheckOutcome.FAILED, CheckOutcome.KEY_REJECTED])
    assert [alert.attributes["state"] for alert in monitor.alerts()] == ["key_rejected"]


def test_an_unusable_entry_alerts_for_its_account_only(monitor, two_accounts):
    monitor.stack.put_api_key(json.dumps({"accounts": {"team-a": {"api_key": TEAM_KEY}, "client-b": {}}}))

    summary = monitor.scheduled(AT)

    states = {result["account"]: result["status"] for result in summary["accounts"]}
    assert states == {"team-a": "low", "client-b": "key_rejected"}  # team-a now has the stack's threshold
    assert {alert.attributes["account"]: alert.attributes["state"] for alert in monitor.alerts()} == states
    assert history_of(monitor, "client-b")[0].observation.error == "the secret's entry for 'client-b' has no API key"


def test_a_retry_redoes_only_the_accounts_that_failed(monitor, two_accounts):
    monitor.deepseek.then(Reply(200, b"<html>proxy error</html>"))  # one account's read fails
    with pytest.raises(AccountsFailedError, match="1 of 2 accounts failed"):
        monitor.scheduled(AT)
    asked = len(monitor.deepseek.requests)

    summary = monitor.scheduled(AT)  # Lambda's retry of the same event

    results = {result["account"]: result["result"] for result in summary["accounts"]}
    assert sorted(results.values()) == ["checked", "duplicate"]
    assert len(monitor.deepseek.requests) == asked + 1


def test_metrics_carry_the_account(monitor, two_accounts, capsys):
    monitor.scheduled(AT)

    records = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    balances = {(record["account"], record["currency"]) for record in records if "Balance" in record}
    assert balances == {("team-a", "CNY"), ("client-b", "CNY")}
    checks = [record for record in records if record.get("service") and "CheckSucceeded" in record]
    assert [record["CheckSucceeded"] for record in checks] == [[2.0]]  # one sum for the alarm
