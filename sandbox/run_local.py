"""Run the monitor's scheduled check on this machine: the real Lambda handler, AWS emulated
in-process by moto (table, topic and secret made from template.yaml), and DeepSeek either
simulated on 127.0.0.1 or, when DEEPSEEK_API_KEY is set, the real service.

    python -m sandbox.run_local                          # a scripted morning against the simulator
    DEEPSEEK_API_KEY=sk-... python -m sandbox.run_local  # one check of your real account

It prints what was checked, what was stored and every alert as a subscriber receives it.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sandbox.aws import EmulatedStack, create_stack, use_fake_credentials
from sandbox.deepseek_simulator import DeepSeekSimulator, Reply
from sandbox.lambda_context import LambdaContext

HANDLER_ROOT = Path(__file__).resolve().parents[1] / "src" / "handler"  # the function's code, as Lambda sees it
SIMULATED_KEY = "sk-local-simulated-key"
START = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


@dataclass
class Tick:
    story: str
    change: Callable[[DeepSeekSimulator], None]
    redeliver: bool = False  # send the previous event again, as EventBridge or Lambda may


def _spend(amount: str) -> Callable[[DeepSeekSimulator], None]:
    return lambda deepseek: deepseek.spend("CNY", amount)


def _proxy_error(deepseek: DeepSeekSimulator) -> None:
    deepseek.then(Reply(200, b"<html><body>502 Bad Gateway</body></html>", {"Content-Type": "text/html"}))


def _run_dry(deepseek: DeepSeekSimulator) -> None:
    deepseek.spend("CNY", "1000")
    deepseek.is_available = False


def _top_up(deepseek: DeepSeekSimulator) -> None:
    deepseek.top_up("CNY", "200.00")
    deepseek.is_available = True


STORY = [
    Tick("a healthy account", lambda deepseek: None),
    Tick("a batch job spends 70 CNY", _spend("70")),
    Tick("a proxy answers with an HTML error page", _proxy_error),
    Tick("the account runs dry", _run_dry),
    Tick("the same event is delivered again", lambda deepseek: None, redeliver=True),
    Tick("someone tops up 200 CNY", _top_up),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threshold", default="CNY=50,USD=5", help="LOW_BALANCE_THRESHOLD (default: %(default)s)")
    parser.add_argument("--verbose", action="store_true", help="also print the function's JSON logs and metrics")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(HANDLER_ROOT))
    use_fake_credentials()
    real_key = os.environ.get("DEEPSEEK_API_KEY", "").strip()

    from moto import mock_aws

    with mock_aws():
        if real_key:
            stack = create_stack(real_key)
            base_url = os.environ.get("DEEPSEEK_BASE_URL", "https://api.deepseek.com")
            _introduce(f"the real service at {base_url}", args.threshold)
            _configure(stack, args.threshold, base_url)
            _check(stack, {}, "your account, now", args.verbose)
        else:
            stack = create_stack(SIMULATED_KEY)
            with DeepSeekSimulator(SIMULATED_KEY) as deepseek:
                deepseek.set_balance("CNY", granted="10.00", topped_up="100.00")
                deepseek.set_balance("USD", topped_up="20.00")
                _introduce(f"simulated at {deepseek.base_url} (set DEEPSEEK_API_KEY to check yours)", args.threshold)
                _configure(stack, args.threshold, deepseek.base_url)
                _play(stack, deepseek, args.verbose)
        _print_history(stack)
    return 0


def _introduce(deepseek: str, threshold: str) -> None:
    print("DeepSeek Balance Monitor, local run")
    print("  AWS:       emulated in-process (moto); table, topic and secret made from template.yaml")
    print(f"  DeepSeek:  {deepseek}")
    print(f"  Threshold: {threshold}")
    print()


def _configure(stack: EmulatedStack, threshold: str, base_url: str) -> None:
    """The function's environment as template.yaml sets it, before the handler is imported."""
    os.environ.update(stack.function_environment(LowBalanceThreshold=threshold, DeepSeekBaseUrl=base_url))
    os.environ["POWERTOOLS_TRACE_DISABLED"] = "true"  # no X-Ray daemon here


def _play(stack: EmulatedStack, deepseek: DeepSeekSimulator, verbose: bool) -> None:
    event = _scheduled_event(START)
    for number, tick in enumerate(STORY):
        tick.change(deepseek)
        if not tick.redeliver:
            event = _scheduled_event(START + number * timedelta(minutes=15))
        _check(stack, event, tick.story, verbose)


def _check(stack: EmulatedStack, event: dict[str, Any], story: str, verbose: bool) -> None:
    import app
    from balance_monitor.errors import MonitorError
    from balance_monitor.observability import logger

    function_output = io.StringIO()  # the JSON logs and metrics CloudWatch would receive
    log_stream = logger.registered_handler.setStream(function_output)
    try:
        with contextlib.redirect_stdout(function_output):
            summary = app.lambda_handler(event, LambdaContext())
        verdict = f"result={summary['result']} outcome={summary['outcome']} state={summary['status']}"
    except MonitorError as exc:
        verdict = f"Lambda reports an error, and would retry this event: {exc}"
    finally:
        logger.registered_handler.setStream(log_stream)
    print(f"{event.get('time', 'now')}  {story}")
    print(f"    {verdict}")
    if verbose:
        print(textwrap.indent(function_output.getvalue().rstrip(), "      log "))
    for alert in stack.received_alerts():
        print(f"    ALERT SENT ({alert.attributes['severity']}, {alert.attributes['kind']}): {alert.subject}")
        print("      by email:")
        print(textwrap.indent(alert.body.rstrip(), "      | ", predicate=lambda line: True))
        print("      in Slack:")
        print(textwrap.indent(_slack_preview(alert.document), "      "))
    print()


def _slack_preview(document: dict[str, Any]) -> str:
    from balance_monitor.chat_messages import block_kit
    from sandbox.slack_preview import preview

    return preview(block_kit(document))


def _print_history(stack: EmulatedStack) -> None:
    import boto3

    from balance_monitor.adapters.history_table import HistoryTable
    from balance_monitor.alert_messages import format_amount
    from balance_monitor.history import format_timestamp

    table = HistoryTable(boto3.client("dynamodb"), stack.table_name)
    now = datetime.now(UTC)
    records = list(table.checks_between("default", min(START, now) - timedelta(days=1), now + timedelta(days=1)))
    print(f"History of account 'default' (Query on table {stack.table_name}):")
    print(f"  {'checked at':<21} {'outcome':<21} {'state':<13} {'CNY':>10} {'USD':>10}  notes")
    for record in records:
        report = record.observation.report
        amounts = []
        for currency in ("CNY", "USD"):
            balance = report.balances.get(currency) if report else None
            amounts.append(format_amount(balance.total) if balance and balance.total is not None else "-")
        notes = ", ".join(
            note
            for note in (
                record.notification and f"{record.notification} sent",
                report and not report.is_available and "unavailable",
                record.observation.error,
            )
            if note
        )
        state = record.status or "(unchanged)"
        print(
            f"  {format_timestamp(record.checked_at):<21} {record.observation.outcome:<21} {state:<13} "
            f"{amounts[0]:>10} {amounts[1]:>10}  {notes}"
        )


def _scheduled_event(moment: datetime) -> dict[str, Any]:
    return {"detail-type": "Scheduled Event", "source": "aws.events", "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ")}


if __name__ == "__main__":
    raise SystemExit(main())
