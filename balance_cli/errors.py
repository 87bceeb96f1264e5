"""Exit codes scripts can rely on, and the errors that carry them."""

OK = 0
FAILED = 1  # the command could not do its work (an AWS error, say)
USAGE = 2  # wrong arguments or configuration: no key, stack not found, no credentials
UNAVAILABLE = 3  # check: the account cannot serve API calls
KEY_REJECTED = 4  # check: the provider rejected the key
UNREADABLE = 5  # check: the balance could not be read
NOTHING_FOUND = 6  # history, report, digest: no checks in the range; silence expire: no such silence

EXIT_CODES_HELP = """exit codes:
  0  success
  1  the command failed (an AWS error, say)
  2  wrong arguments or configuration: no key, stack not found, no AWS credentials
  3  check: the account cannot serve API calls (as the provider says, or HTTP 402)
  4  check: the provider rejected the API key
  5  check: the balance could not be read
  6  history, report, digest: no checks in the range; silence expire: no such silence"""


class CommandError(Exception):
    """An error the command reports in one line, exiting with `code`."""

    code = FAILED

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class UsageError(CommandError):
    code = USAGE
