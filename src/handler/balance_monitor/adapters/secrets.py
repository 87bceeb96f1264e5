"""Secrets read from Secrets Manager through Powertools Parameters and cached for the
container: the DeepSeek API key, and the Slack webhook URL. A secret's value never reaches
a log, an error message or a record."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from aws_lambda_powertools.utilities.parameters import SecretsProvider
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

from balance_monitor.adapters.aws import error_code
from balance_monitor.errors import ApiKeyError, ApiKeyMissingError, MonitorError, SlackConfigurationError

# Read once per container in practice; a rejected key forces a fresh read (see check.py),
# so a rotated key is picked up at once without re-reading the secret on every check.
CACHE_SECONDS = 6 * 3600
_LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


class CachedSecret:
    def __init__(
        self,
        secret_id: str,
        provider: SecretsProvider,
        *,
        parse: Callable[[Any], str],
        error: type[MonitorError],
        label: str,
    ) -> None:
        self._secret_id = secret_id
        self._provider = provider
        self._parse = parse
        self._error = error
        self._label = label

    def get(self, *, refresh: bool = False) -> str:
        try:
            value = self._provider.get(self._secret_id, max_age=CACHE_SECONDS, force_fetch=refresh)
        except GetParameterError as exc:
            code = error_code(exc.__cause__ or exc.__context__)
            raise self._error(f"could not read the {self._label} secret ({code})") from exc
        return self._parse(value)


def api_key_secret(secret_id: str, provider: SecretsProvider) -> CachedSecret:
    return CachedSecret(secret_id, provider, parse=parse_api_key, error=ApiKeyError, label="API key")


def webhook_secret(secret_id: str, provider: SecretsProvider) -> CachedSecret:
    return CachedSecret(
        secret_id, provider, parse=parse_webhook_url, error=SlackConfigurationError, label="Slack webhook"
    )


def parse_api_key(value: Any) -> str:
    """The secret holds the key as a plain string or as JSON `{"api_key": "..."}`."""
    text = _secret_text(value, "api_key", "API key", ApiKeyMissingError)
    if not text.isprintable() or any(character.isspace() for character in text):
        raise ApiKeyMissingError("the API key contains spaces or control characters")
    return text


def parse_webhook_url(value: Any) -> str:
    """The secret holds the incoming-webhook URL as a plain string or as JSON `{"webhook_url": "..."}`."""
    url = _secret_text(value, "webhook_url", "Slack webhook", SlackConfigurationError)
    parts = urlsplit(url)
    secure = parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS)
    if not secure or not parts.hostname or any(character.isspace() for character in url):
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
