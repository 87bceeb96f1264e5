"""One process, as a new Lambda container: import the handler, then invoke it with the digest
schedule's event (events/digest.json) at the given time, twice (the second is a new request,
warm); print what each took, as one JSON line on standard error.

    python benchmarks/digest_run.py 2026-11-09T08:00:00Z     (environment as the function's)
"""

import json
import sys
import time
from pathlib import Path

from botocore.config import Config

from balance_monitor.adapters import aws

# moto answers a Query of a week of checks far slower than DynamoDB, and slower still while
# several run at once: a longer read timeout than the function's, so that it measures the digest.
aws.CLIENT_CONFIG = aws.CLIENT_CONFIG.merge(Config(read_timeout=300))
started = time.perf_counter(), time.process_time()
import app  # noqa: E402

imported = time.perf_counter(), time.process_time()

ROOT = Path(__file__).resolve().parents[1]
sys.path.append(str(ROOT))  # for the sandbox's Lambda context
from sandbox.lambda_context import LambdaContext  # noqa: E402

event = {**json.loads((ROOT / "events" / "digest.json").read_text()), "time": sys.argv[1]}
runs = []
for request in ("cold", "warm"):
    before = time.perf_counter(), time.process_time()
    summary = app.lambda_handler(event, LambdaContext(timeout_seconds=900, aws_request_id=f"digest-{request}"))
    after = time.perf_counter(), time.process_time()
    sent = sum(1 for result in summary["accounts"] if result["result"] == "sent")
    runs.append({"seconds": after[0] - before[0], "cpu_seconds": after[1] - before[1], "sent": sent})
sys.stdout.flush()
imports = {"seconds": imported[0] - started[0], "cpu_seconds": imported[1] - started[1]}
print("digest-run " + json.dumps({"import": imports, "cold": runs[0], "warm": runs[1]}), file=sys.stderr)
