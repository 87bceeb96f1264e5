"""A Lambda context object with the attributes the handler and Powertools read, and an
invocation of the handler that keeps what it writes."""

from __future__ import annotations

import contextlib
import io
import time
import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass
class LambdaContext:
    timeout_seconds: float = 60.0
    function_name: str = "balance-check"
    memory_limit_in_mb: int = 128
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:balance-check"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    _started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self._started)) * 1000))


def invoke_keeping_output(event: dict[str, Any], output: io.StringIO) -> dict[str, Any]:
    """Invoke the handler as Lambda would; what it writes (the JSON logs and metrics that
    CloudWatch would receive) goes to `output` rather than to the terminal."""
    import app
    from balance_monitor.observability import logger

    terminal = logger.registered_handler.setStream(output)
    try:
        with contextlib.redirect_stdout(output):
            return app.lambda_handler(event, LambdaContext())
    finally:
        logger.registered_handler.setStream(terminal)
