"""One cold check: a fresh process imports the handler and invokes it once with a scheduled
event, as the Lambda runtime does in a new container.

    python benchmarks/cold_check.py 2026-11-25T08:00:00Z     (environment as the function's)
"""

import sys
import time
import uuid

import app


class Context:
    """The attributes of the Lambda context that the handler and Powertools read."""

    function_name = "balance-check"
    memory_limit_in_mb = 128
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:balance-check"
    aws_request_id = str(uuid.uuid4())
    deadline = time.monotonic() + 60

    def get_remaining_time_in_millis(self) -> int:
        return int((self.deadline - time.monotonic()) * 1000)


app.lambda_handler(
    {"detail-type": "Scheduled Event", "source": "aws.events", "time": sys.argv[1], "detail": {}}, Context()
)
