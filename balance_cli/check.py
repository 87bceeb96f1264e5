"""`deepseek-balance check`: ask DeepSeek (or another provider) for the balance now."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from aws_lambda_powertools.utilities.parameters import SecretsProvider

from balance_cli import errors
from balance_cli.errors import CommandError, UsageError
from balance_cli.output import amount, exact_amounts, table
from balance_cli.stack import stack_outputs
from balance_monitor.adapters.balance_api import BalanceApiClient
from balance_monitor.adapters.secrets import AccountConfig, accounts_secret, parse_api_key
from balance_monitor.balance import BalanceReport
from balance_monitor.errors import (
    ApiKeyError,
    BalanceFetchError,
    ConfigurationError,
    InsufficientBalanceError,
    KeyRejectedError,
)
from balance_monitor.providers import DEFAULT_PROVIDER, Provider, UnknownProviderError, provider
from balance_monitor.settings import DEFAULT_ACCOUNT, DEFAULT_BASE_URL, parse_base_url

TIMEOUT_SECONDS = 30


def chosen_provider(name: str) -> Provider:
    try:
        return provider(name)
    except UnknownProviderError as exc:
        raise UsageError(f"--provider: {exc}") from None


def api_key(key_file: Path | None, source: Provider | None = None) -> str:
    """From a file, or from the provider's variable (DEEPSEEK_API_KEY for DeepSeek)."""
    variable = (source or provider(DEFAULT_PROVIDER)).key_variable
    if key_file:
        try:
            return parse_api_key(key_file.read_text())
        except (OSError, ApiKeyError) as exc:
            raise UsageError(f"cannot read the API key: {exc}") from None
    key = os.environ.get(variable, "").strip()
    if not key:
        raise UsageError(f"no API key: set {variable}, or pass --key-file FILE or --stack NAME")
    try:
        return parse_api_key(key)
    except ApiKeyError as exc:
        raise UsageError(f"{variable} holds no usable key ({exc})") from None


def stack_account(stack: str, account: str | None) -> AccountConfig:
    """One account of the deployed stack's secret, with its key, provider and address (a
    single key is the account `default`)."""
    secret_arn = stack_outputs(stack).secret_arn
    if not secret_arn:
        raise UsageError(f"stack {stack!r} has no ApiKeySecretArn output")
    try:
        accounts = accounts_secret(secret_arn, SecretsProvider()).get()
    except (ApiKeyError, ConfigurationError) as exc:
        raise UsageError(f"cannot read the API key: {exc}") from None
    name = account or DEFAULT_ACCOUNT
    config = accounts.get(name)
    if config is None:
        raise UsageError(
            f"the stack's secret has no account {name!r}; it has {', '.join(sorted(accounts))} (--account)"
        )
    if config.problem is not None or not config.api_key:
        raise UsageError(f"account {name!r} in the stack's secret cannot be used: {config.problem or 'no API key'}")
    return config


def check_base_url(base_url: str, name: str = "--base-url") -> str:
    """The address, judged; `name` is where it came from, for the error."""
    try:
        return parse_base_url(base_url, name)
    except ConfigurationError as exc:
        raise UsageError(str(exc)) from None


def check(key: str, base_url: str | None, source: Provider | None = None) -> BalanceReport:
    """The balance, read from `source` (DeepSeek by default) at `base_url`, else at DeepSeek's
    DEEPSEEK_BASE_URL or the provider's own address."""
    source = source or provider(DEFAULT_PROVIDER)
    if base_url:
        url = check_base_url(base_url)
    elif source.name != DEFAULT_PROVIDER:
        url = source.base_url
    else:
        url = check_base_url(os.environ.get("DEEPSEEK_BASE_URL") or DEFAULT_BASE_URL, "DEEPSEEK_BASE_URL")
    client = BalanceApiClient()
    try:
        return client.fetch_balance(key, time.monotonic() + TIMEOUT_SECONDS, provider=source, base_url=url)
    except KeyRejectedError as exc:
        raise CommandError(f"{exc}: check the key", errors.KEY_REJECTED) from None
    except InsufficientBalanceError as exc:
        where = f": top up at {source.top_up_url}" if source.top_up_url else ": top up the account"
        raise CommandError(f"{exc}{where}", errors.UNAVAILABLE) from None
    except ConfigurationError as exc:
        raise CommandError(f"the balance cannot be watched this way: {exc}", errors.USAGE) from None
    except BalanceFetchError as exc:
        raise CommandError(f"could not read the balance: {exc}", errors.UNREADABLE) from None


def report_json(report: BalanceReport) -> dict[str, Any]:
    return {
        "is_available": report.is_available,
        "balances": [{"currency": currency, **exact_amounts(balance)} for currency, balance in report.balances.items()],
    }


def report_table(report: BalanceReport) -> str:
    rows = [
        [currency, amount(balance.total), amount(balance.granted), amount(balance.topped_up)]
        for currency, balance in report.balances.items()
    ]
    available = "yes" if report.is_available else "NO: API calls are refused; top up the account"
    return table(["currency", "total", "granted", "topped up"], rows) + f"\navailable: {available}"
