"""Accounts of other providers beside DeepSeek's, through the deployed handler: each read at its
own simulator in its own shape, named as its provider in alerts, history, metrics and digests,
and a Moonshot account that runs into debt told as a person would want it told."""

import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from balance_monitor.alert_lifecycle import CheckOutcome, Status
from balance_monitor.history import format_timestamp
from sandbox.provider_simulators import SIMULATORS

from .test_many_accounts import history_of

pytestmark = pytest.mark.usefixtures("atomic_aws_requests")

START = datetime(2026, 11, 16, 8, tzinfo=UTC)  # the last check, four days on, is before the clock
KIMI_KEY, ROUTER_KEY = "sk-kimi-cccccccccccccccc", "sk-or-v1-dddddddddddddddd"


@pytest.fixture
def moonshot():
    with SIMULATORS["moonshot"](KIMI_KEY) as simulator:
        simulator.set_balance("CNY", granted="0.00", topped_up="30.00")
        yield simulator


@pytest.fixture
def openrouter():
    with SIMULATORS["openrouter"](ROUTER_KEY) as simulator:
        simulator.set_balance("USD", topped_up="100.00")
        yield simulator


@pytest.fixture
def three_providers(monitor, moonshot, openrouter):
    """The stack's DeepSeek account (CNY 110) beside a Moonshot account (CNY 30, warning below
    20) and an OpenRouter account (USD 100, the stack's thresholds)."""
    secret = {
        "accounts": {
            "default": {"api_key": monitor.deepseek.api_key},
            "kimi": {
                "api_key": KIMI_KEY,
                "provider": "moonshot",
                "base_url": moonshot.base_url,
                "low_balance_threshold": "CNY=20",
            },
            "router": {"api_key": ROUTER_KEY, "provider": "openrouter", "base_url": openrouter.base_url},
        }
    }
    monitor.stack.put_api_key(json.dumps(secret))
    return monitor


def at(hours: float) -> str:
    return format_timestamp(START + timedelta(hours=hours))


def test_each_account_is_read_from_its_own_provider_in_its_own_shape(three_providers, moonshot, openrouter):
    monitor = three_providers

    summary = monitor.scheduled(at(0))

    assert [(result["account"], result["status"]) for result in summary["accounts"]] == [
        ("default", "healthy"),
        ("kimi", "healthy"),
        ("router", "healthy"),
    ]
    assert [request.path for request in moonshot.requests] == ["/v1/users/me/balance"]
    assert [request.path for request in openrouter.requests] == ["/api/v1/credits"]
    assert [request.path for request in monitor.deepseek.requests] == ["/user/balance"]
    [kimi] = history_of(monitor, "kimi")
    assert kimi.provider == "moonshot"
    assert kimi.observation.report.balances["CNY"].total == 30
    [router] = history_of(monitor, "router")
    assert router.observation.report.balances["USD"].total == 100


def test_alerts_name_the_provider_in_subject_body_document_and_attributes(three_providers, moonshot):
    monitor = three_providers
    monitor.scheduled(at(0))
    moonshot.spend("CNY", "15.00")

    monitor.scheduled(at(0.25))

    [alert] = monitor.alerts()
    assert alert.subject == "[Moonshot] Balance low for account kimi: CNY 15.00 < 20.00"
    assert alert.attributes == {
        "account": "kimi",
        "provider": "moonshot",
        "state": "low",
        "severity": "warning",
        "kind": "alert",
    }
    assert alert.document["provider"] == "moonshot"
    assert "Top up the account on Moonshot's platform" in alert.body
    assert "DeepSeek" not in alert.body


def test_the_deepseek_accounts_items_keep_their_shape_and_the_others_name_their_provider(three_providers):
    monitor = three_providers

    monitor.scheduled(at(0))

    checks = {item["account"]["S"]: item for item in monitor.raw_items() if item["record"]["S"].startswith("check#")}
    assert "provider" not in checks["default"]  # a deployed stack's history continues unchanged
    assert checks["kimi"]["provider"] == {"S": "moonshot"}
    assert checks["router"]["provider"] == {"S": "openrouter"}


def test_metrics_carry_the_provider_as_a_dimension(three_providers, capsys):
    three_providers.scheduled(at(0))

    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    balances = {
        (entry["account"], entry["provider"], entry["currency"]): entry["Balance"]
        for entry in emitted
        if "Balance" in entry
    }
    assert balances == {
        ("default", "deepseek", "CNY"): [110.0],
        ("kimi", "moonshot", "CNY"): [30.0],
        ("router", "openrouter", "USD"): [100.0],
    }


def test_a_moonshot_account_run_into_debt_is_unavailable_until_topped_up(three_providers, moonshot):
    """Moonshot's cash balance may go below zero, and at or below zero its API refuses calls:
    three and a half days of steady use at 1 CNY an hour, then a top-up, checked hourly."""
    monitor = three_providers
    told = []
    for hour in range(96):
        if hour == 84:
            moonshot.top_up("CNY", "500.00")  # 447 left: 18 days at 24 a day
        elif hour:
            moonshot.primary.wallets["CNY"].topped_up -= 1  # a debt, as Moonshot's cash_balance allows
        monitor.scheduled(at(hour))
        told += [(hour, alert.attributes["kind"], alert.attributes["state"]) for alert in monitor.alerts()]

    kimi = history_of(monitor, "kimi")
    assert all(record.observation.outcome is CheckOutcome.OK for record in kimi)  # a debt is read, not failed
    assert min(record.observation.report.balances["CNY"].total for record in kimi) == -53
    kimi_told = [(hour, kind, state) for hour, kind, state in told if state != "healthy" or kind == "recovery"]
    assert [(kind, state) for _, kind, state in kimi_told if kind != "reminder"] == [
        ("alert", "runway_short"),
        ("alert", "low"),
        ("alert", "unavailable"),
        ("recovery", "healthy"),
    ]
    # Told when it reached 0.00, reminded daily while refused, resolved at the top-up's check.
    assert [(hour, kind) for hour, kind, state in kimi_told if state in ("unavailable", "healthy")] == [
        (30, "alert"),
        (54, "reminder"),
        (78, "reminder"),
        (84, "recovery"),
    ]
    assert kimi[-1].status is Status.HEALTHY


def test_the_digest_names_each_accounts_provider(three_providers, moonshot):
    monitor = three_providers
    for hour in range(0, 48):
        moonshot.spend("CNY", "0.10")
        monitor.scheduled(at(hour))
    monitor.alerts()

    monitor.invoke({"digest": {"days": 1}, "time": at(48)})

    subjects = {alert.attributes["account"]: alert.subject for alert in monitor.alerts()}
    assert subjects["kimi"].startswith("[Moonshot] Daily digest for account kimi: CNY 2.40 spent")
    assert subjects["router"].startswith("[OpenRouter] ")
    assert subjects["default"].startswith("[DeepSeek] ")


def test_the_check_command_reads_another_provider_with_its_own_key_variable(moonshot, monkeypatch, capsys):
    from balance_cli.main import main

    monkeypatch.setenv("MOONSHOT_API_KEY", KIMI_KEY)
    monkeypatch.delenv("DEEPSEEK_API_KEY", raising=False)

    code = main(["check", "--provider", "moonshot", "--base-url", moonshot.base_url, "--json"])

    assert code == 0
    assert json.loads(capsys.readouterr().out) == {
        "is_available": True,
        "balances": [{"currency": "CNY", "total": "30.0", "granted": "0.0", "topped_up": "30.0"}],
    }


@pytest.mark.parametrize(
    ("arguments", "environment", "message"),
    [
        (["--provider", "kimi"], {}, "--provider: unknown provider 'kimi': use one of deepseek, moonshot,"),
        (["--provider", "novita"], {}, "no API key: set NOVITA_API_KEY, or pass --key-file FILE or --stack NAME"),
        (  # the address is judged before a key is sought
            ["--provider", "novita", "--base-url", "http://example.com"],
            {},
            "--base-url='http://example.com' is invalid: use https (http only for localhost)",
        ),
        (["--account", "prod"], {}, "--account picks an account of a deployed stack's secret: give --stack NAME too"),
    ],
)
def test_the_check_command_says_which_provider_or_key_is_missing(arguments, environment, message, capsys, monkeypatch):
    from balance_cli.main import main

    monkeypatch.delenv("NOVITA_API_KEY", raising=False)

    code = main(["check", *arguments])

    assert code == 2
    assert message in capsys.readouterr().err


def test_setup_judges_the_address_before_it_asks_aws_anything(capsys, monkeypatch):
    from balance_cli.main import main

    monkeypatch.setattr("sys.stdin", io.StringIO("sk-novita-ffffffffffff\n"))

    code = main(
        ["setup", "--stack", "nowhere", "--account", "render", "--provider", "novita", "--base-url", "http://x.io"]
    )

    assert code == 2
    assert "--base-url='http://x.io' is invalid: use https (http only for localhost)" in capsys.readouterr().err
