"""What every AWS client here shares: timeouts and retries, and errors told in a few words
fit for a log line or a history record."""

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

# Standard retry mode backs off on throttling; the timeouts keep a slow call inside Lambda's;
# the pool lets every account checked at once (app.MAX_CONCURRENT_CHECKS) keep its connection.
CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 4}, connect_timeout=3, read_timeout=5, max_pool_connections=32
)
AWS_ERRORS = (ClientError, BotoCoreError)


def error_code(exc: BaseException | None) -> str:
    """`ThrottlingException`, `ResourceNotFoundException`, ... or the class of a non-AWS error."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "ClientError"))
    return type(exc).__name__
