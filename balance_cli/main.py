"""deepseek-balance: the DeepSeek balance monitor's command-line companion."""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from botocore.exceptions import BotoCoreError, NoRegionError

from balance_cli import errors
from balance_cli.errors import EXIT_CODES_HELP, CommandError, UsageError
from balance_monitor.providers import DEFAULT_PROVIDER, REGISTRY
from balance_monitor.texts import DEFAULT_LANGUAGE, LANGUAGES

DESCRIPTION = "Look at a DeepSeek account's balance (or another provider's) and its history without the AWS console."
# What each command does, as the top-level --help lists it (once: argparse's list of commands).
SUMMARIES = {
    "check": "ask DeepSeek (or another provider) for the balance now",
    "history": "read the deployed monitor's checks over a time range",
    "report": "draw balance over time as PNG (and SVG), with burn rate and runway",
    "digest": "the digest of the past week the deployed monitor sends: spend, top-ups, problems",
    "demo": "watch the monitor work through a scripted week, here, with nothing deployed",
    "setup": "put your API key in a deployed stack's secret, checked first, and run one check",
    "test-alert": "send a test notification to everyone subscribed to a deployed stack's alerts",
    "silence": "hold back an account's alerts for a while (add), see the silences (list), end one (expire)",
}

DISTRIBUTION = "deepseek-balance-monitor"
# The modules each pip extra brings (pyproject.toml's optional-dependencies, tested equal):
# `check` and `history` need none, `report` draws with matplotlib, and `demo` also emulates AWS.
EXTRAS = {"report": ("matplotlib",), "demo": ("moto", "yaml", "matplotlib", "tqdm")}


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except CommandError as exc:
        failure = exc
    except NoRegionError:
        failure = UsageError("no AWS region: set AWS_REGION, or run `aws configure`")
    except BotoCoreError as exc:  # AWS unreachable, say: one line, not a traceback
        failure = CommandError(f"could not reach AWS: {exc}")
    except KeyboardInterrupt:
        return errors.FAILED
    print(f"deepseek-balance {args.command}: {failure}", file=sys.stderr)
    return failure.code


def _check(args: argparse.Namespace) -> int:
    from balance_cli.check import (
        api_key,
        check,
        check_base_url,
        chosen_provider,
        report_json,
        report_table,
        stack_account,
    )
    from balance_monitor.observability import logger

    if args.account and not args.stack:
        raise UsageError("--account picks an account of a deployed stack's secret: give --stack NAME too")
    # A misspelt provider or a bad address is said before any key is sought.
    named = chosen_provider(args.provider) if args.provider else None
    base_url = check_base_url(args.base_url) if args.base_url else None
    if args.stack:  # the account's key, and its provider and address unless given here
        account = stack_account(args.stack, args.account)
        source = named or chosen_provider(account.provider)
        key, base_url = str(account.api_key), base_url or account.base_url
    else:
        source = named or chosen_provider(DEFAULT_PROVIDER)
        key = api_key(args.key_file, source)
    # stdout is the command's answer; a retry's log line goes to stderr.
    previous = logger.registered_handler.setStream(sys.stderr)
    try:
        report = check(key, base_url, source)
    finally:
        logger.registered_handler.setStream(previous or sys.stderr)
    print(json.dumps(report_json(report), indent=2) if args.json else report_table(report))
    return errors.OK if report.is_available else errors.UNAVAILABLE


def _history(args: argparse.Namespace) -> int:
    from balance_cli import history

    records = _records(args)
    if args.format == "json":
        print(json.dumps(history.as_json(records), indent=2))
    elif args.format == "csv":
        print(history.as_csv(records), end="")
    else:
        print(history.as_table(records))
    return errors.OK


def _report(args: argparse.Namespace) -> int:
    _require_extra("report")
    import boto3

    from balance_cli.report import draw, spend_lines
    from balance_cli.stack import function_variable, stack_outputs
    from balance_monitor.adapters.history_table import HistoryTable
    from balance_monitor.balance import Thresholds
    from balance_monitor.errors import ConfigurationError
    from balance_monitor.settings import parse_thresholds

    def levels(text: str | None, where: str) -> Thresholds:
        try:
            return parse_thresholds(text, where) if text else Thresholds()
        except ConfigurationError as exc:
            raise UsageError(str(exc)) from None

    # What the user typed is checked before AWS is asked anything.
    if not args.output.parent.is_dir():
        raise UsageError(f"--output {args.output}: No such file or directory")
    thresholds = levels(args.threshold, "--threshold")
    critical_thresholds = levels(args.critical_threshold, "--critical-threshold")
    if (args.threshold is None or args.critical_threshold is None) and args.stack:
        function = stack_outputs(args.stack).function_name
        if function and args.threshold is None:
            thresholds = levels(function_variable(function, "LOW_BALANCE_THRESHOLD"), "LOW_BALANCE_THRESHOLD")
        if function and args.critical_threshold is None:
            variable = "CRITICAL_BALANCE_THRESHOLD"
            critical_thresholds = levels(function_variable(function, variable), variable)
    records = _records(args)
    from balance_monitor.providers import provider

    label = provider(records[-1].provider).label if records else "DeepSeek"
    title = f"{label} balance, account {args.account}"
    try:
        chart = draw(records, thresholds, title, args.output, svg=args.svg, critical_thresholds=critical_thresholds)
    except OSError as exc:
        raise UsageError(f"--output {args.output}: {exc.strerror or exc}") from None
    state = HistoryTable(boto3.client("dynamodb"), _table_name(args)).load_state(args.account)
    summary = {
        "png": str(chart.png),
        "svg": str(chart.svg) if chart.svg else None,
        "checks": len(records),
        "top_ups": [[t.isoformat(), c, str(a)] for t, c, a in chart.top_ups],
        "alerts": len(chart.alerts),
        "spend": spend_lines(state, datetime.now(UTC)),
    }
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"{len(records)} checks drawn to {chart.png}" + (f" and {chart.svg}" if chart.svg else ""))
        for line in summary["spend"]:
            print(line)
    return errors.OK


def _digest(args: argparse.Namespace) -> int:
    from balance_cli.digest import digest_days, make_digest
    from balance_cli.history import now

    message = make_digest(_table_name(args), args.account, digest_days(args.since), now(), args.language)
    if args.json:
        print(json.dumps(message.document, indent=2, ensure_ascii=False))
    else:
        print(message.body, end="")
    return errors.OK if message.document["checks"] else errors.NOTHING_FOUND


def _demo(args: argparse.Namespace) -> int:
    _require_extra("demo")
    from balance_cli.demo import run_demo

    if not 1 <= args.days <= 365:
        raise UsageError(f"--days {args.days}: give a number of days from 1 to 365")
    return run_demo(
        args.output, days=args.days, verbose=args.verbose, messages=args.messages, svg=args.svg, language=args.language
    )


def _setup(args: argparse.Namespace) -> int:
    from balance_cli.setup import setup

    return setup(args.stack, args.account, args.key_file, args.base_url, args.provider)


def _test_alert(args: argparse.Namespace) -> int:
    from balance_cli.setup import send_test_alert

    return send_test_alert(args.stack, args.account, args.language)


def _require_extra(extra: str) -> None:
    """Say which install a subcommand needs before it fails half-way through on an import."""
    missing = [module for module in EXTRAS[extra] if importlib.util.find_spec(module) is None]
    if missing:
        raise UsageError(
            f"needs the {extra} extra ({', '.join(missing)} not installed): pip install '{DISTRIBUTION}[{extra}]'"
        )


def _provider_options(
    command: argparse.ArgumentParser, what: str, default_address: str, default: str | None = DEFAULT_PROVIDER
) -> None:
    command.add_argument(
        "--provider", default=default, metavar="NAME", help=f"{what}: {', '.join(REGISTRY)} (docs/providers.md)"
    )
    command.add_argument("--base-url", help=f"the provider's address (default: {default_address})")


def _version() -> str:
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def _silence_add(args: argparse.Namespace) -> int:
    from balance_cli.silences import add

    return add(
        _table_name(args),
        args.account,
        args.state,
        args.for_,
        args.until,
        args.until_top_up,
        args.reason,
        as_json=args.json,
    )


def _silence_list(args: argparse.Namespace) -> int:
    from balance_cli.silences import list_silences

    return list_silences(_table_name(args), args.account, everything=args.all, as_json=args.json)


def _silence_expire(args: argparse.Namespace) -> int:
    from balance_cli.silences import expire

    return expire(_table_name(args), args.account, args.id)


def _records(args: argparse.Namespace) -> list:
    from balance_cli.history import now, read_history, time_range

    start, end = time_range(args.since, args.start, args.end, now())
    return read_history(_table_name(args), args.account, start, end)


def _table_name(args: argparse.Namespace) -> str:
    from balance_cli.stack import stack_outputs

    if args.table:
        return str(args.table)
    if args.stack:
        return stack_outputs(args.stack).table_name
    raise UsageError("say where the history is: --stack NAME (the deployed stack) or --table NAME")


def _language_argument(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--language",
        choices=LANGUAGES,
        default=DEFAULT_LANGUAGE,
        help=f"the language {what} (default: %(default)s; zh-CN: Simplified Chinese)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="deepseek-balance",
        description=DESCRIPTION,
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="command", title="commands")

    check = commands.add_parser(
        "check",
        help=SUMMARIES["check"],
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Ask DeepSeek (or --provider's) for the balance now. The key comes from DEEPSEEK_API_KEY "
        "(the provider's variable: MOONSHOT_API_KEY, ...), a file, or the deployed stack's secret; no AWS "
        "is needed for the first two.",
    )
    source = check.add_mutually_exclusive_group()
    source.add_argument("--key-file", type=Path, help='a file holding the key (or {"api_key": ...})')
    source.add_argument("--stack", help="read the key from this deployed stack's secret")
    check.add_argument("--account", help="with --stack: which account of its secret (default: default)")
    _provider_options(
        check,
        "whose balance (default: the --stack account's provider, else deepseek)",
        "the --stack account's, DEEPSEEK_BASE_URL for DeepSeek, or the real service",
        default=None,
    )
    check.add_argument("--json", action="store_true", help="print JSON for scripts")
    check.set_defaults(run=_check)

    for name in ("history", "report"):
        command = commands.add_parser(
            name, help=SUMMARIES[name], epilog=EXIT_CODES_HELP, formatter_class=argparse.RawDescriptionHelpFormatter
        )
        where = command.add_mutually_exclusive_group()
        where.add_argument("--stack", help="the deployed stack's name (its outputs name the table)")
        where.add_argument("--table", help="the history table's name")
        command.add_argument("--account", default="default", help="whose checks (default: %(default)s)")
        command.add_argument("--since", help="how far back: 90m, 24h, 7d (default: 7d)")
        command.add_argument("--from", dest="start", help="start time, e.g. 2026-11-20T00:00:00Z")
        command.add_argument("--to", dest="end", help="end time (default: now)")
        if name == "history":
            command.add_argument("--format", choices=("table", "csv", "json"), default="table")
            command.set_defaults(run=_history)
        else:
            command.add_argument("--output", type=Path, default=Path("balance-report.png"), help="PNG to write")
            command.add_argument("--svg", action="store_true", help="also write an SVG beside the PNG")
            command.add_argument("--threshold", help="threshold line(s), e.g. CNY=50 (default: the stack's)")
            command.add_argument(
                "--critical-threshold", help="critical level line(s), e.g. CNY=10 (default: the stack's)"
            )
            command.add_argument("--json", action="store_true", help="print a JSON summary for scripts")
            command.set_defaults(run=_report)

    digest = commands.add_parser(
        "digest",
        help=SUMMARIES["digest"],
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="The digest the deployed function sends on its digest schedule, made here from the "
        "stack's history: the whole UTC days before today, each currency's spend (without top-ups and "
        "expired grants) with a sparkline of each day, burn rate and runway, the problems and failed checks.",
    )
    where = digest.add_mutually_exclusive_group()
    where.add_argument("--stack", help="the deployed stack's name (its outputs name the table)")
    where.add_argument("--table", help="the history table's name")
    digest.add_argument("--account", default="default", help="whose digest (default: %(default)s)")
    digest.add_argument("--since", help="how many whole days before today: 7d (default), 1d, 30d")
    digest.add_argument("--json", action="store_true", help="print the digest document for scripts")
    _language_argument(digest, "the digest is written in")
    digest.set_defaults(run=_digest)

    demo = commands.add_parser(
        "demo",
        help=SUMMARIES["demo"],
        description="The monitor's scheduled job, run here against emulated AWS and a "
        "DeepSeek simulator replaying a scripted week, a Moonshot account beside it; ends with a report chart "
        "and the digests.",
    )
    demo.add_argument("--days", type=int, default=7, help="how long a story (default: %(default)s)")
    demo.add_argument("--output", type=Path, default=Path("demo-report.png"), help="the chart (default: %(default)s)")
    demo.add_argument("--svg", action="store_true", help="also write an SVG beside the PNG")
    demo.add_argument("--messages", action="store_true", help="show each alert as email and Slack readers see it")
    demo.add_argument("--verbose", action="store_true", help="also show the function's JSON logs and metrics")
    _language_argument(demo, "the alerts and digests are written in (the stack's AlertLanguage)")
    demo.set_defaults(run=_demo)

    setup = commands.add_parser(
        "setup",
        help=SUMMARIES["setup"],
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Read your API key without echo (or from --key-file, or piped in), check it with its "
        "provider (DeepSeek, or --provider's), store it in the stack's secret, then invoke the function once and "
        "print what it found. A key the provider rejects is not stored.",
    )
    setup.add_argument("--stack", required=True, help="the deployed stack's name")
    setup.add_argument("--account", help="store the key as this account of several (docs/many-accounts.md)")
    setup.add_argument("--key-file", type=Path, help='a file holding the key (or {"api_key": ...})')
    _provider_options(setup, "the account's provider", "for DeepSeek the function's DEEPSEEK_BASE_URL")
    setup.set_defaults(run=_setup)

    test_alert = commands.add_parser(
        "test-alert",
        help=SUMMARIES["test-alert"],
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Publish a test notification (kind test, severity info) through the stack's alert topic, "
        "so that you can see email, Slack and the rest receive alerts; every subscriber that gets real "
        "alerts gets it, whatever its severity filter. Lists the topic's subscriptions.",
    )
    test_alert.add_argument("--stack", required=True, help="the deployed stack's name")
    test_alert.add_argument("--account", default="default", help="the account it names (default: %(default)s)")
    _language_argument(test_alert, "the notification is written in")
    test_alert.set_defaults(run=_test_alert)
    _silence_parser(commands)
    return parser


def _silence_parser(commands: argparse._SubParsersAction) -> None:
    from balance_monitor.alert_lifecycle import SILENCED_ONLY_BY_NAME, Status

    silence = commands.add_parser(
        "silence",
        help=SUMMARIES["silence"],
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="While a silence holds, the account is still checked and recorded and its state still "
        "moves, but the alerts and reminders it holds are not published; each check that would have sent one "
        "says which silence held it. When it ends and the problem lasts, the next check reminds at once. "
        "Recoveries are always sent. " + ", ".join(sorted(SILENCED_ONLY_BY_NAME)) + " are held only by a "
        "silence that names them.",
    )
    actions = silence.add_subparsers(dest="action", required=True, metavar="action")
    parsers = {
        "add": actions.add_parser("add", help="make a silence", epilog=EXIT_CODES_HELP),
        "list": actions.add_parser(
            "list", help="the account's silences in force (--all: those kept that are over)", epilog=EXIT_CODES_HELP
        ),
        "expire": actions.add_parser("expire", help="end a silence now", epilog=EXIT_CODES_HELP),
    }
    for parser in parsers.values():
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        where = parser.add_mutually_exclusive_group()
        where.add_argument("--stack", help="the deployed stack's name (its outputs name the table)")
        where.add_argument("--table", help="the history table's name")
        parser.add_argument("--account", default="default", help="whose alerts (default: %(default)s)")
    add = parsers["add"]
    add.add_argument(
        "--state",
        action="append",
        choices=[status.value for status in Status if status is not Status.HEALTHY],
        help="hold only notifications about this state; repeat for more (default: every state but "
        + ", ".join(sorted(SILENCED_ONLY_BY_NAME))
        + ")",
    )
    end = add.add_mutually_exclusive_group()
    end.add_argument("--for", dest="for_", metavar="DURATION", help="how long: 90m, 24h, 7d (30d at most)")
    end.add_argument("--until", metavar="TIME", help="until this time, e.g. 2026-11-26T09:00:00Z")
    add.add_argument(
        "--until-top-up",
        action="store_true",
        help="end at the next top-up the monitor sees (with --for or --until: at the latest then; else 7 days)",
    )
    add.add_argument("--reason", required=True, help="why: whoever wonders where the alerts went reads it")
    add.add_argument("--json", action="store_true", help="print the silence as JSON")
    add.set_defaults(run=_silence_add)
    parsers["list"].add_argument("--all", action="store_true", help="also the silences that are over")
    parsers["list"].add_argument("--json", action="store_true", help="print JSON for scripts")
    parsers["list"].set_defaults(run=_silence_list)
    parsers["expire"].add_argument("id", help="the silence's id, as `silence list` shows it")
    parsers["expire"].set_defaults(run=_silence_expire)


if __name__ == "__main__":
    raise SystemExit(main())
