"""One cold check: a fresh process imports the handler and invokes it once with the
scheduled event (events/scheduled.json at the given time), as the Lambda runtime does in a
new container.

    python benchmarks/cold_check.py 2026-11-25T08:00:00Z     (environment as the function's)
"""

import json
import sys
from pathlib import Path

import app

ROOT = Path(__file__).resolve().parents[1]
sys.path.append(str(ROOT))  # for the sandbox's Lambda context
from sandbox.lambda_context import LambdaContext  # noqa: E402

event = {**json.loads((ROOT / "events" / "scheduled.json").read_text()), "time": sys.argv[1]}
app.lambda_handler(event, LambdaContext())
