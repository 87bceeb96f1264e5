"""Two levels through the deployed handler: below LowBalanceThreshold a warning (`low`), below
CriticalBalanceThreshold a critical alert (`critically_low`); an account's entry may set its own;
a critical level that cannot stand under the warning level is `misconfigured`, naming both."""

import json

import pytest

from balance_monitor.alert_lifecycle import Status

from .conftest import API_KEY
from .test_many_accounts import history_of

# Accounts are checked in threads; moto needs the lock that DynamoDB's atomicity stands for.
pytestmark = pytest.mark.usefixtures("atomic_aws_requests")

TEAM_KEY = "sk-team-aaaaaaaaaaaaaaaa"


def told(alert) -> tuple[str, str, str, str]:
    document = alert.document
    return document["kind"], document["state"], document["previous_state"], document["severity"]


def test_a_balance_falling_through_both_levels_and_topped_up_back_is_told_at_each_level(monitor):
    monitor.configure(LowBalanceThreshold="CNY=50", CriticalBalanceThreshold="CNY=10")  # CNY 110.00 to start

    assert monitor.scheduled("2026-11-25T08:00:00Z")["status"] == "healthy"
    monitor.deepseek.spend("CNY", "65.00")
    monitor.scheduled("2026-11-25T08:15:00Z")
    [low] = monitor.alerts()
    monitor.deepseek.spend("CNY", "40.00")
    monitor.scheduled("2026-11-25T08:30:00Z")
    [critical] = monitor.alerts()
    monitor.scheduled("2026-11-25T08:45:00Z")
    assert monitor.alerts() == []  # one alert a level, not one a check
    monitor.deepseek.top_up("CNY", "20.00")
    monitor.scheduled("2026-11-25T09:00:00Z")
    [eased] = monitor.alerts()
    monitor.deepseek.top_up("CNY", "100.00")
    monitor.scheduled("2026-11-25T09:15:00Z")
    [recovery] = monitor.alerts()

    assert told(low) == ("alert", "low", "healthy", "warning")
    assert told(critical) == ("alert", "critically_low", "low", "critical")
    assert critical.attributes == {
        "account": "default",
        "provider": "deepseek",
        "state": "critically_low",
        "severity": "critical",
        "kind": "alert",
    }
    assert critical.subject == "[DeepSeek] Balance critically low for account default: CNY 5.00 < 10.00"
    assert "CNY         5.00   BELOW threshold 50.00, BELOW critical 10.00" in critical.body
    [cny] = critical.document["balances"]
    assert (cny["critical_threshold"], cny["below_critical_threshold"], cny["below_threshold"]) == ("10", True, True)
    assert told(eased) == ("alert", "low", "critically_low", "warning")  # back up: neither silence nor a recovery
    assert eased.subject == "[DeepSeek] Balance low for account default: CNY 25.00 < 50.00"
    assert eased.body.startswith("ALERT: balance low for account default, no longer critically low.")
    assert told(recovery) == ("recovery", "healthy", "low", "info")
    assert [record.status for record in monitor.history()] == [
        Status.HEALTHY,
        Status.LOW,
        Status.CRITICALLY_LOW,
        Status.CRITICALLY_LOW,
        Status.LOW,
        Status.HEALTHY,
    ]


def test_straight_from_healthy_below_the_critical_level_is_one_critical_alert(monitor):
    monitor.configure(LowBalanceThreshold="CNY=50", CriticalBalanceThreshold="CNY=10")
    monitor.scheduled("2026-11-25T08:00:00Z")
    monitor.deepseek.spend("CNY", "105.00")

    summary = monitor.scheduled("2026-11-25T08:15:00Z")

    assert (summary["status"], summary["notification"]) == ("critically_low", "alert")
    [alert] = monitor.alerts()
    assert told(alert) == ("alert", "critically_low", "healthy", "critical")


@pytest.mark.parametrize(
    ("low", "critical", "problem"),
    [
        (
            "CNY=50",
            "CNY=50",
            "CriticalBalanceThreshold sets 50 for CNY, not below LowBalanceThreshold's 50; "
            "the critical level must be the lower one",
        ),
        (
            "CNY=50",
            "5",
            "CriticalBalanceThreshold sets 5 for USD but LowBalanceThreshold sets no threshold for USD; "
            "a critical level needs a warning level above it",
        ),
    ],
)
def test_a_critical_level_not_under_the_warning_level_is_misconfigured_naming_both(monitor, low, critical, problem):
    monitor.configure(LowBalanceThreshold=low, CriticalBalanceThreshold=critical)

    summary = monitor.scheduled("2026-11-25T08:00:00Z")

    assert (summary["status"], summary["notification"]) == ("misconfigured", "alert")
    assert monitor.deepseek.requests == []  # not asked with levels it cannot judge by
    [alert] = monitor.alerts()
    assert alert.document["error"] == problem
    assert alert.attributes["severity"] == "critical"


def test_an_accounts_own_levels_and_a_clash_with_the_stacks_are_that_accounts_alone(monitor):
    monitor.configure(LowBalanceThreshold="CNY=100", CriticalBalanceThreshold="CNY=20")
    monitor.deepseek.set_balance("CNY", topped_up="15.00")
    team = monitor.deepseek.add_account(TEAM_KEY)
    team.set_balance("CNY", topped_up="15.00")
    entries = {
        "main": {"api_key": API_KEY, "critical_balance_threshold": ""},  # the stack's warning level, no critical
        "team": {"api_key": TEAM_KEY, "low_balance_threshold": "CNY=30", "critical_balance_threshold": "CNY=16"},
    }
    monitor.stack.put_api_key(json.dumps({"accounts": entries}))

    summary = monitor.scheduled("2026-11-25T08:00:00Z")

    assert {result["account"]: result["status"] for result in summary["accounts"]} == {
        "main": "low",
        "team": "critically_low",
    }
    critical = next(alert for alert in monitor.alerts() if alert.attributes["account"] == "team")
    assert critical.subject == "[DeepSeek] Balance critically low for account team: CNY 15.00 < 16.00"

    entries["team"] = {"api_key": TEAM_KEY, "low_balance_threshold": "CNY=18"}  # under the stack's critical 20
    monitor.stack.put_api_key(json.dumps({"accounts": entries}))
    summary = monitor.scheduled("2026-11-25T08:15:00Z")

    assert {result["account"]: result["status"] for result in summary["accounts"]} == {
        "main": "low",
        "team": "misconfigured",
    }
    [alert] = monitor.alerts()
    assert alert.attributes["account"] == "team"
    assert alert.document["error"] == (
        "the secret's entry for 'team': CriticalBalanceThreshold sets 20 for CNY, not below "
        "low_balance_threshold's 18; the critical level must be the lower one"
    )
    assert [record.status for record in history_of(monitor, "team")] == [Status.CRITICALLY_LOW, Status.MISCONFIGURED]
