"""`deepseek-balance setup` and `test-alert`: put the API key in a deployed stack's secret (checked
with DeepSeek first) and watch the function use it; send a test notification through the alert
topic to every subscriber."""

from __future__ import annotations

import getpass
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3

from balance_cli import errors
from balance_cli.check import check, check_base_url, chosen_provider
from balance_cli.errors import CommandError, UsageError
from balance_cli.stack import StackOutputs, function_variable, invoke_function, stack_outputs
from balance_monitor.adapters.alert_topic import AlertTopic
from balance_monitor.adapters.secrets import ACCOUNT_FIELDS, parse_api_key
from balance_monitor.alert_messages import test_alert
from balance_monitor.errors import ApiKeyError
from balance_monitor.providers import DEFAULT_PROVIDER
from balance_monitor.settings import DEFAULT_ACCOUNT
from balance_monitor.texts import DEFAULT_LANGUAGE


def read_key(key_file: Path | None) -> str:
    """From a file, else typed without echo (or piped in)."""
    try:
        if key_file:
            return parse_api_key(key_file.read_text())
        text = getpass.getpass("DeepSeek API key (typing is hidden): ") if sys.stdin.isatty() else sys.stdin.readline()
        return parse_api_key(text)
    except OSError as exc:
        raise UsageError(f"--key-file {key_file}: {exc.strerror or exc}") from None
    except ApiKeyError as exc:
        raise UsageError(f"no usable API key given ({exc})") from None


def with_account_key(current: str, key: str, account: str | None, **fields: str) -> str:
    """The secret's new value: `key` (and `fields`, a provider say) for `account` (None: the
    single-key form), every other account and field kept as it was."""
    document = _json(current)
    entries = document.get("accounts") if document else None
    if isinstance(entries, dict):
        if account is None:
            raise UsageError("the stack's secret holds several accounts: say which with --account NAME")
        entry = entries.get(account)
        kept = (
            {name: value for name, value in entry.items() if name in ACCOUNT_FIELDS} if isinstance(entry, dict) else {}
        )
        return json.dumps({**document, "accounts": {**entries, account: {**kept, **fields, "api_key": key}}})
    if (account is None or account == DEFAULT_ACCOUNT) and not fields:
        return json.dumps({"api_key": key})
    # From the single-key form to several accounts: a key already there stays, as `default`.
    try:
        accounts = {DEFAULT_ACCOUNT: {"api_key": parse_api_key(current)}}
    except ApiKeyError:
        accounts = {}
    return json.dumps({"accounts": {**accounts, account or DEFAULT_ACCOUNT: {**fields, "api_key": key}}})


def setup(
    stack: str, account: str | None, key_file: Path | None, base_url: str | None, provider_name: str = DEFAULT_PROVIDER
) -> int:
    source = chosen_provider(provider_name)
    if base_url:
        check_base_url(base_url)  # before AWS is asked anything
    outputs = stack_outputs(stack)
    if not outputs.secret_arn or not outputs.function_name:
        raise UsageError(f"stack {stack!r} lacks the ApiKeySecretArn or BalanceCheckFunctionName output")
    key = read_key(key_file)
    if source.name == DEFAULT_PROVIDER:
        fields = {}
        base_url = base_url or function_variable(outputs.function_name, "DEEPSEEK_BASE_URL")
    else:  # the account names its provider, and its own address if one was given
        fields = {"provider": source.name, **({"base_url": base_url} if base_url else {})}
    try:
        report = check(key, base_url, source)
        totals = ", ".join(f"{currency} {balance.total}" for currency, balance in report.balances.items())
        print(f"{source.label} accepts the key: {totals}.")
    except CommandError as exc:
        if exc.code != errors.UNAVAILABLE:
            raise  # a rejected key, or the provider unreachable: nothing is stored
        print(f"{source.label} accepts the key, but {exc}.")  # 402: the monitor will say so until a top-up
    secrets = boto3.client("secretsmanager")
    current = secrets.get_secret_value(SecretId=outputs.secret_arn).get("SecretString", "")
    new_value = with_account_key(current, key, account, **fields)
    secrets.put_secret_value(SecretId=outputs.secret_arn, SecretString=new_value)
    print(f"Stored it in the stack's secret{f' as account {account}' if account else ''}.")
    return _check_once(outputs)


def _check_once(outputs: StackOutputs) -> int:
    """Invoke the function as its schedule does, and say what it found."""
    result, failed = invoke_function(str(outputs.function_name))
    if failed:
        message = result.get("errorMessage") if isinstance(result, dict) else result
        raise CommandError(f"the function ran and failed: {message}")
    for summary in result.get("accounts", [result]):
        sent = f"; {summary['notification']} sent" if summary.get("notification") else ""
        print(f"The function checked account {summary['account']}: {summary['outcome']}, {summary['status']}{sent}.")
    return errors.OK


def send_test_alert(stack: str, account: str, language: str = DEFAULT_LANGUAGE) -> int:
    outputs = stack_outputs(stack)
    if not outputs.topic_arn:
        raise UsageError(f"stack {stack!r} has no AlertTopicArn output")
    sns = boto3.client("sns")
    message_id = AlertTopic(sns, outputs.topic_arn).publish(
        test_alert(account=account, sent_at=datetime.now(UTC), provider_name=DEFAULT_PROVIDER, language=language)
    )
    print(f"Sent a test notification (message {message_id}). Subscribers of the alert topic:")
    for line in _subscriptions(sns, outputs.topic_arn):
        print(f"  {line}")
    return errors.OK


def _subscriptions(sns: Any, topic_arn: str) -> list[str]:
    lines = []
    for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn):
        for subscription in page["Subscriptions"]:
            endpoint = subscription["Endpoint"] if subscription["Protocol"] == "email" else ""
            pending = subscription["SubscriptionArn"] == "PendingConfirmation"
            note = "not confirmed yet: open the mail SNS sent and confirm" if pending else "gets it within a minute"
            lines.append(f"{subscription['Protocol']} {endpoint}".rstrip() + f": {note}")
    return lines or ["none: subscribe an email (AlertEmail), Slack or anything SNS reaches"]


def _json(text: str) -> dict[str, Any] | None:
    try:
        document = json.loads(text)
    except ValueError:
        return None
    return document if isinstance(document, dict) else None
