"""The DeepSeek API key, read from Secrets Manager through Powertools Parameters and
cached for the container. The value never reaches a log, an error message or a record."""

from __future__ import annotations

import json

from aws_lambda_powertools.utilities.parameters import SecretsProvider
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

from balance_monitor.adapters.aws_errors import error_code
from balance_monitor.errors import ApiKeyError, ApiKeyMissingError

# Read once per container in practice; a rejected key forces a fresh read (see check.py),
# so a rotated key is picked up at once without re-reading the secret on every check.
KEY_CACHE_SECONDS = 6 * 3600


class ApiKeySecret:
    def __init__(self, secret_id: str, provider: SecretsProvider) -> None:
        self._secret_id = secret_id
        self._provider = provider

    def get(self, *, refresh: bool = False) -> str:
        try:
            value = self._provider.get(self._secret_id, max_age=KEY_CACHE_SECONDS, force_fetch=refresh)
        except GetParameterError as exc:
            code = error_code(exc.__cause__ or exc.__context__)
            raise ApiKeyError(f"could not read the API key secret ({code})") from exc
        return parse_api_key(value)


def parse_api_key(value: str | bytes | dict | None) -> str:
    """The secret holds the key as a plain string or as JSON `{"api_key": "..."}`."""
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiKeyMissingError("the API key secret is not text") from None
    if not isinstance(value, str):
        raise ApiKeyMissingError("the API key secret is not text")
    text = value.strip()
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except ValueError:
            raise ApiKeyMissingError("the API key secret is not valid JSON") from None  # the error quotes it
        key = document.get("api_key") if isinstance(document, dict) else None
        if not isinstance(key, str):
            raise ApiKeyMissingError('the API key secret\'s JSON has no "api_key" string')
        text = key.strip()
    if not text:
        raise ApiKeyMissingError("the API key secret is empty")
    if not text.isprintable() or any(character.isspace() for character in text):
        raise ApiKeyMissingError("the API key contains spaces or control characters")
    return text
