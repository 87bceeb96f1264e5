"""`make bench`: what a balance check costs, measured in one run on this machine and set
against the floor, the least program that does the same I/O (benchmarks/floor.py).

Everything runs on 127.0.0.1: AWS is a moto server that counts requests, DynamoDB capacity
and its own time answering (loopback_aws.py), DeepSeek is the simulator of an account that
spends steadily (steady_deepseek.py), each a process of its own, so that nothing the
measuring process does can slow them; X-Ray's daemon is a UDP socket that counts the trace
segments it receives. Between cold starts the table is cut back to the account's state
(moto copies the whole table at each transaction, so a growing table would slow each check
more than the one before).

- Cold start: each sample is a fresh Python process, as a new Lambda container is, given
  the Lambda runtime's environment and the function's as the template sets it by default
  (tracing off). cold_check.py imports the handler's module, or the floor's, and invokes it
  with the scheduled event, the same way for both. Each ends as a container does, when its
  work is done (as_container.py). Both find their bytecode compiled, as in Lambda (the
  runtime's boto3 has it; `make build` ships the function's). More series show the handler
  with X-Ray tracing on (XRayTracing=Active), shipped without bytecode, and both programs
  part by part (cold_breakdown.py).
- The programs run in rounds, one of each a round (every other round in reverse order), and
  each figure set against the floor is the median of its rounds' ratios (or differences),
  with a 90% interval from resampling the rounds: this machine's speed drifts by a fifth over
  tens of seconds, which a ratio within a round cancels and a ratio of medians does not. CPU
  time, the process's own, is set against the floor's too: it leaves out all waiting.
- Peak memory: the kernel's high-water mark of that process (as_container.py).
- Requests and DynamoDB capacity: a cold check's, then each warm check's over a simulated
  day in one container, then one more with a thousand silences made before and three in force,
  then one more (those three ended) with a year of history in the table.
- Artifact: the function as `make build` leaves it, unzipped and zipped.
- Cost: a month of the default schedule, priced from these figures (cost.py).

A figure to read, not a test to pass: timings vary with the machine and its load. Run it on
the function's Python (3.13) to measure what Lambda runs; `make bench` does when it can.

    python benchmarks/performance.py [--runs 41] [--artifact .aws-sam/build/BalanceCheckFunction]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import io
import json
import math
import os
import platform
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HANDLER_CODE = ROOT / "src" / "handler"
sys.path[:0] = [str(HANDLER_CODE), str(ROOT), str(ROOT / "scripts")]

from check_artifact import zipped_size  # noqa: E402

from balance_monitor.history import format_timestamp  # noqa: E402
from balance_monitor.silences import Silence  # noqa: E402
from benchmarks import cost  # noqa: E402
from benchmarks.loopback_aws import LoopbackAWS, item_bytes  # noqa: E402
from benchmarks.server_process import ServerProcess  # noqa: E402
from sandbox.aws import create_stack, use_fake_credentials  # noqa: E402

API_KEY = "sk-bench-0123456789abcdef"
FIRST_CHECK = datetime(2026, 11, 2, tzinfo=UTC)
SCHEDULE = timedelta(minutes=15)  # the template's default rate
CHECKS_A_DAY = int(timedelta(days=1) / SCHEDULE)
TARGET_RATIO = 1.15
TARGET_PEAK_MB = 100
TARGET_WARM_DYNAMODB_REQUESTS = 2
BENCHMARKS = ROOT / "benchmarks"
# What the Lambda runtime sets in a container of this function.
LAMBDA_RUNTIME = {
    "AWS_LAMBDA_FUNCTION_NAME": "balance-check",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "LAMBDA_TASK_ROOT": str(HANDLER_CODE),
    "_X_AMZN_TRACE_ID": "Root=1-6745c000-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=1",
    "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
}

MetricSeries = tuple[str, tuple[tuple[str, str], ...]]  # a metric's name and dimension values


@dataclass(frozen=True)
class Program:
    module: str  # whose lambda_handler cold_check.py invokes: app, or floor
    environment: dict[str, str]  # on top of the function's
    driver: str = "cold_check.py"  # or cold_breakdown.py, which times its parts


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu_seconds: float  # the process's own, user and system: no waiting on AWS, DeepSeek or the machine
    aws_seconds: float  # the AWS emulator's own time answering the process's requests
    peak_bytes: int
    requests: Counter[str]  # by service
    capacity: Counter[str]  # DynamoDB read and write units
    output_bytes: int  # logs and metrics, as CloudWatch Logs would ingest them
    segments: int  # sent to the X-Ray daemon
    breakdown: dict[str, float] = field(default_factory=dict)  # milliseconds, by cold_breakdown.py


class XRayDaemon:
    """A UDP socket where the X-Ray daemon would listen. Loopback delivers a datagram as it
    is sent, so once a process has ended, everything it sent is waiting here to be counted."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2**20)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.setblocking(False)

    @property
    def address(self) -> str:
        host, port = self._socket.getsockname()
        return f"{host}:{port}"

    def segments_received(self) -> int:
        """The segments sent since the last call."""
        count = 0
        while True:
            try:
                self._socket.recv(65536)
            except BlockingIOError:
                return count
            count += 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=41, help="cold starts of each program (default 41)")
    parser.add_argument("--artifact", type=Path, default=ROOT / ".aws-sam" / "build" / "BalanceCheckFunction")
    args = parser.parse_args()

    use_fake_credentials()
    xray = XRayDaemon()
    with (
        LoopbackAWS() as aws,
        ServerProcess(BENCHMARKS / "steady_deepseek.py", API_KEY) as deepseek,
        tempfile.TemporaryDirectory() as scratch,
    ):
        os.environ["AWS_ENDPOINT_URL"] = aws.endpoint_url
        times = scheduled_times()
        stack = create_stack(json.dumps({"api_key": API_KEY}))
        function = stack.function_environment(DeepSeekBaseUrl=deepseek.base_url)
        traced = stack.function_environment(DeepSeekBaseUrl=deepseek.base_url, XRayTracing="Active")
        environment = process_environment(function, xray.address)
        print(f"Cold starts: {args.runs} of each program, in fresh processes ...", file=sys.stderr)
        cold = cold_starts(environment, traced, Path(scratch), times, aws, xray, args.runs, stack.table_name)
        print("A day of checks in one container, then a year of history ...", file=sys.stderr)
        os.environ.update(function)
        day, metric_series = checks_in_one_container(times, aws, CHECKS_A_DAY)
        check_item_bytes = last_check_item_bytes(stack.table_name)
        state_bytes = week_old_state_item_bytes()
        # Before the year of history, and removed after: moto copies the whole table at each
        # transaction, and a slow copy would time out and measure moto, not the check.
        seed_silences(stack.table_name, ever_made=1000, in_force=3)
        with_silences, _ = checks_in_one_container(times, aws, 1)
        remove_silences(stack.table_name)
        stack.seed_checks(before=FIRST_CHECK, count=365 * CHECKS_A_DAY, step=SCHEDULE)
        with_a_year, _ = checks_in_one_container(times, aws, 1)

    rows, per_check = summarise(
        cold, day, with_a_year[0], with_silences[0], metric_series, check_item_bytes, state_bytes, args.artifact
    )
    print(
        f"\nMeasured on {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{datetime.now(UTC):%Y-%m-%d}; {args.runs} cold starts of each program.\n"
    )
    print(table(["Figure", "Measured", "Target", "Met"], rows))
    print(
        "\nWhere a cold start's time goes (cold_breakdown.py; medians of the rounds, in ms; the handler's"
        " overhead part by part, largest first):\n"
    )
    print(table(["Part", "Floor", "Handler", "Handler - floor"], breakdown_rows(cold)))
    print(
        f"\nA month of the default schedule ({cost.CHECKS_PER_MONTH:,} checks, each taken as cold), "
        f"at AWS's us-east-1 list prices of {cost.PRICES_AS_OF}:\n"
    )
    print(table(["Item", "Quantity a month", "List price", "After the free tier"], cost.monthly(per_check)))
    slower = 20 * per_check.seconds
    print(
        f"\nLambda gives CPU in proportion to memory (128 MB is about 7% of a vCPU), so a deployed check "
        f"takes longer than here; at {slower:.1f} s, 20 times this machine's, Lambda compute would be "
        f"${cost.lambda_gb_seconds(slower) * cost.LAMBDA_GB_SECOND:.2f} a month."
    )
    return 0 if all(row[3] != "no" for row in rows) else 1


def process_environment(function: dict[str, str], xray_address: str) -> dict[str, str]:
    inherited = ("PYTHONDONTWRITEBYTECODE", "POWERTOOLS_TRACE_DISABLED")  # not in a Lambda container
    environment = {name: value for name, value in os.environ.items() if name not in inherited}
    return {
        **environment,
        **function,
        **LAMBDA_RUNTIME,
        "AWS_XRAY_DAEMON_ADDRESS": xray_address,
        # As Lambda's sys.path: the function's code, then the libraries; no .pth files (-S).
        "PYTHONPATH": os.pathsep.join([str(HANDLER_CODE), sysconfig.get_paths()["purelib"]]),
    }


def scheduled_times() -> Iterator[datetime]:
    """The scheduled times, one after the other (the simulated account spends between)."""
    moment = FIRST_CHECK
    while True:
        yield moment
        moment += SCHEDULE


def cold_starts(
    environment: dict[str, str],
    traced: dict[str, str],
    scratch: Path,
    times: Iterator[datetime],
    aws: LoopbackAWS,
    xray: XRayDaemon,
    count: int,
    table_name: str,
) -> dict[str, list[Run]]:
    bytecode, stripped = scratch / "bytecode", scratch / "bytecode-without-the-functions"
    programs = {
        "floor": Program("floor", {"PYTHONPYCACHEPREFIX": str(bytecode)}),
        "handler": Program("app", {"PYTHONPYCACHEPREFIX": str(bytecode)}),
    }
    for program in programs.values():  # compile the bytecode once, and warm the file cache
        run_process(program, next(times), environment, aws, xray)
        keep_only_the_state(table_name)
    function_code = _function_code()
    _compile_as_shipped(function_code, bytecode)
    _copy_without_function_bytecode(function_code, bytecode, stripped)
    programs["handler, traced"] = Program(
        "app", {**_differences(traced, environment), "PYTHONPYCACHEPREFIX": str(bytecode)}
    )
    programs["handler without bytecode"] = Program(
        "app", {"PYTHONPYCACHEPREFIX": str(stripped), "PYTHONDONTWRITEBYTECODE": "1"}
    )
    for module, name in (("floor", "floor"), ("app", "handler")):
        programs[f"{name}, broken down"] = Program(module, programs[name].environment, "cold_breakdown.py")
    runs: dict[str, list[Run]] = {name: [] for name in programs}
    for round_number in range(count):
        # Every other round runs the programs in the reverse order, so that the order in a
        # round cannot favour any of them.
        order = list(programs.items())
        for name, program in order if round_number % 2 == 0 else reversed(order):
            runs[name].append(run_process(program, next(times), environment, aws, xray))
            keep_only_the_state(table_name)
    return runs


def _differences(function: dict[str, str], environment: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in function.items() if environment.get(name) != value}


def keep_only_the_state(table_name: str) -> None:
    """Deletes every item but the account's state, which is all a check reads. moto copies the
    whole table at each transaction (twice for the check's two items), so a table that grew
    run by run would slow each cold check more than the one before: the emulator's cost, which
    no DynamoDB table has, and not the check's."""
    import boto3

    pages = (
        boto3.client("dynamodb")
        .get_paginator("scan")
        .paginate(TableName=table_name, ProjectionExpression="account, #r", ExpressionAttributeNames={"#r": "record"})
    )
    _delete(table_name, [item for page in pages for item in page["Items"] if item["record"]["S"] != "state"])


def _function_code() -> list[Path]:
    """The function's own code and its bundled libraries, as installed here."""
    libraries = Path(sysconfig.get_paths()["purelib"])
    candidates = [libraries / name for module in _bundled_modules() for name in (module, f"{module}.py")]
    return [HANDLER_CODE, *(path for path in candidates if path.exists())]


def _compile_as_shipped(function_code: list[Path], bytecode: Path) -> None:
    """Recompile the function's code as `make build` does (hash-checked bytecode, which
    Python validates against the source at each import) into the bytecode cache."""
    command = [sys.executable, "-m", "compileall", "-q", "-f", "--invalidation-mode", "checked-hash"]
    subprocess.run(
        [*command, *map(str, function_code)], env={**os.environ, "PYTHONPYCACHEPREFIX": str(bytecode)}, check=True
    )


def _copy_without_function_bytecode(function_code: list[Path], bytecode: Path, stripped: Path) -> None:
    """The bytecode cache minus the function's code and bundled libraries: the function as
    shipped with source only, on a runtime whose own libraries (boto3) have bytecode."""
    shutil.copytree(bytecode, stripped)
    for code in function_code:
        cached = stripped / code.relative_to("/")
        shutil.rmtree(cached, ignore_errors=True)
        for single_module in cached.parent.glob(f"{code.stem}.*.pyc"):
            single_module.unlink()


def _bundled_modules() -> set[str]:
    """The top-level modules of the packages in src/handler/requirements.txt."""
    pinned = {
        line.split("==")[0].strip().lower().replace("_", "-")
        for line in (HANDLER_CODE / "requirements.txt").read_text().splitlines()
        if "==" in line
    }
    return {
        module
        for module, distributions in importlib.metadata.packages_distributions().items()
        if any(name.lower().replace("_", "-") in pinned for name in distributions)
    }


def run_process(
    program: Program, moment: datetime, environment: dict[str, str], aws: LoopbackAWS, xray: XRayDaemon
) -> Run:
    aws.reset()
    xray.segments_received()
    command = [
        *(sys.executable, "-S", str(BENCHMARKS / "as_container.py"), str(BENCHMARKS / program.driver)),
        *(program.module, format_timestamp(moment)),
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)  # the servers are children too, but not yet reaped
    started = time.perf_counter()
    finished = subprocess.run(command, env={**environment, **program.environment}, capture_output=True, check=False)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_seconds = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if finished.returncode:
        raise SystemExit(f"{program.module} failed:\n{finished.stderr.decode()[-3000:]}")
    errors = finished.stderr.decode()
    peak_kib = int(errors.rsplit("peak-rss-kib", 1)[1])
    breakdown = json.loads(errors.partition("breakdown ")[2].partition("\n")[0] or "{}")
    counts = aws.counts()
    return Run(
        seconds,
        cpu_seconds,
        counts.serving_seconds,
        peak_kib * 1024,
        counts.by_service(),
        counts.capacity,
        len(finished.stdout),
        xray.segments_received(),
        breakdown,
    )


def checks_in_one_container(
    times: Iterator[datetime], aws: LoopbackAWS, checks: int
) -> tuple[list[Run], set[MetricSeries]]:
    """Checks by the handler in this process, one container: the first is its cold check,
    the rest are warm. Returns each check's figures and the CloudWatch metrics emitted."""
    from sandbox.lambda_context import invoke_keeping_output

    os.environ["POWERTOOLS_TRACE_DISABLED"] = "true"  # traces were counted in the cold starts
    runs, series = [], set()
    for _ in range(checks):
        aws.reset()
        output = io.StringIO()
        started = time.perf_counter()
        summary = invoke_keeping_output({"time": format_timestamp(next(times))}, output)
        seconds = time.perf_counter() - started
        if summary["status"] != "healthy":
            raise SystemExit(f"the benchmark's account should stay healthy: {summary}")
        counts = aws.counts()
        # A process's CPU, memory and traces, and the emulator's time, are the cold starts' to measure.
        runs.append(
            Run(
                seconds=seconds,
                cpu_seconds=0,
                aws_seconds=0,
                peak_bytes=0,
                requests=counts.by_service(),
                capacity=counts.capacity,
                output_bytes=len(output.getvalue()),
                segments=0,
            )
        )
        series |= _metric_series(output.getvalue())
    return runs, series


def _metric_series(output: str) -> set[MetricSeries]:
    """The CloudWatch metrics (name and dimension values) in embedded-metric-format lines."""
    series = set()
    for line in output.splitlines():
        if '"CloudWatchMetrics"' not in line:
            continue
        record = json.loads(line)
        for directive in record["_aws"]["CloudWatchMetrics"]:
            for dimensions in directive["Dimensions"]:
                values = tuple((name, str(record[name])) for name in dimensions)
                series.update((metric["Name"], values) for metric in directive["Metrics"])
    return series


def seed_silences(table_name: str, *, ever_made: int, in_force: int) -> None:
    """Silences of the benchmark's account: `ever_made` over (their items kept for `silence
    list --all`), and `in_force` made as the command makes them, holding what a healthy
    account never calls for."""
    import boto3

    from balance_monitor.adapters.history_table import _serialize
    from balance_monitor.adapters.silence_store import SilenceStore, silence_item

    def made(index: int, ends: datetime) -> Silence:
        return Silence(f"{index:08x}", FIRST_CHECK, ends, ("low",), account="default", reason="bench", created_by="b")

    dynamodb = boto3.client("dynamodb")
    over = [_serialize(silence_item(made(index, FIRST_CHECK + SCHEDULE))) for index in range(ever_made)]
    for start in range(0, len(over), 25):
        batch = [{"PutRequest": {"Item": item}} for item in over[start : start + 25]]
        dynamodb.batch_write_item(RequestItems={table_name: batch})
    store = SilenceStore(dynamodb, table_name)
    for index in range(ever_made, ever_made + in_force):
        store.add(made(index, FIRST_CHECK + timedelta(days=30)), FIRST_CHECK)


def remove_silences(table_name: str) -> None:
    """Every silence item, and the copies in the state, as if none had been made."""
    import boto3

    dynamodb = boto3.client("dynamodb")
    key = {"account": {"S": "default"}}
    dynamodb.update_item(
        TableName=table_name,
        Key={**key, "record": {"S": "state"}},
        UpdateExpression="SET silences = :none",
        ExpressionAttributeValues={":none": {"M": {}}},
    )
    pages = dynamodb.get_paginator("query").paginate(
        TableName=table_name,
        KeyConditionExpression="account = :account AND begins_with(#record, :prefix)",
        ExpressionAttributeNames={"#record": "record"},
        ExpressionAttributeValues={":account": {"S": "default"}, ":prefix": {"S": "silence#"}},
        ProjectionExpression="account, #record",
    )
    _delete(table_name, [item for page in pages for item in page["Items"]])


def _delete(table_name: str, keys: list[dict[str, Any]]) -> None:
    """These items, 25 a request (BatchWriteItem's most)."""
    import boto3

    dynamodb = boto3.client("dynamodb")
    for start in range(0, len(keys), 25):
        batch = [{"DeleteRequest": {"Key": key}} for key in keys[start : start + 25]]
        dynamodb.batch_write_item(RequestItems={table_name: batch})


def last_check_item_bytes(table_name: str) -> int:
    """The size of the newest check record, as DynamoDB stores and bills it."""
    import boto3

    newest = boto3.client("dynamodb").query(
        TableName=table_name,
        KeyConditionExpression="account = :account AND begins_with(#record, :checks)",
        ExpressionAttributeNames={"#record": "record"},
        ExpressionAttributeValues={":account": {"S": "default"}, ":checks": {"S": "check#"}},
        ScanIndexForward=False,
        Limit=1,
    )["Items"][0]
    return item_bytes(newest)


def week_old_state_item_bytes() -> int:
    """The state item of an account a week into steady use: by then it holds a week of hourly
    spend (170 amounts a currency), which a day of checks does not show."""
    from balance_monitor.adapters.history_table import _serialize, _state_item
    from sandbox.usage import patterns
    from sandbox.weeks import decisions

    steady = next(pattern for pattern in patterns() if pattern.name == "steady")
    *_, (_, evaluation) = decisions(steady, days=8)
    return item_bytes(_serialize(_state_item("default", evaluation.state)))


def summarise(
    cold: dict[str, list[Run]],
    day: list[Run],
    with_a_year: Run,
    with_silences: Run,
    metric_series: set[MetricSeries],
    check_item_bytes: int,
    state_bytes: int,
    artifact: Path,
) -> tuple[list[list[str]], cost.PerCheck]:
    def median_seconds(name: str) -> float:
        return statistics.median(run.seconds for run in cold[name])

    def rounds(name: str, time: str = "seconds") -> list[tuple[float, float]]:
        """The program's time and the floor's, round by round."""
        return [
            (getattr(run, time), getattr(floor, time)) for run, floor in zip(cold[name], cold["floor"], strict=True)
        ]

    def against_floor(name: str, time: str = "seconds") -> tuple[float, float]:
        """The median, over the rounds, of the program's time over the floor's, and less it."""
        return (
            statistics.median(run / floor for run, floor in rounds(name, time)),
            statistics.median(run - floor for run, floor in rounds(name, time)),
        )

    handler, floor = cold["handler"], cold["floor"]
    ratio, overhead = against_floor("handler")
    cpu_ratio, cpu_overhead = against_floor("handler", "cpu_seconds")
    traced_ratio, traced_overhead = against_floor("handler, traced")
    unshipped_ratio, _ = against_floor("handler without bytecode")
    peak = max(run.peak_bytes for run in [*handler, *cold["handler, traced"]])
    first, warm = day[0], day[1:]
    warm_requests = _usual(run.requests for run in warm)
    warm_capacity = _usual(run.capacity for run in warm)
    warm_ok = (
        warm_requests["dynamodb"] <= TARGET_WARM_DYNAMODB_REQUESTS
        and warm_requests["secretsmanager"] <= 1  # read at every check, so that edits count at once
        and not warm_requests["sns"]
        and all(run.requests == warm_requests for run in warm)
    )
    year_ok = with_a_year.capacity == warm_capacity and with_a_year.requests == warm_requests
    log_bytes = statistics.median(run.output_bytes for run in handler)
    # A transaction bills twice each item's size in 1 KB units; a consistent read, 4 KB units.
    week_capacity = Counter(
        read=math.ceil(state_bytes / 4096),
        write=2 * (math.ceil(state_bytes / 1024) + math.ceil(check_item_bytes / 1024)),
    )
    rows = [
        ["Cold start: handler, fresh process to check done (median)", _ms(median_seconds("handler")), "", ""],
        ["Cold start: floor, same I/O (median)", _ms(median_seconds("floor")), "", ""],
        [
            "Cold start: handler / floor (median of the rounds; 90% interval)",
            f"{ratio:.2f} ({_interval([run / floor for run, floor in rounds('handler')])})",
            f"at most {TARGET_RATIO}",
            _met(ratio <= TARGET_RATIO),
        ],
        ["Cold start: handler - floor (the handler's overhead)", _ms(overhead), "", ""],
        [
            "Cold start: AWS emulation's time answering the requests (median), floor and handler",
            f"{_ms(statistics.median(run.aws_seconds for run in floor))} and "
            f"{_ms(statistics.median(run.aws_seconds for run in handler))}",
            "",
            "",
        ],
        [
            "Cold start in CPU time, the process's own: handler / floor",
            f"{cpu_ratio:.2f} ({_ms(cpu_overhead)} over the floor)",
            "",
            "",
        ],
        [
            "Cold start: handler with X-Ray tracing (XRayTracing=Active) / floor",
            f"{traced_ratio:.2f} ({_ms(traced_overhead)} over the floor)",
            "",
            "",
        ],
        [
            "Cold start: handler shipped without bytecode / floor",
            f"{unshipped_ratio:.2f} ({_ms(median_seconds('handler without bytecode'))})",
            "",
            "",
        ],
        [
            "Peak memory: handler process",
            f"{peak / 1e6:.0f} MB",
            f"at most {TARGET_PEAK_MB} MB",
            _met(peak / 1e6 <= TARGET_PEAK_MB),
        ],
        ["Peak memory: floor process", f"{max(run.peak_bytes for run in floor) / 1e6:.0f} MB", "", ""],
        ["Requests: floor", _requests(_usual(run.requests for run in floor)), "", ""],
        ["Requests: cold check, each fresh process", _requests(_usual(run.requests for run in handler)), "", ""],
        [
            "Requests: first check of a container",
            _requests(first.requests),
            "the secret read once",
            _met(first.requests["secretsmanager"] == 1),
        ],
        [
            f"Requests: warm healthy check (each of {len(warm)})",
            _requests(warm_requests),
            "at most 2 DynamoDB, 1 Secrets Manager, no SNS",
            _met(warm_ok),
        ],
        ["DynamoDB capacity: warm check", _capacity(warm_capacity), "", ""],
        [
            "DynamoDB capacity: a check a week in (state item of one currency)",
            f"{_capacity(week_capacity)} ({state_bytes:,} bytes)",
            "",
            "",
        ],
        ["History item per check", f"{check_item_bytes} bytes", "", ""],
        [
            "DynamoDB capacity and requests: with a year of history (35,040 checks)",
            f"{_capacity(with_a_year.capacity)}; {_requests(with_a_year.requests)}",
            "as without",
            _met(year_ok),
        ],
        [
            "DynamoDB capacity and requests: with 1,000 silences made before, 3 in force",
            f"{_capacity(with_silences.capacity)}; {_requests(with_silences.requests)}",
            "requests as without",
            _met(with_silences.requests == warm_requests),
        ],
        [
            "X-Ray segments sent: cold check, untraced and traced",
            f"{_usual_value(run.segments for run in handler)} and "
            f"{_usual_value(run.segments for run in cold['handler, traced'])}",
            "",
            "",
        ],
        ["Logs and metrics written: cold check", f"{log_bytes:,.0f} bytes", "", ""],
        ["CloudWatch metrics kept up by a day of checks", str(len(metric_series)), "", ""],
        ["Deployed artifact", _artifact_size(artifact), "", ""],
    ]
    per_check = cost.PerCheck(
        seconds=median_seconds("handler"),
        dynamodb_read_units=float(warm_capacity["read"]),
        dynamodb_write_units=float(week_capacity["write"]),
        secret_reads=first.requests["secretsmanager"],
        log_bytes=log_bytes,
        metric_series=len(metric_series),
        check_item_bytes=check_item_bytes,
    )
    return rows, per_check


def breakdown_rows(cold: dict[str, list[Run]]) -> list[list[str]]:
    """The timed parts of a cold start, floor and handler side by side, and what the process
    spent outside them (Python's start and end, the driver): the handler's difference part by
    part, in the median of the rounds."""
    rounds = list(zip(cold["floor, broken down"], cold["handler, broken down"], strict=True))
    outside = "Python's start and end, the driver (outside the parts)"

    def parts(run: Run) -> dict[str, float]:
        return {**run.breakdown, outside: run.seconds * 1e3 - sum(run.breakdown.values())}

    labels = list(dict.fromkeys(label for floor, handler in rounds for label in [*parts(floor), *parts(handler)]))

    median = statistics.median
    rows = [
        (
            median(parts(handler).get(label, 0) - parts(floor).get(label, 0) for floor, handler in rounds),
            label,
            median(parts(floor).get(label, 0) for floor, _ in rounds),
            median(parts(handler).get(label, 0) for _, handler in rounds),
        )
        for label in labels
    ]
    rows.sort(key=lambda row: -row[0])
    total = median(handler.seconds * 1e3 - floor.seconds * 1e3 for floor, handler in rounds)
    return [
        *(
            [label, f"{floor:.1f}", f"{handler:.1f}", f"{difference:+.1f}"]
            for difference, label, floor, handler in rows
        ),
        ["**The whole cold start**", "", "", f"**{total:+.1f}**"],
    ]


def _interval(ratios: list[float], resamples: int = 2000) -> str:
    """Where the median of the rounds' ratios falls in 90% of resamplings of the rounds (a
    bootstrap): how far this machine's noise leaves the figure uncertain."""
    draw = random.Random(0)  # noqa: S311 - a statistic, not a secret
    medians = sorted(statistics.median(draw.choices(ratios, k=len(ratios))) for _ in range(resamples))
    return f"{medians[int(0.05 * resamples)]:.2f} to {medians[int(0.95 * resamples)]:.2f}"


def _artifact_size(artifact: Path) -> str:
    if not artifact.is_dir():
        return f"not built: run `make build` ({artifact})"
    unzipped = sum(path.stat().st_size for path in artifact.rglob("*") if path.is_file())
    bytecode = sum(1 for _ in artifact.rglob("*.pyc"))
    return (
        f"{unzipped / 2**20:.1f} MiB unzipped, {zipped_size(artifact) / 2**20:.1f} MiB zipped"
        f" ({'with bytecode' if bytecode else 'source only'})"
    )


def _usual(tallies: Iterable[Counter[str]]) -> Counter[str]:
    """The most frequent of several tallies (they should all be the same)."""
    frozen = Counter(tuple(sorted(tally.items())) for tally in tallies)
    return Counter(dict(frozen.most_common(1)[0][0]))


def _usual_value(values: Iterable[int]) -> int:
    return Counter(values).most_common(1)[0][0]


def _requests(requests: Counter[str]) -> str:
    labels = {"dynamodb": "DynamoDB", "secretsmanager": "Secrets Manager", "sns": "SNS"}
    return ", ".join(f"{label} {requests[service]}" for service, label in labels.items())


def _capacity(capacity: Counter[str]) -> str:
    return f"{capacity['read']:g} read, {capacity['write']:g} write units"


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.0f} ms"


def _met(condition: bool) -> str:
    return "yes" if condition else "no"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


if __name__ == "__main__":
    raise SystemExit(main())
