"""One cold invocation: a fresh process imports a function's module and invokes its
`lambda_handler` once with the scheduled event (events/scheduled.json at the given time), as
the Lambda runtime does in a new container. The module is `app` (the balance check) or
`floor` (floor.py), so both pay the same for being invoked.

    python benchmarks/cold_check.py app 2026-11-25T08:00:00Z     (environment as the function's)
"""

import importlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path += [str(ROOT / "benchmarks"), str(ROOT)]  # for the floor, and the sandbox's Lambda context
function = importlib.import_module(sys.argv[1])

from sandbox.lambda_context import LambdaContext  # noqa: E402

event = {**json.loads((ROOT / "events" / "scheduled.json").read_text()), "time": sys.argv[2]}
function.lambda_handler(event, LambdaContext())
