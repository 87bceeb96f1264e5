"""What went wrong in an AWS call, in a few words fit for a log line or a history record."""

from botocore.exceptions import BotoCoreError, ClientError

AWS_ERRORS = (ClientError, BotoCoreError)


def error_code(exc: BaseException | None) -> str:
    """`ThrottlingException`, `ResourceNotFoundException`, ... or the class of a non-AWS error."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "ClientError"))
    return type(exc).__name__
