"""Secrets read from Secrets Manager through Powertools Parameters and cached for the
container: the DeepSeek API key (or keys, one per account), and the Slack webhook URL. A
secret's value never reaches a log, an error message or a record."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

from aws_lambda_powertools.utilities.parameters import SecretsProvider
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

from balance_monitor.adapters.aws import error_code
from balance_monitor.balance import Thresholds
from balance_monitor.errors import (
    ApiKeyError,
    ApiKeyMissingError,
    ConfigurationError,
    MonitorError,
    SlackConfigurationError,
)
from balance_monitor.providers import DEFAULT_PROVIDER, REGISTRY
from balance_monitor.settings import (
    DEFAULT_ACCOUNT,
    NUMERIC_SETTINGS,
    is_secure_url,
    levels_problem,
    parse_base_url,
    parse_critical_thresholds,
    parse_language,
    parse_number,
    parse_thresholds,
)

# The API key secret is read afresh at every invocation (app.py) and shared by its accounts'
# checks; the Slack webhook's (and the Slack app's signing secret) is kept a few minutes, so a
# burst of alerts reads it once and a corrected value is used within minutes.
INVOCATION_SECONDS = 15 * 60  # Lambda's longest invocation
WEBHOOK_CACHE_SECONDS = 5 * 60
_ACCOUNT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
# What an entry of the accounts secret may hold; anything else is a typo the user should hear of.
ACCOUNT_FIELDS = (
    "api_key",
    "provider",
    "base_url",
    "low_balance_threshold",
    "critical_balance_threshold",
    "runway_alert_days",
    "alert_language",
)
T = TypeVar("T")


@dataclass(frozen=True)
class AccountConfig:
    """One watched account, as the API key secret describes it."""

    name: str
    api_key: str | None = field(repr=False)  # None when the entry is unusable; `problem` says why
    thresholds: Thresholds | None = None  # None: the stack's LowBalanceThreshold
    runway_alert_days: Decimal | None = None  # None: the stack's RunwayAlertDays
    critical_thresholds: Thresholds | None = None  # None: the stack's CriticalBalanceThreshold
    provider: str = DEFAULT_PROVIDER  # a name in providers.REGISTRY
    base_url: str | None = None  # None: the provider's own (for DeepSeek, the stack's DeepSeekBaseUrl)
    alert_language: str | None = None  # None: the stack's AlertLanguage
    # Why the entry is unusable: a missing or unusable key (ApiKeyMissingError, so the account
    # is `key_rejected`), or a field that cannot be used (ConfigurationError: `misconfigured`).
    problem: ApiKeyMissingError | ConfigurationError | None = None


class CachedSecret(Generic[T]):
    def __init__(
        self,
        secret_id: str,
        provider: SecretsProvider,
        *,
        parse: Callable[[Any], T],
        error: type[MonitorError],
        label: str,
        max_age: int,
    ) -> None:
        self._max_age = max_age
        self._secret_id = secret_id
        self._provider = provider
        self._parse = parse
        self._error = error
        self._label = label
        self._parsed: tuple[Any, T] | None = None  # the last value read, and what it parsed to

    def get(self, *, refresh: bool = False) -> T:
        try:
            value = self._provider.get(self._secret_id, max_age=self._max_age, force_fetch=refresh)
        except GetParameterError as exc:
            code = error_code(exc.__cause__ or exc.__context__)
            raise self._error(f"could not read the {self._label} secret ({code})") from exc
        # Every account's check asks for its key: parse the secret once, not once per account.
        parsed = self._parsed
        if parsed is None or parsed[0] != value:
            parsed = self._parsed = (value, self._parse(value))
        return parsed[1]


def api_key_secret(secret_id: str, provider: SecretsProvider) -> CachedSecret[str]:
    return CachedSecret(
        secret_id, provider, parse=parse_api_key, error=ApiKeyError, label="API key", max_age=INVOCATION_SECONDS
    )


def accounts_secret(secret_id: str, provider: SecretsProvider) -> CachedSecret[dict[str, AccountConfig]]:
    return CachedSecret(
        secret_id, provider, parse=parse_accounts, error=ApiKeyError, label="API key", max_age=INVOCATION_SECONDS
    )


class AccountKey:
    """One account's key, from the accounts secret as this invocation read it."""

    def __init__(self, secret: CachedSecret[dict[str, AccountConfig]], account: str) -> None:
        self._secret = secret
        self._account = account

    def get(self) -> str:
        config = self._secret.get().get(self._account)
        if config is None:
            raise ApiKeyMissingError(f"account {self._account!r} is no longer in the API key secret")
        if config.problem is not None:
            raise type(config.problem)(*config.problem.args)  # a fresh one: the parsed secret is shared
        if config.api_key is None:
            raise ApiKeyMissingError("no API key")
        return config.api_key


def webhook_secret(secret_id: str, provider: SecretsProvider) -> CachedSecret[str]:
    return CachedSecret(
        secret_id,
        provider,
        parse=parse_webhook_url,
        error=SlackConfigurationError,
        label="Slack webhook",
        max_age=WEBHOOK_CACHE_SECONDS,
    )


def signing_secret(secret_id: str, provider: SecretsProvider) -> CachedSecret[str]:
    """The Slack app's signing secret, which proves a request to the snooze endpoint is Slack's."""
    return CachedSecret(
        secret_id,
        provider,
        parse=parse_signing_secret,
        error=SlackConfigurationError,
        label="Slack signing",
        max_age=WEBHOOK_CACHE_SECONDS,
    )


def parse_signing_secret(value: Any) -> str:
    """The secret holds it as a plain string or as JSON `{"signing_secret": "..."}`."""
    text = _secret_text(value, "signing_secret", "Slack signing", SlackConfigurationError)
    if not text.isascii() or not text.isprintable() or any(character.isspace() for character in text):
        raise SlackConfigurationError("the Slack signing secret contains spaces or characters that are not ASCII")
    return text


def parse_api_key(value: Any) -> str:
    """The secret holds the key as a plain string or as JSON `{"api_key": "..."}`."""
    text = _secret_text(value, "api_key", "API key", ApiKeyMissingError)
    if not text.isprintable() or any(character.isspace() for character in text):
        raise ApiKeyMissingError("the API key contains spaces or control characters")
    if not text.isascii():
        # It travels in an HTTP header: DeepSeek's keys are ASCII, anything else is a paste error.
        raise ApiKeyMissingError("the API key contains characters that are not ASCII (a paste error?)")
    return text


def parse_accounts(value: Any) -> dict[str, AccountConfig]:
    """A single key (plain, or `{"api_key": ...}`) is the account `default`; several accounts are
    `{"accounts": {"name": {"api_key": ..., "provider": ..., "base_url": ..., "low_balance_threshold": ...,
    "critical_balance_threshold": ..., "runway_alert_days": ..., "alert_language": ...}}}`.
    An unusable entry keeps its name and says what is wrong, so it alerts without hiding others."""
    document = _json_object(value)
    if document is None or "accounts" not in document:
        return {DEFAULT_ACCOUNT: AccountConfig(DEFAULT_ACCOUNT, parse_api_key(value))}
    entries = document["accounts"]
    if not isinstance(entries, Mapping) or not entries:
        raise ConfigurationError('the API key secret\'s "accounts" is not a map of account names to entries')
    return {str(name): _account(str(name), entry) for name, entry in entries.items()}


def _account(name: str, entry: Any) -> AccountConfig:
    language: str | None = None  # once read, an unusable entry's alert is written in it

    def unusable(problem: ApiKeyMissingError | ConfigurationError) -> AccountConfig:
        return AccountConfig(name[:64], None, problem=problem, alert_language=language)

    if not _ACCOUNT_NAME.fullmatch(name):
        return unusable(ConfigurationError("account names take letters, digits, '.', '_', '-' (64 at most)"))
    where = f"the secret's entry for {name!r}"
    if not isinstance(entry, Mapping):
        return unusable(ConfigurationError(f"{where} is not an object"))
    unknown = sorted(str(key) for key in entry if key not in ACCOUNT_FIELDS)
    if unknown:
        known = ", ".join(ACCOUNT_FIELDS)
        return unusable(ConfigurationError(f"{where} has unknown fields {', '.join(unknown)} (known: {known})"))
    if entry.get("alert_language") is not None:
        try:
            language = parse_language(str(entry["alert_language"]), "alert_language")
        except ConfigurationError as exc:
            return unusable(ConfigurationError(f"{where}: {exc}"))
    if not entry.get("api_key"):
        return unusable(ApiKeyMissingError(f"{where} has no API key"))
    try:
        key = parse_api_key(entry.get("api_key"))
    except ApiKeyMissingError as exc:
        return unusable(ApiKeyMissingError(f"{where}: {exc}"))
    threshold = entry.get("low_balance_threshold")
    critical = entry.get("critical_balance_threshold")
    runway = entry.get("runway_alert_days")
    provider = entry.get("provider", DEFAULT_PROVIDER)
    if not isinstance(provider, str) or provider not in REGISTRY:
        shown = repr(provider)[:40]
        return unusable(ConfigurationError(f'{where}: "provider" {shown} is not one of {", ".join(REGISTRY)}'))
    base_url = entry.get("base_url")
    try:
        config = AccountConfig(
            name,
            key,
            provider=provider,
            alert_language=language,
            base_url=parse_base_url(str(base_url), "base_url") if base_url is not None else None,
            thresholds=parse_thresholds(str(threshold), "low_balance_threshold") if threshold is not None else None,
            critical_thresholds=(
                parse_critical_thresholds(str(critical), "critical_balance_threshold") if critical is not None else None
            ),
            runway_alert_days=(
                parse_number("runway_alert_days", str(runway), NUMERIC_SETTINGS["RUNWAY_ALERT_DAYS"][1])
                if runway is not None
                else None
            ),
        )
    except ConfigurationError as exc:
        return unusable(ConfigurationError(f"{where}: {exc}"))
    # With one of the two levels here and the other the stack's, Settings.for_account judges them.
    if config.thresholds is not None and config.critical_thresholds is not None:
        clash = levels_problem(
            config.thresholds, config.critical_thresholds, "low_balance_threshold", "critical_balance_threshold"
        )
        if clash:
            return unusable(ConfigurationError(f"{where}: {clash}"))
    return config


def _json_object(value: Any) -> dict[str, Any] | None:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    if not isinstance(text, str) or not text.strip().startswith("{"):
        return None
    try:
        document = json.loads(text)
    except ValueError:
        return None  # parse_api_key says what is wrong, without quoting the value
    return document if isinstance(document, dict) else None


def parse_webhook_url(value: Any) -> str:
    """The secret holds the incoming-webhook URL as a plain string or as JSON `{"webhook_url": "..."}`."""
    url = _secret_text(value, "webhook_url", "Slack webhook", SlackConfigurationError)
    if not is_secure_url(url) or any(character.isspace() for character in url):
        # Never quote the value: the URL is the credential.
        raise SlackConfigurationError("the Slack webhook secret does not hold an https URL")
    return url


def _secret_text(value: Any, field: str, label: str, error: type[MonitorError]) -> str:
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            raise error(f"the {label} secret is not text") from None
    if not isinstance(value, str):
        raise error(f"the {label} secret is not text")
    text = value.strip()
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except ValueError:
            raise error(f"the {label} secret is not valid JSON") from None  # the error would quote it
        inner = document.get(field) if isinstance(document, dict) else None
        if not isinstance(inner, str):
            raise error(f'the {label} secret\'s JSON has no "{field}" string')
        text = inner.strip()
    if not text:
        raise error(f"the {label} secret is empty")
    return text
