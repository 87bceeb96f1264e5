"""deepseek-balance, used as a person or a script would: against moto, the DeepSeek
simulator on 127.0.0.1, and a CloudFormation stack's outputs (botocore's Stubber)."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
import struct
import subprocess
import sys
import time
import tomllib
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from balance_cli import errors
from balance_cli import history as history_command
from balance_cli import stack as stack_lookup
from balance_cli.main import SUMMARIES, main
from balance_cli.report import draw
from balance_monitor.adapters.history_table import HistoryTable
from balance_monitor.alert_lifecycle import CheckOutcome, NotificationKind, Observation, Status
from balance_monitor.alert_messages import TITLES
from balance_monitor.balance import BalanceReport, CurrencyBalance
from balance_monitor.history import CheckRecord
from balance_monitor.settings import parse_thresholds
from sandbox.deepseek_simulator import Reply

from .conftest import API_KEY, stub_stack_outputs

ROOT = Path(__file__).resolve().parents[2]
STACK = "deepseek-balance-monitor"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def key_in_environment(monkeypatch, deepseek):
    monkeypatch.setenv("DEEPSEEK_API_KEY", API_KEY)
    monkeypatch.setenv("DEEPSEEK_BASE_URL", deepseek.base_url)


@pytest.fixture
def deployed(monkeypatch, stack_outputs_of):
    """`--stack deepseek-balance-monitor` finds the table and the secret through its outputs."""
    outputs = {"HistoryTableName": stack_outputs_of.table_name, "ApiKeySecretArn": stack_outputs_of.secret_arn}
    stub_stack_outputs(monkeypatch, STACK, outputs, calls=3)


@pytest.fixture
def stack_outputs_of(stack):
    return stack


def test_check_prints_each_currency_and_availability(capsys, key_in_environment, deepseek):
    deepseek.set_balance("USD", topped_up="7.25")

    code, out, _ = run(capsys, "check")

    assert code == errors.OK
    assert out.splitlines()[0].split() == ["currency", "total", "granted", "topped", "up"]
    assert out.splitlines()[1].split() == ["CNY", "110.00", "10.00", "100.00"]
    assert "available: yes" in out
    assert API_KEY not in out


def test_check_json_parses_and_keeps_exact_amounts(capsys, key_in_environment):
    code, out, _ = run(capsys, "check", "--json")

    assert code == errors.OK
    assert json.loads(out) == {
        "is_available": True,
        "balances": [{"currency": "CNY", "total": "110.00", "granted": "10.00", "topped_up": "100.00"}],
    }


def test_check_json_prints_only_the_document_on_stdout_even_when_deepseek_needed_a_retry(
    capsys, key_in_environment, deepseek
):
    deepseek.then(Reply(503))

    code, out, err = run(capsys, "check", "--json")

    assert code == errors.OK
    assert json.loads(out)["balances"][0]["total"] == "110.00"
    assert "DeepSeek balance request will be retried" in err
    assert len(deepseek.requests) == 2


@pytest.mark.parametrize(
    ("situation", "code", "message"),
    [
        ("unavailable", errors.UNAVAILABLE, None),
        ("402", errors.UNAVAILABLE, "insufficient balance"),
        ("rejected", errors.KEY_REJECTED, "rejected the API key"),
        ("broken", errors.UNREADABLE, "could not read the balance: response is not valid JSON"),
    ],
)
def test_check_exit_codes_scripts_can_rely_on(
    capsys, key_in_environment, deepseek, monkeypatch, situation, code, message
):
    if situation == "unavailable":
        deepseek.is_available = False
    elif situation == "402":
        deepseek.then(Reply(402))
    elif situation == "rejected":
        monkeypatch.setenv("DEEPSEEK_API_KEY", "sk-wrong-0000")
    else:
        deepseek.then(Reply(200, b"<html>oops</html>"))

    exit_code, out, err = run(capsys, "check")

    assert exit_code == code
    if message:
        assert message in err
    else:
        assert "available: NO" in out


def test_check_without_a_key_says_where_to_put_one(capsys, monkeypatch):
    monkeypatch.delenv("DEEPSEEK_API_KEY", raising=False)

    code, _, err = run(capsys, "check")

    assert code == errors.USAGE
    assert "no API key: set DEEPSEEK_API_KEY, or pass --key-file FILE or --stack NAME" in err


def test_check_reads_the_key_from_a_file(capsys, tmp_path, deepseek, monkeypatch):
    monkeypatch.delenv("DEEPSEEK_API_KEY", raising=False)
    key_file = tmp_path / "key.json"
    key_file.write_text(json.dumps({"api_key": API_KEY}))

    code, _, _ = run(capsys, "check", "--key-file", str(key_file), "--base-url", deepseek.base_url)

    assert code == errors.OK


def test_check_reads_the_key_from_the_deployed_stacks_secret(capsys, deployed, deepseek, monkeypatch):
    monkeypatch.delenv("DEEPSEEK_API_KEY", raising=False)

    code, out, _ = run(capsys, "check", "--stack", STACK, "--base-url", deepseek.base_url)

    assert code == errors.OK
    assert "CNY" in out


def test_check_reads_an_account_of_several_with_its_provider_from_the_stacks_secret(
    capsys, deployed, deepseek, stack, monkeypatch
):
    from sandbox.provider_simulators import SIMULATORS

    monkeypatch.delenv("DEEPSEEK_API_KEY", raising=False)
    with SIMULATORS["novita"]("sk-novita-eeeeeeeeeeee") as novita:
        novita.set_balance("USD", topped_up="12.3456")
        accounts = {
            "default": {"api_key": API_KEY, "base_url": deepseek.base_url},
            "render": {"api_key": "sk-novita-eeeeeeeeeeee", "provider": "novita", "base_url": novita.base_url},
        }
        stack.put_api_key(json.dumps({"accounts": accounts}))

        render = run(capsys, "check", "--stack", STACK, "--account", "render", "--json")
        default = run(capsys, "check", "--stack", STACK, "--json")
        missing = run(capsys, "check", "--stack", STACK, "--account", "nope")

    assert render[0] == errors.OK, render[2]
    assert json.loads(render[1])["balances"] == [
        {"currency": "USD", "total": "12.3456", "granted": None, "topped_up": "12.3456"}
    ]
    assert default[0] == errors.OK, default[2]
    assert json.loads(default[1])["balances"][0]["currency"] == "CNY"
    assert missing[0] == errors.USAGE
    assert "the stack's secret has no account 'nope'; it has default, render (--account)" in missing[2]
    assert "sk-novita" not in render[1] + render[2] + missing[2]


def test_a_stack_that_does_not_exist_is_a_clear_usage_error(capsys, stack, monkeypatch):
    client = boto3.client("cloudformation")
    stubber = Stubber(client)
    stubber.add_client_error("describe_stacks", "ValidationError", "Stack with id nope does not exist")
    stubber.activate()
    monkeypatch.setattr(stack_lookup, "cloudformation", lambda: client)

    code, _, err = run(capsys, "history", "--stack", "nope")

    assert code == errors.USAGE
    assert "stack 'nope' not found: check its name and AWS_REGION" in err


def make_history(monitor, capsys=None) -> None:
    """Eight hourly checks by the real handler, a top-up among them."""
    monitor.configure(LowBalanceThreshold="CNY=100")
    for hour in range(8):
        if hour == 5:
            monitor.deepseek.top_up("CNY", "50.00")
        monitor.deepseek.spend("CNY", "3.00")
        monitor.scheduled(f"2026-11-25T{hour:02d}:00:00Z")
    if capsys:
        capsys.readouterr()  # the function's own logs and metrics are not the command's output


RANGE = ("--from", "2026-11-25T00:00:00Z", "--to", "2026-11-25T23:59:59Z")


def test_history_as_a_table(capsys, monitor):
    make_history(monitor, capsys)

    code, out, _ = run(capsys, "history", "--table", monitor.stack.table_name, *RANGE)

    lines = out.splitlines()
    assert code == errors.OK
    assert lines[0].split() == ["checked", "at", "outcome", "state", "CNY", "notes"]
    assert len(lines) == 1 + 8
    assert lines[1].split() == ["2026-11-25T00:00:00Z", "ok", "healthy", "107.00"]
    assert lines[4].split() == ["2026-11-25T03:00:00Z", "ok", "low", "98.00", "alert", "sent"]
    assert lines[6].endswith("recovery sent; top-up CNY 47.00")
    assert lines[7].split()[2:5] == ["runway_short", "139.00", "alert"]  # 72 a day: under 2 days left


def test_history_as_csv_and_json(capsys, monitor):
    make_history(monitor, capsys)

    _, as_csv, _ = run(capsys, "history", "--table", monitor.stack.table_name, *RANGE, "--format", "csv")
    _, as_json, _ = run(capsys, "history", "--table", monitor.stack.table_name, *RANGE, "--format", "json")

    rows = list(csv.DictReader(io.StringIO(as_csv)))
    assert [row["CNY_total"] for row in rows][:2] == ["107.00", "104.00"]
    document = json.loads(as_json)
    assert len(document) == 8
    assert document[5]["events"] == [{"kind": "top_up", "currency": "CNY", "amount": "47.00"}]
    assert document[0]["balances"]["CNY"]["total"] == "107.00"
    assert {row["provider"] for row in document} == {"deepseek"}


def test_an_empty_range_says_how_to_widen_it(capsys, monitor):
    code, _, err = run(capsys, "history", "--table", monitor.stack.table_name, "--since", "2h")

    assert code == errors.NOTHING_FOUND
    assert "widen the range with --since or --from" in err


def test_history_needs_to_know_where(capsys):
    code, _, err = run(capsys, "history")

    assert code == errors.USAGE
    assert "--stack NAME" in err


def test_digest_prints_what_the_function_sends_for_the_same_days(capsys, monitor, monkeypatch):
    make_history(monitor, capsys)
    monitor.invoke({"digest": {"days": 7}, "time": "2026-11-26T08:00:00Z"})
    [sent] = [alert for alert in monitor.alerts() if alert.attributes["kind"] == "digest"]
    monkeypatch.setattr(history_command, "now", lambda: datetime(2026, 11, 26, 9, 30, tzinfo=UTC))
    capsys.readouterr()

    code, out, _ = run(capsys, "digest", "--table", monitor.stack.table_name)
    _, as_json, _ = run(capsys, "digest", "--table", monitor.stack.table_name, "--json")

    assert code == errors.OK
    assert out == sent.body
    assert out.startswith("Weekly digest for account default, Thu 19 Nov to Wed 25 Nov 2026 (UTC).")
    assert "  top-up    47.00 on Wed 25 Nov 05:00\n" in out
    assert json.loads(as_json) == sent.document


def test_a_digest_with_no_checks_says_so_and_exits_6(capsys, monitor):
    make_history(monitor, capsys)

    code, out, _ = run(capsys, "digest", "--table", monitor.stack.table_name, "--account", "staging", "--since", "1d")

    assert code == errors.NOTHING_FOUND
    assert out.startswith("Daily digest for account staging, ")
    assert "Checks:    none in this period" in out


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_report_writes_a_png_and_svg_drawn_from_the_rows_read(capsys, monitor, tmp_path):
    make_history(monitor, capsys)
    output = tmp_path / "report.png"

    code, out, _ = run(
        capsys,
        "report",
        "--table",
        monitor.stack.table_name,
        *RANGE,
        "--output",
        str(output),
        "--svg",
        "--threshold",
        "CNY=100",
        "--json",
    )

    summary = json.loads(out)
    assert code == errors.OK
    assert png_size(output) == (1100, 500)
    assert output.with_suffix(".svg").read_text().startswith("<?xml")
    assert summary["checks"] == 8
    assert summary["top_ups"] == [["2026-11-25T05:00:00+00:00", "CNY", "47.00"]]
    assert summary["alerts"] == 3  # low, its recovery, then a short runway
    # 3 an hour, but the top-up's hour (5 hours in, before the rate is known) counts nothing: 18 in 7 hours.
    assert summary["spend"][0].startswith("CNY: burning 61.71/day, runway 2.20 days (until")


def test_the_chart_plots_exactly_the_balances_in_history(monitor, tmp_path):
    make_history(monitor)
    records = list(
        HistoryTable(boto3.client("dynamodb"), monitor.stack.table_name).checks_between(
            "default", datetime(2026, 11, 25, tzinfo=UTC), datetime(2026, 11, 26, tzinfo=UTC)
        )
    )

    chart = draw(records, parse_thresholds("CNY=100"), "test", tmp_path / "chart.png")

    assert chart.series["CNY"] == [(r.checked_at, r.observation.report.balances["CNY"].total) for r in records]


START = datetime(2026, 11, 25, tzinfo=UTC)


def checked(
    hour: int, *, failed: bool = False, status: Status = Status.HEALTHY, notification: NotificationKind | None = None
) -> CheckRecord:
    """A check by hand: CNY and USD read (CNY falling), or no balance read at all."""
    balances = {"CNY": CurrencyBalance("CNY", Decimal(100 - hour)), "USD": CurrencyBalance("USD", Decimal(20))}
    observation = (
        Observation(CheckOutcome.FAILED, error="response is not valid JSON")
        if failed
        else Observation(CheckOutcome.OK, BalanceReport(is_available=True, balances=balances))
    )
    at = START + timedelta(hours=hour)
    return CheckRecord("default", at, observation, at + timedelta(days=90), status, notification)


def the_legend(figure):
    [legend] = figure.legends + [axes.get_legend() for axes in figure.axes if axes.get_legend()]
    return legend


def legend_styles(chart) -> dict[str, tuple[str, str, str]]:
    legend = the_legend(chart.figure)
    handles = zip(legend.get_texts(), legend.legend_handles, strict=True)
    return {text.get_text(): (h.get_marker(), h.get_color(), h.get_markerfacecolor()) for text, h in handles}


def test_the_chart_has_a_panel_per_currency_with_its_unit_on_a_time_axis_in_utc(tmp_path):
    chart = draw([checked(hour) for hour in range(4)], parse_thresholds("CNY=50,USD=5"), "t", tmp_path / "c.png")

    assert chart.panels == ["CNY", "USD"]
    *panels, strip = chart.figure.axes
    assert [axes.get_ylabel() for axes in panels] == ["balance (CNY)", "balance (USD)"]
    assert strip.get_xlabel() == "time (UTC)"
    assert {"CNY threshold 50.00", "USD threshold 5.00"} <= legend_styles(chart).keys()


def test_the_chart_draws_each_currencys_critical_level_dotted_under_its_threshold(tmp_path):
    critical = parse_thresholds("CNY=10,USD=1")

    chart = draw(
        [checked(hour) for hour in range(4)],
        parse_thresholds("CNY=50,USD=5"),
        "t",
        tmp_path / "c.png",
        critical_thresholds=critical,
    )

    cny, usd, _ = chart.figure.axes
    for axes, currency, threshold, level in ((cny, "CNY", 50, 10), (usd, "USD", 5, 1)):
        lines = {line.get_label(): line for line in axes.get_lines()}
        balance = lines[f"{currency} balance"]
        dashed, dotted = lines[f"{currency} threshold {threshold}.00"], lines[f"{currency} critical {level}.00"]
        assert (dashed.get_linestyle(), list(dashed.get_ydata())) == ("--", [threshold, threshold])
        assert (dotted.get_linestyle(), list(dotted.get_ydata())) == (":", [level, level])
        assert dotted.get_color() == dashed.get_color() == balance.get_color()
    assert {"CNY critical 10.00", "USD critical 1.00"} <= legend_styles(chart).keys()


def test_each_alert_state_has_its_own_marker_reminders_are_hollow_and_recovery_differs(tmp_path):
    problems = [status for status in Status if status not in (Status.HEALTHY, Status.FAILING)]
    hours = len(problems)
    records = [
        checked(hour, status=status, notification=NotificationKind.ALERT) for hour, status in enumerate(problems)
    ]
    records += [
        checked(hours, status=Status.KEY_REJECTED, notification=NotificationKind.REMINDER),
        checked(hours + 1, status=Status.HEALTHY, notification=NotificationKind.RECOVERY),
        checked(hours + 2, failed=True, status=Status.FAILING, notification=NotificationKind.ALERT),
    ]

    chart = draw(records, parse_thresholds("CNY=50"), "t", tmp_path / "c.png")

    assert chart.alerts == [(record.checked_at, record.status, record.notification) for record in records]
    styles = legend_styles(chart)
    labels = [
        *(f"{TITLES[status]} alert" for status in problems),
        "API key rejected reminder",
        "recovery",
        "monitor failing alert",
    ]
    assert len({styles[label] for label in labels}) == len(labels)
    assert len({styles[label][:2] for label in labels if "reminder" not in label}) == len(labels) - 1
    assert styles["API key rejected reminder"][:2] == styles["API key rejected alert"][:2]
    assert styles["API key rejected reminder"][2] == "white"


def test_the_chart_marks_the_checks_that_read_no_balance(tmp_path):
    records = [checked(0), checked(1, failed=True), checked(2), checked(3, failed=True)]

    chart = draw(records, parse_thresholds("CNY=50"), "t", tmp_path / "c.png")
    only_failures = draw(records[1::2], parse_thresholds("CNY=50"), "t", tmp_path / "f.png")

    assert chart.failed_checks == [records[1].checked_at, records[3].checked_at]
    [marks] = [line for line in chart.figure.axes[-1].get_lines() if line.get_label() == "no balance read"]
    assert list(marks.get_xdata()) == chart.failed_checks
    assert only_failures.panels == []
    assert only_failures.failed_checks == chart.failed_checks
    assert png_size(tmp_path / "f.png") == (1100, 500)


def test_the_legend_lies_outside_every_panel(tmp_path):
    records = [checked(hour, status=Status.LOW, notification=NotificationKind.ALERT) for hour in range(3)]
    records.append(checked(3, failed=True))

    chart = draw(records, parse_thresholds("CNY=50,USD=5"), "t", tmp_path / "c.png")

    chart.figure.draw_without_rendering()
    legend = the_legend(chart.figure)
    assert not any(legend.get_window_extent().overlaps(axes.get_window_extent()) for axes in chart.figure.axes)


def test_the_installed_command_has_help_that_lists_the_exit_codes():
    command = Path(sys.executable).parent / "deepseek-balance"

    result = subprocess.run([str(command), "--help"], capture_output=True, text=True, check=True, timeout=60)

    assert "6  history, report, digest: no checks in the range" in result.stdout
    # Each command once, with what it does.
    for name, summary in SUMMARIES.items():
        assert len(re.findall(rf"^ +{re.escape(name)}( |$)", result.stdout, flags=re.MULTILINE)) == 1, name
        assert " ".join(summary.split()[:4]) in " ".join(result.stdout.split())


def test_the_command_reports_the_packages_version(capsys):
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]

    with pytest.raises(SystemExit) as exited:
        main(["--version"])

    assert exited.value.code == 0
    assert capsys.readouterr().out == f"deepseek-balance {version}\n"


@pytest.mark.parametrize(
    ("argv", "missing", "extra"),
    [
        (["demo"], "moto", "demo"),
        (["demo"], "yaml", "demo"),
        (["report", "--table", "history"], "matplotlib", "report"),
    ],
)
def test_a_subcommand_whose_extra_is_not_installed_says_how_to_install_it(capsys, monkeypatch, argv, missing, extra):
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name == missing else find_spec(name))

    code, _, err = run(capsys, *argv)

    assert code == errors.USAGE
    assert err == (
        f"deepseek-balance {argv[0]}: needs the {extra} extra ({missing} not installed): "
        f"pip install 'deepseek-balance-monitor[{extra}]'\n"
    )


def test_the_demo_plays_a_week_and_leaves_a_chart(tmp_path):
    output = tmp_path / "demo.png"
    started = time.monotonic()

    result = subprocess.run(
        [sys.executable, "-m", "balance_cli.main", "demo", "--output", str(output), "--messages"],
        cwd=tmp_path,
        env={**_clean_environment(), "DEEPSEEK_API_KEY": ""},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    alerts = [line.split(maxsplit=4)[4] for line in result.stdout.splitlines() if " alert " in line]
    assert alerts == [
        "[DeepSeek] Spend spike for account default: CNY 307.20/day",
        "[DeepSeek] Runway short for account default: CNY 2.99 days left",
        "[DeepSeek] Balance low for account default: CNY 49.20 < 50.00",
        "[DeepSeek] Account unavailable for account default",
        "[Moonshot] Runway short for account kimi: CNY 2.96 days left",  # the second account, its own provider
        "[Moonshot] Balance low for account kimi: CNY 19.80 < 20.00",
    ]
    assert "Lambda would retry: 1 of 2 accounts failed (default: balance check failed" in result.stdout
    assert "168 checks recorded, 1 failed, 8 notifications sent." in result.stdout
    assert "    | Subject: [DeepSeek] Balance low for account default: CNY 49.20 < 50.00" in result.stdout
    assert "    ┃ • CNY 49.20  BELOW threshold 50.00  (granted 0.00, topped up 49.20)" in result.stdout
    assert png_size(output) == (1100, 500)
    digest = result.stdout[result.stdout.index("Account default's digest of the 7 days before today") :]
    digest = digest.split("Account kimi's digest")[0]  # the two arrive in either order
    assert "    | Subject: [DeepSeek] Weekly digest for account default: CNY " in digest
    assert "    |   top-up    300.00 on " in digest
    problems = [line.split("|   ")[1].split(" (")[0] for line in digest.splitlines() if "):" in line and "|   " in line]
    assert problems == ["spend spike", "runway short", "balance low", "account unavailable"]
    assert "    ┃ 📊 Weekly digest for account default" in digest
    # The week ends at the current hour, so how much of the spend falls in the digest's whole days varies.
    assert re.search(
        r"    \| Subject: \[Moonshot\] Weekly digest for account kimi: CNY \d+\.\d\d spent, 2 problems", result.stdout
    )
    print(f"demo took {time.monotonic() - started:.1f} s")


def test_with_a_key_the_demo_checks_the_real_account_once(tmp_path, deepseek):
    result = subprocess.run(
        [sys.executable, "-m", "balance_cli.main", "demo"],
        cwd=tmp_path,
        env={**_clean_environment(), "DEEPSEEK_API_KEY": API_KEY, "DEEPSEEK_BASE_URL": deepseek.base_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "CNY: total 110.00, granted 10.00, topped up 100.00" in result.stdout
    assert API_KEY not in result.stdout + result.stderr
    assert len(deepseek.requests) == 1


def demo_with_a_key(tmp_path, key: str, base_url: str, **environment: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "balance_cli.main", "demo"],
        cwd=tmp_path,
        env={**_clean_environment(), "DEEPSEEK_API_KEY": key, "DEEPSEEK_BASE_URL": base_url, **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_checking_a_real_account_uses_the_stacks_default_threshold_or_the_one_given(tmp_path, deepseek):
    deepseek.set_balance("CNY", topped_up="8.00")

    with_defaults = demo_with_a_key(tmp_path, API_KEY, deepseek.base_url)
    with_own = demo_with_a_key(tmp_path, API_KEY, deepseek.base_url, LOW_BALANCE_THRESHOLD="CNY=5")

    assert with_defaults.returncode == errors.OK
    assert "[DeepSeek] Balance low for account default: CNY 8.00 < 10.00" in with_defaults.stdout
    assert with_own.returncode == errors.OK
    assert "Balance low" not in with_own.stdout


def test_checking_a_real_account_with_settings_it_cannot_use_says_which_and_exits_2(tmp_path, deepseek):
    result = demo_with_a_key(tmp_path, API_KEY, deepseek.base_url, LOW_BALANCE_THRESHOLD="CNY=abc")

    assert result.returncode == errors.USAGE, result.stderr
    assert (
        "The settings cannot be used: LowBalanceThreshold: LOW_BALANCE_THRESHOLD='CNY=abc' is invalid: "
        "'CNY=abc' is not a non-negative number" in result.stdout
    )
    assert deepseek.requests == []


@pytest.mark.parametrize(
    ("key", "reachable", "code", "cause"),
    [
        (
            "sk-wrong-0000",
            True,
            errors.KEY_REJECTED,
            "The key was not accepted: DeepSeek rejected the API key (HTTP 401)",
        ),
        (API_KEY, False, errors.UNREADABLE, "The balance could not be read: the connection to DeepSeek failed"),
    ],
)
def test_checking_a_real_account_says_why_a_read_failed_and_exits_as_check_does(
    tmp_path, deepseek, key, reachable, code, cause
):
    base_url = deepseek.base_url if reachable else "http://127.0.0.1:9"

    result = demo_with_a_key(tmp_path, key, base_url)

    assert result.returncode == code, result.stderr
    assert cause in result.stdout
    assert key not in result.stdout + result.stderr


def _clean_environment() -> dict[str, str]:
    import os

    return {name: value for name, value in os.environ.items() if not name.startswith(("PYTEST", "COV_"))}


def test_history_finds_the_table_through_the_stacks_outputs(capsys, monitor, deployed):
    make_history(monitor, capsys)

    code, out, _ = run(capsys, "history", "--stack", STACK, *RANGE, "--format", "json")

    assert code == errors.OK
    assert len(json.loads(out)) == 8


UNSET = None
NO_AWS = {"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_MAX_ATTEMPTS": "1"}
BAD_INPUT = [
    (
        ["check"],
        {"DEEPSEEK_API_KEY": '{"api_key": '},
        "check: DEEPSEEK_API_KEY holds no usable key (the API key secret is not valid JSON)",
        errors.USAGE,
    ),
    (
        ["check", "--base-url", "http://example.com"],
        {},
        "check: --base-url='http://example.com' is invalid: use https (http only for localhost)",
        errors.USAGE,
    ),
    (
        ["history", "--table", "TABLE"],
        {"AWS_DEFAULT_REGION": UNSET, "AWS_REGION": UNSET},
        "history: no AWS region: set AWS_REGION, or run `aws configure`",
        errors.USAGE,
    ),
    (
        ["history", "--table", "TABLE"],
        {"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_MAX_ATTEMPTS": "1"},
        "history: could not read table 'balance-monitor-history': history table query failed (EndpointConnectionError)",
        errors.FAILED,
    ),
    (
        ["report", "--table", "TABLE", *RANGE, "--threshold", "CNY=abc"],
        NO_AWS,  # told before AWS is asked
        "report: --threshold='CNY=abc' is invalid: 'CNY=abc' is not a non-negative number "
        "(at most 12 digits and 6 decimals)",
        errors.USAGE,
    ),
    (
        ["report", "--table", "TABLE", *RANGE, "--threshold", "CNY=50", "--critical-threshold", "CNY=5,5"],
        {},
        "report: --critical-threshold='CNY=5,5' is invalid: give the threshold for every currency first, "
        "then CNY, then USD",
        errors.USAGE,
    ),
    (
        ["report", "--table", "TABLE", *RANGE, "--output", "/nonexistent/dir/x.png"],
        NO_AWS,  # told before AWS is asked
        "report: --output /nonexistent/dir/x.png: No such file or directory",
        errors.USAGE,
    ),
    (["demo", "--days", "0"], {}, "demo: --days 0: give a number of days from 1 to 365", errors.USAGE),
    (
        ["history", "--table", "TABLE", "--from", "yesterday"],
        {},
        "history: --from 'yesterday' is not a time with its zone: give one like 2026-11-25T08:00:00Z",
        errors.USAGE,
    ),
    (
        ["digest", "--table", "TABLE", "--since", "24h"],
        {},
        "digest: --since '24h': give whole days, from 1d to 92d (default 7d)",
        errors.USAGE,
    ),
    (
        ["history", "--table", "TABLE", "--from", "2026-11-26T00:00:00Z", "--to", "2026-11-25T00:00:00Z"],
        {},
        "history: --from 2026-11-26T00:00:00Z is after --to 2026-11-25T00:00:00Z: swap them, or widen the range",
        errors.USAGE,
    ),
]


@pytest.mark.parametrize(("argv", "environment", "line", "code"), BAD_INPUT, ids=[" ".join(c[0]) for c in BAD_INPUT])
def test_bad_input_is_one_line_naming_what_to_fix_and_the_documented_exit_code(
    capsys, monkeypatch, monitor, key_in_environment, argv, environment, line, code
):
    make_history(monitor, capsys)
    argv = [monitor.stack.table_name if arg == "TABLE" else arg for arg in argv]
    with monkeypatch.context() as patch:
        for name, value in environment.items():
            if value is UNSET:
                patch.delenv(name, raising=False)
            else:
                patch.setenv(name, value)

        exit_code, out, err = run(capsys, *argv)

    assert (err, exit_code) == (f"deepseek-balance {line}\n", code)
    assert out == ""
