"""The project's own exceptions. Adapters raise these `from` the library error they wrap."""


class MonitorError(Exception):
    """Base class for every error the monitor raises on purpose."""


class ConfigurationError(MonitorError):
    """A setting is missing or invalid; the message names the variable and the value."""


class EventTimeError(MonitorError):
    """The invoking event's `time` is unreadable, or ahead of the function's clock."""


class DigestRequestError(MonitorError):
    """A digest event asks for something the digest cannot do (a period of 0 days, say)."""


class ApiKeyError(MonitorError):
    """The API key could not be read from Secrets Manager."""


class ApiKeyMissingError(ApiKeyError):
    """The secret was read but holds no usable API key (empty, or JSON without `api_key`)."""


class RetryableError(MonitorError):
    """A failure worth retrying: 429, 5xx, a timeout or a broken connection."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after  # seconds the server asked for, when it said


class BalanceFetchError(MonitorError):
    """The balance could not be read from DeepSeek."""


class KeyRejectedError(BalanceFetchError):
    """DeepSeek answered 401: the API key is wrong or revoked. Retrying cannot help."""


class InsufficientBalanceError(BalanceFetchError):
    """DeepSeek answered 402: the account cannot serve API calls."""


class UpstreamError(BalanceFetchError):
    """DeepSeek could not be reached or answered with an error status."""


class TransientUpstreamError(UpstreamError, RetryableError):
    """DeepSeek failed in a way worth retrying."""


class ResponseFormatError(BalanceFetchError):
    """DeepSeek answered 200 with a body the monitor cannot trust."""


class HistoryStoreError(MonitorError):
    """The history table could not be read or written."""


class SilenceError(MonitorError):
    """A silence cannot be made or ended as asked; the message says why, in a user's terms."""


class UnknownSilenceError(SilenceError):
    """No silence of that id is kept for the account."""


class AlertDeliveryError(MonitorError):
    """An alert could not be published; it stays pending and is sent on the next attempt."""


class SlackDeliveryError(MonitorError):
    """A message could not be posted to Slack; Lambda retries, then keeps it in a queue."""


class SlackConfigurationError(SlackDeliveryError):
    """The webhook secret holds no usable Slack webhook URL."""


class TransientSlackError(SlackDeliveryError, RetryableError):
    """Slack failed in a way worth retrying."""


class SlackRequestError(MonitorError):
    """A request to the snooze endpoint is refused: 401 when it is not proved to be Slack's,
    400 when it is not a snooze button's click."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class AccountsFailedError(MonitorError):
    """Some accounts' checks failed; the others were done. Lambda's retry redoes only those."""


class CheckFailedError(MonitorError):
    """The check was recorded as failed; raised so that Lambda counts an error and retries."""


class DestinationsConfigurationError(MonitorError):
    """The notification destinations secret cannot be read or holds no list of destinations.
    Its messages never quote a URL: a destination's URL is its credential."""


class DeliveryError(MonitorError):
    """A destination did not take a message; the notifier keeps it in the undelivered queue."""


class TransientDeliveryError(DeliveryError, RetryableError):
    """A destination failed in a way worth retrying: 429, 5xx, a timeout or a broken connection."""
