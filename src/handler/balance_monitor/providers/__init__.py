"""The prepaid LLM APIs whose balance the monitor reads: one module each, registered below.

A provider is its endpoint and a pure function that turns a 200 answer into the BalanceReport
the rest of the monitor uses (adapters/balance_api.py does the HTTP, the same for all). A
module is imported only when an account names its provider, so a check of DeepSeek accounts
loads DeepSeek's alone. Adding a provider: docs/providers.md, "Adding a provider".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from urllib.parse import urlsplit

from balance_monitor.balance import BalanceReport

DEFAULT_PROVIDER = "deepseek"

# Name (as the accounts secret and `check --provider` give it) -> "module:attribute".
REGISTRY = {
    "deepseek": "deepseek:DEEPSEEK",
    "moonshot": "moonshot:MOONSHOT",
    "moonshot-global": "moonshot:MOONSHOT_GLOBAL",
    "siliconflow": "siliconflow:SILICONFLOW",
    "openrouter": "openrouter:OPENROUTER_CREDITS",
    "openrouter-key": "openrouter:OPENROUTER_KEY",
    "novita": "novita:NOVITA",
}


@dataclass(frozen=True)
class Provider:
    """A balance API: where it is, how it refuses a key, and how its answer is read."""

    name: str  # as REGISTRY and the accounts secret name it
    label: str  # as alerts, logs and the CLI name it
    base_url: str  # an account's `base_url` replaces it (a proxy, a regional twin, a simulator)
    path: str  # the balance endpoint, under the base URL
    # A 200 answer's body, and the currency of amounts the answer does not name -> the report;
    # raises ResponseFormatError for anything but the documented shape, and ConfigurationError
    # for an answer that shows the account set up wrongly (a key without a credit limit, say).
    parse: Callable[[bytes, str], BalanceReport]
    currency: str  # of the amounts, when the answer does not say
    key_variable: str  # where `deepseek-balance check --provider` finds the key
    rejected_statuses: frozenset[int] = frozenset({401})  # the key is wrong, revoked or not allowed
    currency_by_host: Mapping[str, str] = field(default_factory=dict)  # a twin that bills in another
    # What alerts tell the reader: where to top up and to manage keys, and, after the label, why
    # the answer means the account cannot serve API calls (a 402 says so by itself).
    top_up_url: str | None = None
    api_keys_url: str | None = None
    unavailable_reason: str = "reports the account cannot serve API calls"

    def currency_at(self, base_url: str) -> str:
        return self.currency_by_host.get(urlsplit(base_url).hostname or "", self.currency)


class UnknownProviderError(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"unknown provider {name!r}: use one of {', '.join(REGISTRY)}")


@cache
def provider(name: str) -> Provider:
    """The provider registered as `name`, its module imported at first use."""
    if name not in REGISTRY:
        raise UnknownProviderError(name)
    module, attribute = REGISTRY[name].split(":")
    found: Provider = getattr(import_module(f"{__name__}.{module}"), attribute)
    return found
