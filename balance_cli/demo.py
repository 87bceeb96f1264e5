"""`deepseek-balance demo`: the monitor's scheduled job, run here. The real Lambda handler
runs at each tick against an embedded AWS (moto; table, topic and secret made from
template.yaml) and a DeepSeek simulator replaying a scripted week: steady use, a spike, the
runway and the threshold crossed, a proxy error, the account running dry, a top-up. Beside it
the same stack watches a Moonshot (Kimi) account, simulated too, slowly running low. Every
alert is shown as it arrives, and the week ends in a report chart drawn from the history and
the digests the function sends of it.

With DEEPSEEK_API_KEY set, it checks your real account once instead (AWS still emulated).
"""

from __future__ import annotations

import io
import os
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from balance_cli.report import draw, spend_lines
from balance_monitor.history import format_timestamp
from balance_monitor.settings import PARAMETERS, parse_thresholds
from sandbox.aws import EmulatedStack, ReceivedAlert, atomic_requests, create_stack, use_fake_credentials
from sandbox.deepseek_simulator import DeepSeekSimulator, Reply
from sandbox.lambda_context import invoke_keeping_output
from sandbox.provider_simulators import SIMULATORS, BalanceSimulator

SIMULATED_KEY = "sk-local-simulated-key"
MOONSHOT_KEY = "sk-local-simulated-moonshot-key"
MOONSHOT_HOURLY_SPEND = "0.30"  # a second team's slower use, on its own provider
MOONSHOT_THRESHOLD = "CNY=20"
TICK = timedelta(hours=1)  # hourly, to keep the week short; deployed, the default is 15 minutes
THRESHOLD = "CNY=50,USD=5"
HOURLY_SPEND = "0.80"  # about 19 CNY a day
_SEVERITY_MARK = {"critical": "!!", "warning": "! ", "info": "ok"}


@dataclass(frozen=True)
class Scene:
    hour: int
    story: str
    act: Callable[[DeepSeekSimulator], None]


def _spike(deepseek: DeepSeekSimulator) -> None:
    deepseek.spend("CNY", "12.00")  # a runaway job burns 12 CNY in one hour


def _proxy_error(deepseek: DeepSeekSimulator) -> None:
    deepseek.then(Reply(200, b"<html><body>502 Bad Gateway</body></html>", {"Content-Type": "text/html"}))


def _run_dry(deepseek: DeepSeekSimulator) -> None:
    deepseek.spend("CNY", "1000")
    deepseek.is_available = False


def _top_up(deepseek: DeepSeekSimulator) -> None:
    deepseek.top_up("CNY", "300.00")
    deepseek.is_available = True


SCENES = {
    scene.hour: scene
    for scene in (
        Scene(50, "a runaway job burns 12 CNY in an hour", _spike),
        Scene(80, "a proxy answers with an HTML error page", _proxy_error),
        Scene(120, "the account runs dry", _run_dry),
        Scene(126, "someone tops up 300 CNY", _top_up),
    )
}


def run_demo(
    output: Path,
    *,
    days: int = 7,
    verbose: bool = False,
    messages: bool = False,
    svg: bool = False,
    language: str = "en",
) -> int:
    real_key = os.environ.get("DEEPSEEK_API_KEY", "").strip()
    use_fake_credentials()
    from moto import mock_aws

    with mock_aws(), atomic_requests():  # the two accounts are checked in threads
        if real_key:
            return _check_real_account(real_key, verbose)
        stack = create_stack(SIMULATED_KEY)
        with DeepSeekSimulator(SIMULATED_KEY) as deepseek, SIMULATORS["moonshot"](MOONSHOT_KEY) as moonshot:
            deepseek.set_balance("CNY", granted="10.00", topped_up="140.00")
            deepseek.set_balance("USD", topped_up="20.00")
            moonshot.set_balance("CNY", granted="5.00", topped_up="55.00")
            _watch_both(stack, moonshot)
            span = "A week" if days == 7 else f"{days} day{'s' if days > 1 else ''}"
            _say(f"{span} of the DeepSeek balance monitor, checked every hour ({days * 24} checks an account).")
            _say(f"AWS: emulated in-process (moto). DeepSeek: simulated at {deepseek.base_url}, account default;")
            _say(f"beside it a Moonshot (Kimi) account, kimi, simulated at {moonshot.base_url}.")
            _say("Set DEEPSEEK_API_KEY to check your real account instead.\n")
            stack.configure_function(
                LowBalanceThreshold=THRESHOLD, DeepSeekBaseUrl=deepseek.base_url, AlertLanguage=language
            )
            _play_week(stack, deepseek, moonshot, days, verbose, messages)
        _finish_report(stack, output, svg)
        _show_digest(stack, messages)
        return 0


def _watch_both(stack: EmulatedStack, moonshot: BalanceSimulator) -> None:
    """The secret names two accounts: DeepSeek's (the stack's thresholds) and a Moonshot one."""
    import json

    kimi = {
        "api_key": MOONSHOT_KEY,
        "provider": "moonshot",
        "base_url": moonshot.base_url,
        "low_balance_threshold": MOONSHOT_THRESHOLD,
    }
    stack.put_api_key(json.dumps({"accounts": {"default": {"api_key": SIMULATED_KEY}, "kimi": kimi}}))


def _week_start(days: int) -> datetime:
    """The week that ends now: the function refuses events dated ahead of its clock."""
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=days)


def _play_week(
    stack: EmulatedStack,
    deepseek: DeepSeekSimulator,
    moonshot: BalanceSimulator,
    days: int,
    verbose: bool,
    messages: bool,
) -> None:
    from tqdm import tqdm

    hours = days * 24
    start = _week_start(days)
    with tqdm(total=hours, desc="checks", unit="check", file=sys.stderr, leave=False) as progress:
        for hour in range(hours):
            moment = start + hour * TICK
            if hour:
                deepseek.spend("CNY", HOURLY_SPEND)
                moonshot.spend("CNY", MOONSHOT_HOURLY_SPEND)
            scene = SCENES.get(hour)
            if scene:
                scene.act(deepseek)
            verdict, logs = _invoke({"time": format_timestamp(moment)})
            lines = [f"{_when(moment)}  {scene.story}" if scene else None]
            if verdict:
                lines.append(f"{_when(moment)}  {verdict}")
            for alert in stack.received_alerts():
                lines.append(_alert_line(moment, alert))
                if messages:
                    lines.append(_as_received(alert))
            if verbose and logs:
                lines.append(textwrap.indent(logs.rstrip(), "      log "))
            for line in filter(None, lines):
                progress.write(line)
            progress.update()


def _finish_report(stack: EmulatedStack, output: Path, svg: bool) -> None:
    import boto3

    from balance_monitor.adapters.history_table import HistoryTable

    table = HistoryTable(boto3.client("dynamodb"), stack.table_name)
    now = datetime.now(UTC)
    records = list(table.checks_between("default", now - timedelta(days=366), now))
    chart = draw(records, parse_thresholds(THRESHOLD), "DeepSeek balance, account default (demo week)", output, svg=svg)
    notified = sum(1 for record in records if record.notification)
    failed = sum(1 for record in records if record.observation.outcome.value == "failed")
    _say(f"\nAccount default: {len(records)} checks recorded, {failed} failed, {notified} notifications sent.")
    for line in spend_lines(table.load_state("default"), records[-1].checked_at):
        _say(f"Now {line}")
    _say(f"Report chart: {chart.png}" + (f" and {chart.svg}" if chart.svg else ""))


def _show_digest(stack: EmulatedStack, messages: bool) -> None:
    """The digest the digest schedule's event (events/digest.json) makes the function send:
    the 7 whole UTC days before today."""
    verdict, _ = _invoke({"digest": {"days": 7}})
    if verdict:
        _say(verdict)
    for alert in stack.received_alerts():
        account = alert.attributes["account"]
        _say(f"\nAccount {account}'s digest of the 7 days before today, as email readers get it (on Mondays):")
        _say(textwrap.indent(f"Subject: {alert.subject}\n\n{alert.body.rstrip()}", "    | ", predicate=lambda _: True))
        if messages:
            _say(f"  in Slack:\n{textwrap.indent(_slack_preview(alert), '    ')}")


def _slack_preview(alert: ReceivedAlert) -> str:
    import json

    from balance_monitor.chat_messages import slack_message
    from sandbox.slack_preview import preview

    return preview(slack_message(json.dumps(alert.document), alert.subject))


def _check_real_account(key: str, verbose: bool) -> int:
    """One check of the real account with the stack's default parameters (LOW_BALANCE_THRESHOLD,
    CRITICAL_BALANCE_THRESHOLD and the rest may be set in the environment), exiting as
    `deepseek-balance check` does."""
    from balance_cli import errors
    from balance_monitor.alert_lifecycle import CheckOutcome

    stack = create_stack(key)
    base_url = os.environ.get("DEEPSEEK_BASE_URL", "https://api.deepseek.com")
    _say(f"Checking your DeepSeek account at {base_url}; AWS emulated in-process (moto).\n")
    parameters = {"DeepSeekBaseUrl": base_url}
    for variable in ("LOW_BALANCE_THRESHOLD", "CRITICAL_BALANCE_THRESHOLD"):
        if os.environ.get(variable):
            parameters[PARAMETERS[variable]] = os.environ[variable]
    stack.configure_function(**parameters)
    _, logs = _invoke({})
    if verbose:
        _say(logs)
    for alert in stack.received_alerts():
        _say(_alert_line(None, alert))
        _say(textwrap.indent(alert.body.rstrip(), "    | ", predicate=lambda line: True))
    [record] = _all_records(stack)
    observation = record.observation
    report = observation.report
    for currency, balance in report.balances.items() if report else []:
        _say(f"{currency}: total {balance.total}, granted {balance.granted}, topped up {balance.topped_up}")
    if observation.outcome is CheckOutcome.MISCONFIGURED:
        _say(f"The settings cannot be used: {observation.error}")
        return errors.USAGE
    if observation.outcome is CheckOutcome.KEY_REJECTED:
        _say(f"The key was not accepted: {observation.error}")
        return errors.KEY_REJECTED
    if observation.outcome is CheckOutcome.FAILED:
        _say(f"The balance could not be read: {observation.error}")
        return errors.UNREADABLE
    if observation.outcome is CheckOutcome.INSUFFICIENT_BALANCE or (report and not report.is_available):
        _say("The account cannot serve API calls: top it up at https://platform.deepseek.com/top_up")
        return errors.UNAVAILABLE
    return errors.OK


def _all_records(stack: EmulatedStack) -> list[Any]:
    import boto3

    from balance_monitor.adapters.history_table import HistoryTable

    table = HistoryTable(boto3.client("dynamodb"), stack.table_name)
    now = datetime.now(UTC)
    return list(table.checks_between("default", now - timedelta(days=1), now + timedelta(days=1)))


def _invoke(event: dict[str, Any]) -> tuple[str | None, str]:
    """Run the handler as Lambda would; what went wrong, if anything, and what it logged."""
    from balance_monitor.errors import MonitorError

    function_output = io.StringIO()
    try:
        invoke_keeping_output(event, function_output)
        verdict = None
    except MonitorError as exc:
        verdict = f"the function fails, and Lambda would retry: {exc}"
    return verdict, function_output.getvalue()


def _alert_line(moment: datetime | None, alert: ReceivedAlert) -> str:
    severity = alert.attributes.get("severity", "info")
    when = _when(moment) if moment else "now"
    return f"{when}  {_SEVERITY_MARK.get(severity, '  ')} {alert.attributes.get('kind', 'alert'):<8} {alert.subject}"


def _as_received(alert: ReceivedAlert) -> str:
    """The alert as an email reader and a Slack reader see it."""
    from balance_monitor.chat_messages import block_kit
    from sandbox.slack_preview import preview

    email = textwrap.indent(f"Subject: {alert.subject}\n\n{alert.body.rstrip()}", "    | ", predicate=lambda _: True)
    slack = textwrap.indent(preview(block_kit(alert.document)), "    ")
    return f"  by email:\n{email}\n  in Slack:\n{slack}"


def _when(moment: datetime) -> str:
    return moment.strftime("%a %H:%M")


def _say(text: str) -> None:
    print(text, flush=True)
