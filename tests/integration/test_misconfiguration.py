"""A monitor that cannot use its configuration says so where alerts go: a critical
`misconfigured` alert naming the stack parameter or the secret's field to fix, reminders while
it lasts, and the recovery once it is fixed. A missing or refused key stays `key_rejected`."""

import json

import pytest

import app
from balance_monitor.alert_lifecycle import CheckOutcome, Status
from balance_monitor.errors import ConfigurationError
from balance_monitor.settings import Settings
from sandbox.lambda_context import LambdaContext

from .conftest import API_KEY, scheduled_event
from .test_many_accounts import history_of

pytestmark = pytest.mark.usefixtures("atomic_aws_requests")

NUMBER = "is not a non-negative number (at most 12 digits and 6 decimals)"


def test_a_bad_stack_parameter_alerts_reminds_and_recovers_when_fixed(monitor):
    # LowBalanceThreshold's pattern guards sam deploy; an edit in the Lambda console does not pass it.
    monitor.configure(LowBalanceThreshold="CNY=abc")

    summary = monitor.scheduled("2026-11-24T08:00:00Z")

    assert (summary["outcome"], summary["status"]) == ("misconfigured", "misconfigured")
    assert summary["notification"] == "alert"
    assert monitor.deepseek.requests == []  # not asked with settings it cannot judge by
    [alert] = monitor.alerts()
    assert alert.attributes == {
        "account": "default",
        "provider": "deepseek",
        "state": "misconfigured",
        "severity": "critical",
        "kind": "alert",
    }
    assert alert.subject == "[DeepSeek] Monitor misconfigured for account default"
    problem = f"LowBalanceThreshold: LOW_BALANCE_THRESHOLD='CNY=abc' is invalid: 'CNY=abc' {NUMBER}"
    assert alert.document["error"] == problem
    assert f"Error:     {problem}" in alert.body
    assert "sam deploy --parameter-overrides" in alert.body
    [record] = monitor.history()
    assert (record.observation.outcome, record.status) == (CheckOutcome.MISCONFIGURED, Status.MISCONFIGURED)

    monitor.scheduled("2026-11-24T08:15:00Z")
    assert monitor.alerts() == []  # one alert, not one a check
    monitor.scheduled("2026-11-25T08:00:00Z")
    [reminder] = monitor.alerts()
    assert (reminder.attributes["kind"], reminder.attributes["state"]) == ("reminder", "misconfigured")

    monitor.configure(LowBalanceThreshold="CNY=5")  # fixed: Lambda starts new containers with it
    summary = monitor.scheduled("2026-11-25T08:15:00Z")

    assert (summary["status"], summary["notification"]) == ("healthy", "recovery")
    [recovery] = monitor.alerts()
    assert recovery.document["previous_state"] == "misconfigured"
    assert [record.status for record in monitor.history()] == [Status.MISCONFIGURED] * 3 + [Status.HEALTHY]


def test_every_bad_parameter_is_named_in_one_alert(monitor):
    monitor.configure(ReminderIntervalHours="0", DeepSeekBaseUrl="http://api.deepseek.com")

    monitor.scheduled("2026-11-24T08:00:00Z")

    [alert] = monitor.alerts()
    assert alert.document["error"] == (
        "ReminderIntervalHours: REMINDER_INTERVAL_HOURS='0' is invalid: expected a number from 1 to 720; "
        "DeepSeekBaseUrl: DEEPSEEK_BASE_URL='http://api.deepseek.com' is invalid: use https (http only for localhost)"
    )


def test_a_bad_setting_in_a_new_container_is_an_alert_not_a_crash(stack, deepseek, monkeypatch):
    """The handler as Lambda starts it: settings read from the environment at the first invocation."""
    for name, value in stack.function_environment(DeepSeekBaseUrl=deepseek.base_url).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("LOW_BALANCE_THRESHOLD", "lots")
    monkeypatch.delenv("API_KEY_SECRET_ID")
    app.collaborators.cache_clear()
    try:
        summary = app.lambda_handler(scheduled_event("2026-11-24T08:00:00Z"), LambdaContext())
    finally:
        app.collaborators.cache_clear()

    assert summary["status"] == "misconfigured"
    [alert] = stack.received_alerts()
    assert alert.document["error"] == (
        f"API_KEY_SECRET_ID must be set; LowBalanceThreshold: LOW_BALANCE_THRESHOLD='lots' is invalid: 'lots' {NUMBER}"
    )


@pytest.mark.filterwarnings("ignore:No application metrics")  # the invocation ends before any check
@pytest.mark.parametrize("name", ["TOPIC_ARN", "TABLE_NAME"])
def test_without_its_topic_or_table_the_function_fails_and_the_error_alarm_tells(stack, deepseek, monkeypatch, name):
    for variable, value in stack.function_environment(DeepSeekBaseUrl=deepseek.base_url).items():
        monkeypatch.setenv(variable, value)
    monkeypatch.setenv(name, "")
    app.collaborators.cache_clear()
    try:
        with pytest.raises(ConfigurationError, match=f"{name} must be set"):
            app.lambda_handler(scheduled_event("2026-11-24T08:00:00Z"), LambdaContext())
    finally:
        app.collaborators.cache_clear()


def test_a_bad_field_in_an_accounts_entry_alerts_for_that_account_naming_the_field(monitor):
    team = monitor.deepseek.add_account("sk-team-aaaaaaaaaaaaaaaa")
    team.set_balance("CNY", topped_up="80.00")
    entries = {"team": {"api_key": "sk-team-aaaaaaaaaaaaaaaa", "low_balance_threshold": "CNY=abc"}}
    monitor.stack.put_api_key(json.dumps({"accounts": {**entries, "main": {"api_key": API_KEY}}}))

    summary = monitor.scheduled("2026-11-24T08:00:00Z")

    assert {result["account"]: result["status"] for result in summary["accounts"]} == {
        "main": "healthy",
        "team": "misconfigured",
    }
    [alert] = monitor.alerts()
    assert alert.attributes["state"] == "misconfigured"
    assert alert.document["error"] == (
        f"the secret's entry for 'team': low_balance_threshold='CNY=abc' is invalid: 'CNY=abc' {NUMBER}"
    )
    assert "rotate" not in alert.body
    assert "LOW_BALANCE_THRESHOLD" not in alert.body  # the user wrote the secret, not the variable

    entries["team"]["low_balance_threshold"] = "CNY=50"  # the secret fixed: counts from the next check
    monitor.stack.put_api_key(json.dumps({"accounts": {**entries, "main": {"api_key": API_KEY}}}))
    monitor.scheduled("2026-11-24T08:15:00Z")

    [recovery] = monitor.alerts()
    assert (recovery.attributes["account"], recovery.attributes["kind"]) == ("team", "recovery")
    assert [record.status for record in history_of(monitor, "team")] == [Status.MISCONFIGURED, Status.HEALTHY]


def test_accounts_that_are_not_a_map_are_a_misconfigured_default_account(monitor):
    monitor.stack.put_api_key(json.dumps({"accounts": [{"api_key": API_KEY}]}))

    summary = monitor.scheduled("2026-11-24T08:00:00Z")

    assert summary["status"] == "misconfigured"
    [alert] = monitor.alerts()
    assert alert.document["error"] == 'the API key secret\'s "accounts" is not a map of account names to entries'


def test_a_missing_key_in_an_entry_stays_key_rejected(monitor):
    monitor.stack.put_api_key(json.dumps({"accounts": {"team": {"low_balance_threshold": "CNY=5"}}}))

    summary = monitor.scheduled("2026-11-24T08:00:00Z")

    assert summary["accounts"][0]["status"] == "key_rejected"
    [alert] = monitor.alerts()
    assert "rotate a key" in alert.body


def test_the_settings_a_deployed_stack_gives_have_no_problem(stack):
    assert Settings.from_environment(stack.function_environment()).problems == ()
