"""cold_check.py with a stopwatch: where one cold invocation's time goes. It imports boto3 and
requests first (the floor and the handler both need them), then, for the handler, Powertools,
then the function's module, timing the dataclasses it builds on the way; then it invokes the
handler, timing the AWS clients it makes, each AWS request and each HTTP request. It prints
the durations, in milliseconds, as one JSON line on standard error after `breakdown `.

    python benchmarks/cold_breakdown.py app 2026-11-25T08:00:00Z     (environment as the function's)
"""

import time

started = time.perf_counter()

import dataclasses  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

import requests  # noqa: E402
from boto3.session import Session  # noqa: E402
from botocore.client import BaseClient  # noqa: E402

ms: Counter[str] = Counter()
ms["boto3 and requests, imported"] = (time.perf_counter() - started) * 1e3


def timed(owner: object, name: str, label: str | None = None) -> None:
    """Add the time spent in owner.name to `ms`, under `label` (or the call's operation name)."""
    original = getattr(owner, name)

    def stopwatch(*args, **kwargs):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            ms[label or f"AWS {args[1]}"] += (time.perf_counter() - start) * 1e3

    setattr(owner, name, stopwatch)


ROOT = Path(__file__).resolve().parents[1]
sys.path += [str(ROOT / "benchmarks"), str(ROOT)]
if sys.argv[1] == "app":
    start = time.perf_counter()
    import aws_lambda_powertools.metrics
    import aws_lambda_powertools.utilities.parameters  # noqa: F401

    ms["Powertools, imported"] = (time.perf_counter() - start) * 1e3
timed(dataclasses, "_process_class", "the function's dataclasses, built at import")
start = time.perf_counter()
function = importlib.import_module(sys.argv[1])
ms["the function's modules, imported"] = (time.perf_counter() - start) * 1e3 - ms[
    "the function's dataclasses, built at import"
]

from sandbox.lambda_context import LambdaContext  # noqa: E402

event = {**json.loads((ROOT / "events" / "scheduled.json").read_text()), "time": sys.argv[2]}
timed(Session, "client", "AWS clients, made")
timed(BaseClient, "_make_api_call")
timed(requests.Session, "send", "HTTP GET of the balance")
start = time.perf_counter()
function.lambda_handler(event, LambdaContext())
invocation = (time.perf_counter() - start) * 1e3
ms["the rest of the invocation"] = invocation - sum(
    value for label, value in ms.items() if label.startswith(("AWS", "HTTP"))
)
print("breakdown " + json.dumps(dict(ms)), file=sys.stderr)
