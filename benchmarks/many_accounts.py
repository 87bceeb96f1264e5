"""500 accounts in one invocation, DeepSeek answering each in 300 ms: the real handler and
DeepSeek adapter against the DeepSeek simulator on 127.0.0.1, Secrets Manager and SNS
emulated in-process (moto). Prints the invocation's wall time and memory. A figure to read,
not a test to pass.

The history table is an in-memory stand-in that answers each request after 10 ms, as
DynamoDB does in-region: moto's DynamoDB copies the whole table on every transaction (to roll
back), which makes it quadratic in the number of accounts and measures moto, not the monitor.

    python benchmarks/many_accounts.py [--accounts 500] [--latency 0.3] [--table-latency 0.01]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import resource
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src" / "handler"), str(ROOT)]

from balance_monitor.alert_lifecycle import AlertState  # noqa: E402
from balance_monitor.history import CheckRecord  # noqa: E402


class InMemoryHistory:
    """The history table's contract (conditional on version and lease), in memory, with
    DynamoDB's in-region latency on every request."""

    def __init__(self, latency: float) -> None:
        self._latency = latency
        self._lock = threading.Lock()
        self.states: dict[str, AlertState] = {}
        self.leases: dict[str, tuple[str, int]] = {}
        self.checks: dict[tuple[str, object], CheckRecord] = {}

    def load_state(self, account: str) -> AlertState:
        time.sleep(self._latency)
        with self._lock:
            return self.states.get(account, AlertState())

    def claim_notification(self, account: str, version: int, owner: str, lease_until: int, now: int) -> bool:
        time.sleep(self._latency)
        with self._lock:
            lease = self.leases.get(account)
            if self.states.get(account, AlertState()).version != version or (lease and lease[1] >= now):
                return False
            self.leases[account] = (owner, lease_until)
            return True

    def release_claim(self, account: str, owner: str) -> None:
        with self._lock:
            self.leases.pop(account, None)

    def commit(self, record: CheckRecord, state: AlertState, *, owner: str | None, now: int) -> bool:
        time.sleep(self._latency)
        with self._lock:
            if self.states.get(record.account, AlertState()).version != state.version - 1:
                return False
            self.states[record.account] = state
            self.leases.pop(record.account, None)
            self.checks[(record.account, record.checked_at)] = record
            return True

    def put_check(self, record: CheckRecord, *, only_if_absent: bool = False) -> bool:
        time.sleep(self._latency)
        with self._lock:
            self.checks.setdefault((record.account, record.checked_at), record)
            return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.3, help="DeepSeek's answer time, seconds")
    parser.add_argument("--table-latency", type=float, default=0.01, help="each history request, seconds")
    args = parser.parse_args()

    from moto import mock_aws

    from sandbox.aws import create_stack, use_fake_credentials
    from sandbox.deepseek_simulator import DeepSeekSimulator
    from sandbox.lambda_context import LambdaContext

    use_fake_credentials()
    keys = {f"team-{index:03d}": f"sk-bench-{index:06d}" for index in range(args.accounts)}
    with mock_aws(), DeepSeekSimulator("sk-bench-unused", latency_seconds=args.latency) as deepseek:
        for key in keys.values():
            deepseek.add_account(key)
        stack = create_stack(json.dumps({"accounts": {name: {"api_key": key} for name, key in keys.items()}}))
        os.environ.update(stack.function_environment(DeepSeekBaseUrl=deepseek.base_url))
        os.environ.update({"POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "WARNING"})
        import app
        from balance_monitor.settings import Settings

        history = InMemoryHistory(args.table_latency)
        parts = dataclasses.replace(app.build_collaborators(Settings.from_environment(os.environ)), history=history)
        app.collaborators = lambda: parts  # type: ignore[assignment]
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started, cpu_started = time.perf_counter(), time.process_time()
        with open(os.devnull, "w") as quiet, _stdout(quiet):  # the metrics' EMF lines
            summary = app.lambda_handler({"time": "2026-11-25T08:00:00Z"}, LambdaContext(timeout_seconds=60))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    checked = sum(1 for result in summary["accounts"] if result["result"] == "checked")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"accounts checked      {checked} of {args.accounts}, all recorded: {len(history.checks) == args.accounts}")
    print(f"DeepSeek latency      {args.latency * 1000:.0f} ms; history request {args.table_latency * 1000:.0f} ms")
    print(
        f"invocation wall time  {elapsed:.1f} s, {app.MAX_CONCURRENT_CHECKS} at a time "
        f"(one after another: {args.accounts * (args.latency + 2 * args.table_latency):.0f} s)"
    )
    print(
        f"CPU time              {cpu:.1f} s, {cpu / args.accounts * 1000:.0f} ms an account "
        "(the simulator's share included, so an upper bound)"
    )
    print(f"process RSS, peak     {rss_after:.0f} MiB (before the invocation: {rss_before:.0f} MiB, moto and all)")
    return 0


def _stdout(stream):  # type: ignore[no-untyped-def]
    import contextlib

    return contextlib.redirect_stdout(stream)


if __name__ == "__main__":
    raise SystemExit(main())
