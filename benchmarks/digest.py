"""What the weekly digest costs: a week of 15-minute checks (672 items an account) read with one
Query per account, the requests and DynamoDB capacity counted by a moto server on 127.0.0.1
(loopback_aws.py), the time and CPU measured in a fresh process as a Lambda container runs it,
and the same priced for 500 accounts at on-demand list prices (cost.py).

- The week is made by the real handler, one check every 15 minutes against the DeepSeek
  simulator, so the check items are the size the table really holds. Further accounts get
  copies of that week (and of its state item), under their own names.
- The digest runs in a fresh process (digest_run.py), once cold and once warm, for one account
  and for `--accounts` accounts.

A figure to read, not a test to pass.

    python benchmarks/digest.py [--accounts 10]
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import platform
import statistics
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src" / "handler"), str(ROOT)]

from balance_monitor.history import format_timestamp  # noqa: E402
from benchmarks import cost, performance  # noqa: E402
from benchmarks.loopback_aws import LoopbackAWS, item_bytes  # noqa: E402
from sandbox.aws import create_stack, use_fake_credentials  # noqa: E402
from sandbox.deepseek_simulator import DeepSeekSimulator  # noqa: E402

API_KEY = "sk-bench-digest-0123456789"
MONDAY = datetime(2026, 11, 2, tzinfo=UTC)
WEEK = timedelta(days=7)
SCHEDULE = timedelta(minutes=15)
FIRST = MONDAY - timedelta(hours=1)  # the digest reads an hour before its period too
SENT = MONDAY + WEEK + timedelta(hours=8)  # the default schedule: Monday 08:00 UTC
SPEND_PER_CHECK = "0.10"
ACCOUNTS_PRICED = 500
DIGESTS_A_MONTH = 365 / 12 / 7
LAMBDA_VCPU_MB = 1769  # Lambda gives a whole vCPU at 1,769 MB, and CPU in proportion below
USABLE_SECONDS = 60 - 8  # the function's timeout, less what the handler keeps back


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=10, help="accounts in the larger digest (default 10)")
    args = parser.parse_args()

    use_fake_credentials()
    aws = LoopbackAWS()
    os.environ["AWS_ENDPOINT_URL"] = aws.endpoint_url
    xray = performance.XRayDaemon()
    with DeepSeekSimulator(API_KEY) as deepseek:
        deepseek.set_balance("CNY", topped_up="110.00")
        stack = create_stack(json.dumps({"api_key": API_KEY}))
        function = stack.function_environment(DeepSeekBaseUrl=deepseek.base_url)
        print("A week of checks, one every 15 minutes, through the handler ...", file=sys.stderr)
        a_week_of_checks(function, deepseek)
        items = check_items(stack.table_name, "default")
        environment = performance.process_environment(function, xray.address)
        print("The digest of one account, in a fresh process ...", file=sys.stderr)
        one = digest_in_a_fresh_process(environment, aws)
        names = [f"team-{index:03d}" for index in range(args.accounts)]
        print(f"The same week for {args.accounts} accounts ...", file=sys.stderr)
        copy_the_week(stack.table_name, items, names)
        stack.put_api_key(json.dumps({"accounts": {name: {"api_key": API_KEY} for name in names}}))
        many = digest_in_a_fresh_process(environment, aws)
    aws.stop()

    print(f"\nMeasured on {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}.\n")
    print(performance.table(["Figure", "Measured"], rows(items, one, many, args.accounts)))
    print(f"\n{ACCOUNTS_PRICED} accounts, a digest a week ({DIGESTS_A_MONTH:.2f} a month), at on-demand list prices:\n")
    print(performance.table(["Item", "A digest", "A month", "List price a month"], priced(items, one)))
    return 0


def a_week_of_checks(function: dict[str, str], deepseek: DeepSeekSimulator) -> None:
    from sandbox.lambda_context import invoke_keeping_output

    os.environ.update({**function, "POWERTOOLS_TRACE_DISABLED": "true"})
    moment = FIRST
    while moment <= MONDAY + WEEK:
        deepseek.spend("CNY", SPEND_PER_CHECK)
        invoke_keeping_output({"time": format_timestamp(moment)}, io.StringIO())
        moment += SCHEDULE


def check_items(table_name: str, account: str) -> list[dict[str, Any]]:
    """One account's check items, as the table holds them, with the state item last."""
    import boto3

    dynamodb = boto3.client("dynamodb")
    pages = dynamodb.get_paginator("query").paginate(
        TableName=table_name,
        KeyConditionExpression="account = :account",
        ExpressionAttributeValues={":account": {"S": account}},
    )
    return [item for page in pages for item in page["Items"]]


def copy_the_week(table_name: str, items: list[dict[str, Any]], names: list[str]) -> None:
    import boto3

    dynamodb = boto3.client("dynamodb")
    copies = [{**item, "account": {"S": name}} for name in names for item in items]
    for start in range(0, len(copies), 25):
        batch = [{"PutRequest": {"Item": item}} for item in copies[start : start + 25]]
        dynamodb.batch_write_item(RequestItems={table_name: batch})


def digest_in_a_fresh_process(environment: dict[str, str], aws: LoopbackAWS) -> dict[str, Any]:
    """The digest run cold and then warm in a fresh process; its times, and the requests and
    capacity of both runs together."""
    aws.reset()
    command = [sys.executable, "-S", str(performance.BENCHMARKS / "digest_run.py"), format_timestamp(SENT)]
    finished = subprocess.run(command, env=environment, capture_output=True, check=False)
    if finished.returncode:
        raise SystemExit(f"digest_run.py failed:\n{finished.stderr.decode()[-3000:]}")
    line = next(line for line in finished.stderr.decode().splitlines() if line.startswith("digest-run "))
    counts = aws.counts()
    return {**json.loads(line.removeprefix("digest-run ")), "requests": counts.requests, "capacity": counts.capacity}


def _week(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items one digest's Query reads: its period and the hour before."""
    first, last = "check#" + format_timestamp(FIRST), "check#" + format_timestamp(MONDAY + WEEK)
    return [item for item in items if first <= item["record"]["S"] <= last]


def query_read_units(items: list[dict[str, Any]]) -> float:
    """Eventually consistent, a page of at most 1 MB: half a unit per 4 KiB of the items read."""
    return math.ceil(sum(item_bytes(item) for item in _week(items)) / 4096) / 2


def rows(items: list[dict[str, Any]], one: dict[str, Any], many: dict[str, Any], accounts: int) -> list[list[str]]:
    week = _week(items)
    sizes = [item_bytes(item) for item in week]
    state = next(item for item in items if item["record"]["S"] == "state")
    per_account = query_read_units(items)
    requests = Counter({operation: count / 2 for (_, operation), count in one["requests"].items()})  # cold and warm
    warm_cpu = many["warm"]["cpu_seconds"] / accounts
    at_128_mb = warm_cpu * LAMBDA_VCPU_MB / 128
    return [
        ["Check items a digest reads (a week, and the hour before)", f"{len(week)}"],
        ["Check item size", f"{statistics.mean(sizes):.0f} bytes on average ({min(sizes)} to {max(sizes)})"],
        ["Items read by the Query, together", f"{sum(sizes):,} bytes: one page ({sum(sizes) / 2**20:.2f} MB of 1 MB)"],
        ["State item (a consistent GetItem)", f"{item_bytes(state):,} bytes: 1 read unit"],
        [
            "Requests of a digest of one account",
            ", ".join(f"{operation} {count:g}" for operation, count in sorted(requests.items())),
        ],
        [
            "DynamoDB capacity, an account",
            f"Query {per_account:g} read units; the state and the sent mark 1 each; 1 write unit (the mark)",
        ],
        [
            "DynamoDB capacity, one account, measured (cold and warm run)",
            f"{one['capacity']['read']:g} read, {one['capacity']['write']:g} write units",
        ],
        [
            f"DynamoDB capacity, {accounts} accounts, measured (cold and warm run)",
            f"{many['capacity']['read']:g} read, {many['capacity']['write']:g} write units",
        ],
        ["Importing the handler (fresh process)", _ms(one["import"]["seconds"])],
        [
            "Digest of one account: cold, then warm",
            f"{_ms(one['cold']['seconds'])}, {_ms(one['warm']['seconds'])} "
            f"(CPU {_ms(one['cold']['cpu_seconds'])}, {_ms(one['warm']['cpu_seconds'])})",
        ],
        [
            f"Digest of {accounts} accounts: cold, then warm",
            f"{many['cold']['seconds']:.1f} s, {many['warm']['seconds']:.1f} s "
            f"(CPU {many['cold']['cpu_seconds']:.1f} s, {many['warm']['cpu_seconds']:.1f} s)",
        ],
        ["CPU an account (warm)", f"{_ms(warm_cpu)} here; about {at_128_mb:.1f} s at 128 MB"],
        [
            "Accounts one invocation sums up (52 s)",
            f"about {int(USABLE_SECONDS / at_128_mb)} at 128 MB, {int(USABLE_SECONDS / (at_128_mb / 8))} at 1,024 MB, "
            f"{int(USABLE_SECONDS / warm_cpu)} at 1,769 MB (a vCPU)",
        ],
    ]


def priced(items: list[dict[str, Any]], one: dict[str, Any]) -> list[list[str]]:
    """A digest's requests for ACCOUNTS_PRICED accounts, by item size, priced like cost.py."""
    reads = ACCOUNTS_PRICED * (query_read_units(items) + 1 + 1)
    writes = ACCOUNTS_PRICED * 1
    month = DIGESTS_A_MONTH
    return [
        [
            "DynamoDB read units",
            f"{reads:,.0f}",
            f"{reads * month:,.0f}",
            f"${reads * month * cost.DYNAMODB_READ_UNIT:.4f}",
        ],
        [
            "DynamoDB write units",
            f"{writes:,}",
            f"{writes * month:,.0f}",
            f"${writes * month * cost.DYNAMODB_WRITE_UNIT:.4f}",
        ],
        [
            "Marks kept (90 days)",
            f"{ACCOUNTS_PRICED:,} items",
            f"{ACCOUNTS_PRICED * 13:,} items",
            "under $0.0001",
        ],
    ]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


if __name__ == "__main__":
    raise SystemExit(main())
