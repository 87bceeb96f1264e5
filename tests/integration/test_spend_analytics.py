"""Burn rate and runway through the deployed handler: alerts that name them, top-ups in
history, metrics per currency, and the same work per check whatever the history's length."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from balance_monitor.alert_lifecycle import Status
from balance_monitor.history import format_timestamp
from balance_monitor.spend import SpendEvent

from .conftest import record_aws_calls

START = datetime(2026, 11, 25, tzinfo=UTC)
STEP = timedelta(minutes=15)


def run_day(monitor, steps: int, spend_per_step: str, start_step: int = 0) -> list[dict]:
    summaries = []
    for step in range(start_step, start_step + steps):
        if step:
            monitor.deepseek.spend("CNY", spend_per_step)
        summaries.append(monitor.scheduled(format_timestamp(START + step * STEP)))
    return summaries


def test_a_short_runway_alerts_with_rate_and_date_and_a_top_up_resolves_it(monitor):
    monitor.configure(LowBalanceThreshold="CNY=5")
    monitor.deepseek.set_balance("CNY", granted="0.00", topped_up="70.00")

    run_day(monitor, 30, "0.25")  # 24 CNY a day; after 6 hours, about 2.6 days left

    [alert] = monitor.alerts()
    assert alert.attributes == {
        "account": "default",
        "provider": "deepseek",
        "state": "runway_short",
        "severity": "warning",
        "kind": "alert",
    }
    # Raised at the first check with 6 hours behind it: 64.00 left at 24.00 a day.
    assert alert.subject == "[DeepSeek] Runway short for account default: CNY 2.67 days left"
    [balance] = alert.document["balances"]
    assert (balance["total"], balance["burn_rate_per_day"], balance["runway_days"]) == ("64.00", "24.0000", "2.67")
    assert balance["runway_until"] == "2026-11-27T22:04:48Z"
    assert "burning 24.00/day, runway 2.67 days (until 2026-11-27 22:04 UTC)" in alert.body

    monitor.deepseek.top_up("CNY", "200.00")
    run_day(monitor, 1, "0.25", start_step=30)

    [recovery] = monitor.alerts()
    assert recovery.attributes["kind"] == "recovery"
    assert recovery.document["top_ups"] == [{"currency": "CNY", "amount": "199.75"}]
    assert "Topped up: CNY 199.75" in recovery.body
    last = monitor.history()[-1]
    assert last.events == (SpendEvent("top_up", "CNY", Decimal("199.75")),)
    assert last.status is Status.HEALTHY


def test_before_six_hours_of_checks_the_runway_is_not_yet_known(monitor):
    monitor.configure(LowBalanceThreshold="CNY=500")  # so that an alert shows the estimate
    run_day(monitor, 1, "0.25")

    [alert] = monitor.alerts()
    assert alert.document["balances"][0]["runway_days"] is None
    assert "burn rate and runway not yet known" in alert.body


def test_burn_rate_and_runway_are_metrics_per_currency(monitor, capsys):
    run_day(monitor, 30, "0.25")

    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    last = {name: entry[name] for entry in emitted for name in ("BurnRatePerDay", "RunwayDays") if name in entry}
    assert last["BurnRatePerDay"] == [24.0]
    assert last["RunwayDays"][0] > 3
    dimensions = {
        tuple(entry["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0]) for entry in emitted if "RunwayDays" in entry
    }
    assert dimensions == {("account", "provider", "currency")}


def seed_history(stack, days: int) -> None:
    """Checks already in the table: a day's or a year's worth, 96 a day."""
    stack.seed_checks(before=START, count=days * 96, step=STEP)


def dynamodb_calls_of_one_check(monitor, monkeypatch, step: int) -> list[tuple[str, int]]:
    """The DynamoDB requests one check makes, with the size of each (in hundreds of bytes)."""
    with monkeypatch.context() as patch:
        calls = record_aws_calls(patch)
        run_day(monitor, 1, "0.25", start_step=step)
    return [
        (call.operation, len(json.dumps(call.request, default=str)) // 100)
        for call in calls
        if call.service == "dynamodb"
    ]


def test_the_work_per_check_is_the_same_with_a_day_and_a_year_of_history(monitor, monkeypatch):
    seed_history(monitor.stack, days=1)
    run_day(monitor, 8, "0.25")
    with_a_day = dynamodb_calls_of_one_check(monitor, monkeypatch, step=8)
    seed_history(monitor.stack, days=365)

    with_a_year = dynamodb_calls_of_one_check(monitor, monkeypatch, step=9)

    assert [operation for operation, _ in with_a_day] == ["GetItem", "TransactWriteItems"]
    assert with_a_year == with_a_day


@pytest.mark.usefixtures("atomic_aws_requests")
def test_runway_alert_days_from_the_stack_and_per_account_take_effect(monitor):
    from .test_many_accounts import CLIENT_KEY, TEAM_KEY, history_of

    monitor.configure(LowBalanceThreshold="CNY=1", RunwayAlertDays="2")
    accounts = [monitor.deepseek.add_account(key) for key in (TEAM_KEY, CLIENT_KEY)]
    for account in accounts:
        account.set_balance("CNY", topped_up="103.00")  # after 7 hours at 24 a day, 96: 4 days
    secret = {
        "accounts": {
            "stack-limit": {"api_key": TEAM_KEY},
            "own-limit": {"api_key": CLIENT_KEY, "runway_alert_days": 5},
        }
    }
    monitor.stack.put_api_key(json.dumps(secret))

    for step in range(29):
        if step:
            for account in accounts:
                account.spend("CNY", "0.25")
        monitor.scheduled(format_timestamp(START + step * STEP))

    assert history_of(monitor, "stack-limit")[-1].status is Status.HEALTHY  # 4 days is not under 2
    assert history_of(monitor, "own-limit")[-1].status is Status.RUNWAY_SHORT  # but is under 5
    [alert] = monitor.alerts()
    assert (
        alert.subject == "[DeepSeek] Runway short for account own-limit: CNY 4.04 days left"
    )  # at the first check 6 hours in: 97 left


@pytest.mark.parametrize(("spike_factor", "status"), [("1.5", "spend_spike"), ("3", "healthy")])
def test_the_spend_spike_factor_parameter_takes_effect(monitor, spike_factor, status):
    monitor.configure(SpendSpikeFactor=spike_factor)
    for step in range(101):  # a day at 1 CNY an hour, then an hour at 4
        if step:
            monitor.deepseek.spend("CNY", "1.00" if step > 96 else "0.25")
        summary = monitor.scheduled(format_timestamp(START + step * STEP))

    # The hour spent 3 more than this time of day did yesterday; the day averaged 1.12 an hour.
    assert summary["status"] == status
