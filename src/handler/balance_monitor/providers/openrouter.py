"""OpenRouter, in USD, two ways (both documented):

- "openrouter", the whole account: `GET /v1/credits` with a management key (an inference key
  is refused), `{"data": {"total_credits": 100.5, "total_usage": 25.75}}`. total =
  total_credits - total_usage, which usage past the credits can take below zero; no
  granted/topped-up split; is_available true (an account that cannot serve answers 402).
- "openrouter-key", one key's credit limit: `GET /v1/key` with that key, `{"data": {"limit":
  100, "limit_remaining": 74.25, "usage": 25.75, ...}}`. total = limit_remaining (may be
  negative), is_available = limit_remaining > 0. A key without a limit (`limit: null`) has no
  balance to watch: that is a ConfigurationError, not a read.
"""

from balance_monitor.balance import BalanceReport, CurrencyBalance, json_object, object_field, required_amount
from balance_monitor.errors import ConfigurationError
from balance_monitor.providers import Provider


def _parse_credits(body: bytes, currency: str) -> BalanceReport:
    data = object_field(json_object(body), "data")
    bought = required_amount(data, "total_credits", "data")
    usage = required_amount(data, "total_usage", "data")
    return BalanceReport(is_available=True, balances={currency: CurrencyBalance(currency, bought - usage)})


def _parse_key(body: bytes, currency: str) -> BalanceReport:
    data = object_field(json_object(body), "data")
    if "limit" in data and data["limit"] is None:
        raise ConfigurationError(
            "this OpenRouter key has no credit limit, so it has no balance to watch: use provider "
            '"openrouter" with a management key for the whole account, or set a credit limit on the key'
        )
    required_amount(data, "limit", "data")  # there and well formed, though only what is left is reported
    remaining = required_amount(data, "limit_remaining", "data", negative=True)
    return BalanceReport(is_available=remaining > 0, balances={currency: CurrencyBalance(currency, remaining)})


OPENROUTER_CREDITS = Provider(
    name="openrouter",
    label="OpenRouter",
    base_url="https://openrouter.ai/api",
    path="/v1/credits",
    parse=_parse_credits,
    currency="USD",
    key_variable="OPENROUTER_API_KEY",  # a management key
    rejected_statuses=frozenset({401, 403}),  # 403: an inference key, not a management key
)

OPENROUTER_KEY = Provider(
    name="openrouter-key",
    label="OpenRouter",
    base_url="https://openrouter.ai/api",
    path="/v1/key",
    parse=_parse_key,
    currency="USD",
    key_variable="OPENROUTER_API_KEY",
    rejected_statuses=frozenset({401, 403}),
    unavailable_reason="reports the key's credit limit used up (limit_remaining at or below zero)",
)
