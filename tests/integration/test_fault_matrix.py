"""Every outside dependency failing, one case a row, each with what a user would find after
one scheduled check: the history record, the alert state, the alert, what Lambda sees, and
the log line. docs/operations.md's "Failure behaviour" table is this list, row for row (tested below).

Starting point of every case: a new stack, DeepSeek answering CNY 110.00, threshold 10. The
other providers' rows watch one account of that provider instead, its simulator answering
110.00 in the provider's currency: the faults of the HTTP exchange, then those of its answer."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from aws_lambda_powertools.utilities.parameters import SecretsProvider

from balance_monitor.adapters.alert_topic import AlertTopic
from balance_monitor.adapters.history_table import HistoryTable
from balance_monitor.adapters.secrets import accounts_secret
from balance_monitor.errors import MonitorError
from balance_monitor.providers import REGISTRY, provider
from sandbox.deepseek_simulator import Reply
from sandbox.provider_simulators import SIMULATORS

from .conftest import API_KEY, FailingClient, Monitor

AT = "2026-11-25T08:00:00Z"
OPERATIONS = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


@dataclass(frozen=True)
class Case:
    dependency: str
    fault: str
    inject: Callable[[Monitor], None]
    recorded: str  # the check's outcome in history, "nothing" when no record could be written
    state: str  # the account's alert state after the check
    alert: str  # the state alerted, or "none"
    lambda_sees: str  # the exception the invocation ends with, or "success"
    log: str  # the message of the log line the check leaves
    detail: str = ""  # what the record says went wrong
    provider: str = "deepseek"  # whose balance the account is

    def row(self) -> str:
        recorded = f"{self.recorded}: {self.detail}" if self.detail else self.recorded
        cells = [self.dependency, self.fault, recorded, self.state, self.alert, self.lambda_sees, self.log]
        return "| " + " | ".join(cells) + " |"


def replies(*answers: Reply) -> Callable[[Monitor], None]:
    return lambda monitor: monitor.deepseek.then(*answers)


def body(**document: object) -> bytes:
    return json.dumps({"is_available": True, **document}).encode()


def entries(*balance_infos: dict) -> bytes:
    return body(balance_infos=list(balance_infos))


def hang(monitor: Monitor) -> None:
    monitor.configure(read_timeout=0.3)
    monitor.deepseek.then(*[Reply(delay_seconds=1.0)] * 4)


def trickle(monitor: Monitor) -> None:
    monitor.configure(read_timeout=0.3, connect_timeout=0.2)
    monitor.deepseek.then(*[Reply(trickle_seconds=0.05)] * 4)


def refuse(monitor: Monitor) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    monitor.configure(DeepSeekBaseUrl=f"http://127.0.0.1:{closed_port}")


def secret_value(value: str) -> Callable[[Monitor], None]:
    return lambda monitor: monitor.stack.put_api_key(value)


def delete_secret(monitor: Monitor) -> None:
    boto3.client("secretsmanager").delete_secret(SecretId=monitor.stack.secret_arn, ForceDeleteWithoutRecovery=True)


def secrets_manager_fails(code: str) -> Callable[[Monitor], None]:
    def inject(monitor: Monitor) -> None:
        # Failing for the whole invocation, as a denied or throttled read does after botocore's retries.
        client = FailingClient(boto3.client("secretsmanager"), "get_secret_value", code, times=10)
        secret = accounts_secret(monitor.stack.secret_arn, SecretsProvider(boto3_client=client))
        monitor.replace(accounts=secret)

    return inject


def dynamodb_fails(operation: str, code: str, **response: object) -> Callable[[Monitor], None]:
    def inject(monitor: Monitor) -> None:
        client = FailingClient(boto3.client("dynamodb"), operation, code, **response)
        monitor.replace(history=HistoryTable(client, monitor.stack.table_name))

    return inject


def sns_fails(monitor: Monitor) -> None:
    monitor.configure(LowBalanceThreshold="CNY=500")  # so that an alert is due
    client = FailingClient(boto3.client("sns"), "publish", "InternalError")
    monitor.replace(alerts=AlertTopic(client, monitor.stack.topic_arn))


CHECKED, FAILED = "balance checked", "balance check failed"
MISCONFIGURED = "the monitor's configuration is unusable"
NOT_RECORDED, NOT_PUBLISHED = "the check could not be recorded", "alert could not be published"
CONDITION_FAILED = {"CancellationReasons": [{"Code": "None"}, {"Code": "ConditionalCheckFailed"}]}


def failed(fault: str, inject: Callable[[Monitor], None], detail: str, dependency: str = "DeepSeek") -> Case:
    """One unreadable balance: recorded as failed, alerting nobody; Lambda retries the check."""
    return Case(dependency, fault, inject, "failed", "healthy", "none", "CheckFailedError", FAILED, detail)


def secret_unreadable(fault: str, inject: Callable[[Monitor], None], code: str) -> Case:
    return failed(fault, inject, f"could not read the API key secret ({code})", "Secrets Manager")


MATRIX = [
    Case(
        "DeepSeek",
        "401 key rejected",
        secret_value("sk-revoked-0000"),
        "key_rejected",
        "key_rejected",
        "key_rejected",
        "success",
        CHECKED,
        "DeepSeek rejected the API key (HTTP 401)",
    ),
    Case(
        "DeepSeek",
        "402 insufficient balance",
        replies(Reply(402)),
        "insufficient_balance",
        "unavailable",
        "unavailable",
        "success",
        CHECKED,
        "DeepSeek reports insufficient balance (HTTP 402)",
    ),
    failed("403 forbidden", replies(Reply(403)), "DeepSeek answered HTTP 403"),
    failed("404 not found", replies(Reply(404)), "DeepSeek answered HTTP 404"),
    failed(
        "302 redirect elsewhere (not followed)",
        replies(Reply(302, headers={"Location": "http://127.0.0.1:9/steal"})),
        "DeepSeek answered HTTP 302",
    ),
    Case(
        "DeepSeek", "429 once, Retry-After: 2", replies(Reply(429, headers={"Retry-After": "2"})),
        "ok", "healthy", "none", "success", CHECKED,
    ),
    failed("429 on every attempt, no Retry-After", replies(*[Reply(429)] * 4), "DeepSeek answered HTTP 429"),
    failed("500 on every attempt", replies(*[Reply(500)] * 4), "DeepSeek answered HTTP 500"),
    failed("502 on every attempt", replies(*[Reply(502)] * 4), "DeepSeek answered HTTP 502"),
    failed("503 on every attempt", replies(*[Reply(503)] * 4), "DeepSeek answered HTTP 503"),
    Case(
        "DeepSeek", "503 once", replies(Reply(503)), "ok", "healthy", "none", "success", CHECKED
    ),
    failed("no answer (timeout)", hang, "DeepSeek did not answer in time"),
    failed("connection refused", refuse, "the connection to DeepSeek failed"),
    failed("answer trickles in", trickle, "DeepSeek's answer arrived too slowly"),
    failed(
        "body over 64 KiB",
        replies(Reply(200, body(padding="x" * 200_000))),
        "response body is too large (200037 bytes)",
    ),
    failed("HTML from a proxy", replies(Reply(200, b"<html>Bad gateway</html>")), "response is not valid JSON"),
    failed("truncated JSON", replies(Reply(200, body()[:-9])), "response is not valid JSON"),
    failed(
        "connection cut mid-body",
        replies(*[Reply(200, body()[:20], declared_length=400)] * 4),
        "the connection to DeepSeek failed",
    ),
    failed(
        "JSON of the wrong types",
        replies(Reply(200, b'{"is_available": "yes", "balance_infos": {}}')),
        "is_available is missing or not true/false",
    ),
    failed(
        "NaN amount",
        replies(Reply(200, entries({"currency": "CNY", "amount": float("nan")}))),
        "response contains NaN",
    ),
    failed(
        "Infinity amount",
        replies(Reply(200, entries({"currency": "CNY", "total_balance": "Infinity"}))),
        "balance_infos[0].total_balance is not a number",
    ),
    failed(
        "negative amount",
        replies(Reply(200, entries({"currency": "CNY", "total_balance": "-3.00"}))),
        "balance_infos[0].total_balance is negative",
    ),
    failed(
        "absurdly large amount",
        replies(Reply(200, entries({"currency": "CNY", "total_balance": "100000000000000"}))),
        "balance_infos[0].total_balance is implausibly large",
    ),
    failed(
        "an amount finer than money (1e-200)",
        replies(Reply(200, b'{"is_available": true, "balance_infos": [{"currency": "CNY", "amount": 1e-200}]}')),
        "balance_infos[0].amount has more than 10 decimal places",
    ),
    failed(
        "an amount of 40 digits",
        replies(Reply(200, b'{"is_available": true, "balance_infos": [{"currency": "CNY", "amount": '
                      b'12345678901.12345678901234567890123456789}]}')),
        "balance_infos[0].amount has more than 10 decimal places",
    ),
    failed("empty balance_infos", replies(Reply(200, entries())), "balance_infos is missing or empty"),
    failed(
        "unknown currency",
        replies(Reply(200, entries({"currency": "EUR", "total_balance": "5.00"}))),
        "balance_infos[0] has unknown currency 'EUR'",
    ),
    failed(
        "the same currency twice",
        replies(Reply(200, entries({"currency": "CNY", "amount": 1}, {"currency": "CNY", "amount": 2}))),
        "currency CNY appears twice in balance_infos",
    ),
    secret_unreadable("secret missing", delete_secret, "ResourceNotFoundException"),
    secret_unreadable("access denied", secrets_manager_fails("AccessDeniedException"), "AccessDeniedException"),
    secret_unreadable("throttled", secrets_manager_fails("ThrottlingException"), "ThrottlingException"),
    Case(
        "Secrets Manager", "empty value", secret_value("   "),
        "key_rejected", "key_rejected", "key_rejected", "success", CHECKED,
        "the API key secret is empty",
    ),
    Case(
        "Secrets Manager", "JSON without api_key", secret_value('{"key": "sk-misnamed"}'),
        "key_rejected", "key_rejected", "key_rejected", "success", CHECKED,
        'the API key secret\'s JSON has no "api_key" string',
    ),
    Case(
        "Secrets Manager", "an account's field unusable",
        secret_value(json.dumps({"accounts": {"default": {"api_key": API_KEY, "runway_alert_days": "soon"}}})),
        "misconfigured", "misconfigured", "misconfigured", "success", MISCONFIGURED,
        "the secret's entry for 'default': runway_alert_days='soon' is invalid: expected a number from 0.1 to 365",
    ),
    Case(
        "Lambda", "a setting unusable (edited in the console)", lambda monitor: monitor.configure(RunwayAlertDays="0"),
        "misconfigured", "misconfigured", "misconfigured", "success", MISCONFIGURED,
        "RunwayAlertDays: RUNWAY_ALERT_DAYS='0' is invalid: expected a number from 0.1 to 365",
    ),
    Case(
        "DynamoDB", "throttled reading the state",
        dynamodb_fails("get_item", "ProvisionedThroughputExceededException"),
        "nothing", "healthy", "none", "HistoryStoreError", NOT_RECORDED,
    ),
    Case(
        "DynamoDB", "throttled writing the check", dynamodb_fails("transact_write_items", "ThrottlingException"),
        "nothing", "healthy", "none", "HistoryStoreError", NOT_RECORDED,
    ),
    Case(
        "DynamoDB", "conditional check fails (a racing invocation)",
        dynamodb_fails("transact_write_items", "TransactionCanceledException", **CONDITION_FAILED),
        "ok", "healthy", "none", "success", CHECKED,
    ),
    Case(
        "DynamoDB", "service unavailable", dynamodb_fails("get_item", "InternalServerError"),
        "nothing", "healthy", "none", "HistoryStoreError", NOT_RECORDED,
    ),
    Case(
        "SNS", "publish fails while an alert is due", sns_fails,
        "ok", "healthy", "none", "AlertDeliveryError", NOT_PUBLISHED,
        "could not publish the alert (InternalError)",
    ),
]  # fmt: skip


def watch_provider(monitor: Monitor, name: str, key: str = API_KEY) -> None:
    """The stack's one account is of provider `name`, read at its simulator (monitor.deepseek)."""
    entry = {"api_key": key, "provider": name, "base_url": monitor.deepseek.base_url}
    monitor.stack.put_api_key(json.dumps({"accounts": {"default": entry}}))


def answers(document: dict[str, object]) -> Callable[[Monitor], None]:
    return replies(Reply(200, json.dumps(document).encode()))


MOONSHOT_FAULTS = [  # (fault, answer, detail), for both Moonshot twins
    ("an error code in a 200 answer", {"code": 401, "scode": "0x1", "status": False, "data": None},
     "code is 401, not 0: the answer reports an error"),
    ("an amount that is not a number",
     {"code": 0, "scode": "0x0", "status": True,
      "data": {"available_balance": "ten", "voucher_balance": 0, "cash_balance": 0}},
     "data.available_balance is not a number"),
]  # fmt: skip
ANSWER_FAULTS = {
    "moonshot": MOONSHOT_FAULTS,
    "moonshot-global": MOONSHOT_FAULTS,
    "siliconflow": [
        ("an error code in a 200 answer", {"code": 30001, "message": "Insufficient", "status": False, "data": None},
         "code is 30001, not 20000: the answer reports an error"),
        ("an amount that is not a number",
         {"code": 20000, "message": "OK", "status": True,
          "data": {"balance": "0", "chargeBalance": "1e400", "totalBalance": "1e400"}},
         "data.totalBalance is not a number"),
    ],
    "openrouter": [
        ("an error in a 200 answer", {"error": {"code": 500, "message": "Internal Server Error"}},
         "data is missing or not an object"),
        ("an amount that is not a number", {"data": {"total_credits": "lots", "total_usage": 0}},
         "data.total_credits is not a number"),
    ],
    "openrouter-key": [
        ("an amount that is not a number", {"data": {"limit": 10, "limit_remaining": True, "usage": 0}},
         "data.limit_remaining is not a number"),
    ],
    "novita": [
        ("an amount that is not a number", {"availableBalance": "12.5.3", "cashBalance": "0"},
         "availableBalance is not a number"),
    ],
}  # fmt: skip
CANNOT_SERVE = {  # an answer that says the account cannot serve API calls, for the providers that say so
    "moonshot": {"code": 0, "scode": "0x0", "status": True,
                 "data": {"available_balance": -0.5, "voucher_balance": 0, "cash_balance": -0.5}},
    "openrouter-key": {"data": {"limit": 10, "limit_remaining": 0, "usage": 10}},
}  # fmt: skip


def provider_cases(name: str) -> list[Case]:
    """The faults every provider's exchange can have, and its answer's own."""
    label = provider(name).label
    dependency = f"{label} (`{name}`)"

    def case(fault: str, inject: Callable[[Monitor], None], *outcome: str) -> Case:
        return Case(dependency, fault, inject, *outcome, provider=name)  # type: ignore[arg-type]

    def fails(fault: str, inject: Callable[[Monitor], None], detail: str) -> Case:
        return case(fault, inject, "failed", "healthy", "none", "CheckFailedError", FAILED, detail)

    def rejected(status: int) -> str:
        return f"{label} rejected the API key (HTTP {status})"

    cases = [
        case("401 key rejected", lambda monitor: watch_provider(monitor, name, "sk-revoked-0000"),
             "key_rejected", "key_rejected", "key_rejected", "success", CHECKED, rejected(401)),
        case("403 forbidden", replies(Reply(403)),
             "key_rejected", "key_rejected", "key_rejected", "success", CHECKED, rejected(403)),
        case("402 insufficient balance", replies(Reply(402)), "insufficient_balance", "unavailable", "unavailable",
             "success", CHECKED, f"{label} reports insufficient balance (HTTP 402)"),
        case("429 once, Retry-After: 2", replies(Reply(429, headers={"Retry-After": "2"})),
             "ok", "healthy", "none", "success", CHECKED),
        fails("503 on every attempt", replies(*[Reply(503)] * 4), f"{label} answered HTTP 503"),
        fails("no answer (timeout)", hang, f"{label} did not answer in time"),
        fails("HTML from a proxy", replies(Reply(200, b"<html>Bad gateway</html>")), "response is not valid JSON"),
        *(fails(fault, answers(document), detail) for fault, document, detail in ANSWER_FAULTS[name]),
    ]  # fmt: skip
    if name in CANNOT_SERVE:
        cases.append(case("the answer says it cannot serve", answers(CANNOT_SERVE[name]),
                          "ok", "unavailable", "unavailable", "success", CHECKED))  # fmt: skip
    if name == "openrouter-key":
        cases.append(case("a key without a credit limit",
                          answers({"data": {"limit": None, "limit_remaining": None, "usage": 3}}),
                          "misconfigured", "misconfigured", "misconfigured", "success", MISCONFIGURED,
                          NO_LIMIT))  # fmt: skip
    return cases


NO_LIMIT = (
    'this OpenRouter key has no credit limit, so it has no balance to watch: use provider "openrouter" with a '
    "management key for the whole account, or set a credit limit on the key"
)
MATRIX += [case for name in REGISTRY if name != "deepseek" for case in provider_cases(name)]


@pytest.mark.parametrize("case", MATRIX, ids=[f"{case.dependency}: {case.fault}" for case in MATRIX])
def test_fault_matrix(monitor, captured_logs, case):
    with ExitStack() as servers:
        if case.provider != "deepseek":
            monitor.deepseek = servers.enter_context(SIMULATORS[case.provider](API_KEY))
            watch_provider(monitor, case.provider)
        case.inject(monitor)
        run_and_compare(monitor, captured_logs, case)


def run_and_compare(monitor: Monitor, captured_logs: Callable[[], str], case: Case) -> None:
    try:
        monitor.scheduled(AT)
        lambda_sees = "success"
    except MonitorError as exc:
        lambda_sees = type(exc).__name__

    assert lambda_sees == case.lambda_sees
    records = monitor.history()
    if case.recorded == "nothing":
        assert records == []
    else:
        [record] = records
        assert record.observation.outcome == case.recorded
        assert (record.observation.error or record.alert_error or "") == case.detail
        if case.recorded != "ok":
            assert record.observation.report is None  # a failed read is never a zero balance
    assert monitor.state().status == case.state
    alerted = [alert.attributes["state"] for alert in monitor.alerts()]
    assert alerted == ([] if case.alert == "none" else [case.alert])
    assert f'"message":"{case.log}"' in captured_logs()


def test_the_documented_failure_table_is_the_matrix_row_for_row():
    text = OPERATIONS.read_text() + "\n## "
    section = text[text.index("## Failure behaviour") :]
    section = section[: section.index("\n## ", 1)]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not re.match(r"\| ?-", line)]

    assert rows[1:] == [case.row() for case in MATRIX]
