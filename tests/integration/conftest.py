"""The real handler and adapters against moto (resources made from template.yaml) and a
DeepSeek simulator on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from botocore.client import BaseClient
from botocore.exceptions import ClientError
from moto import mock_aws

import app
from balance_monitor.adapters.balance_api import BalanceApiClient
from balance_monitor.adapters.history_table import HistoryTable
from balance_monitor.alert_lifecycle import AlertState
from balance_monitor.history import CheckRecord
from balance_monitor.observability import logger, metrics
from balance_monitor.settings import Settings
from sandbox.aws import EmulatedStack, ReceivedAlert, atomic_requests, create_stack
from sandbox.deepseek_simulator import DeepSeekSimulator
from sandbox.lambda_context import LambdaContext

SCHEDULED_EVENT = Path(__file__).resolve().parents[2] / "events" / "scheduled.json"
API_KEY = "sk-test-3f9a1c0b7d2e4f60a8b5c4d3e2f1a0b9"


@pytest.fixture
def deepseek() -> Iterator[DeepSeekSimulator]:
    with DeepSeekSimulator(API_KEY) as simulator:
        yield simulator


@pytest.fixture
def stack() -> Iterator[EmulatedStack]:
    with mock_aws():
        yield create_stack(f'{{"api_key": "{API_KEY}"}}')


class Monitor:
    """Invokes the deployed handler as Lambda would, with the template's environment."""

    def __init__(self, stack: EmulatedStack, deepseek: DeepSeekSimulator, monkeypatch: pytest.MonkeyPatch) -> None:
        self.stack = stack
        self.deepseek = deepseek
        self.sleeps: list[float] = []
        self._monkeypatch = monkeypatch
        self.configure()

    def configure(self, *, read_timeout: float = 2.0, connect_timeout: float = 1.0, **parameters_: str) -> None:
        """Set the function's environment from the template and build its collaborators."""
        environment = self.stack.function_environment(**{"DeepSeekBaseUrl": self.deepseek.base_url, **parameters_})
        for name, value in environment.items():
            self._monkeypatch.setenv(name, value)
        built = app.build_collaborators(Settings.from_environment(environment))
        # Same client, but backoff sleeps are recorded rather than slept, and timeouts are short.
        client = BalanceApiClient(
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            sleep=self.sleeps.append,
        )
        self.collaborators = dataclasses.replace(built, balances=client)
        self._monkeypatch.setattr(app, "collaborators", lambda: self.collaborators)

    def replace(self, **collaborators: Any) -> None:
        """Swap some collaborators (a client that fails, say), keeping the rest."""
        self.collaborators = dataclasses.replace(self.collaborators, **collaborators)

    def invoke(self, event: dict[str, Any] | None = None, *, timeout_seconds: float = 60.0) -> dict[str, Any]:
        return app.lambda_handler(event if event is not None else {}, LambdaContext(timeout_seconds=timeout_seconds))

    def scheduled(self, time: str) -> dict[str, Any]:
        return self.invoke(scheduled_event(time))

    def alerts(self) -> list[ReceivedAlert]:
        return self.stack.received_alerts()

    def history(self) -> list[CheckRecord]:
        """Every check of the default account, oldest first, read by the product's own Query."""
        table = HistoryTable(boto3.client("dynamodb"), self.stack.table_name)
        return list(table.checks_between("default", datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)))

    def state(self) -> AlertState:
        return HistoryTable(boto3.client("dynamodb"), self.stack.table_name).load_state("default")

    def raw_items(self) -> list[dict[str, Any]]:
        return boto3.client("dynamodb").scan(TableName=self.stack.table_name)["Items"]


@pytest.fixture
def monitor(stack: EmulatedStack, deepseek: DeepSeekSimulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Monitor]:
    parameters.clear_caches()
    monitor = Monitor(stack, deepseek, monkeypatch)
    yield monitor
    assert_no_secret_in(json.dumps(monitor.raw_items()), "the history table")
    parameters.clear_caches()
    metrics.clear_metrics()


@dataclasses.dataclass(frozen=True)
class AwsCall:
    service: str  # botocore's name for it: "dynamodb", "secretsmanager"
    signing_name: str  # the prefix of its IAM actions
    operation: str
    request: dict[str, Any]


def record_aws_calls(monkeypatch: pytest.MonkeyPatch) -> list[AwsCall]:
    """Every AWS request made through botocore from now on, in order, until the patch is undone."""
    calls: list[AwsCall] = []
    original = BaseClient._make_api_call

    def recording(client: BaseClient, operation: str, request: dict[str, Any]) -> Any:
        model = client.meta.service_model
        calls.append(AwsCall(model.service_name, model.signing_name, operation, request))
        return original(client, operation, request)

    monkeypatch.setattr(BaseClient, "_make_api_call", recording)
    return calls


@pytest.fixture
def atomic_aws_requests() -> Iterator[None]:
    """For tests whose accounts are checked in threads against moto in-process."""
    with atomic_requests():
        yield


def scheduled_event(time: str) -> dict[str, Any]:
    """The event EventBridge sends on a schedule: events/scheduled.json at another time."""
    event = json.loads(SCHEDULED_EVENT.read_text())
    return {**event, "time": time}


class FailingClient:
    """A boto3 client whose `operation` fails `times` times with an AWS error code, as the
    service does when it throttles, denies or is down; every other call goes through."""

    def __init__(self, client: Any, operation: str, code: str, *, times: int = 1, **response: Any) -> None:
        self._client = client
        self._operation = operation
        self._error = {"Error": {"Code": code, "Message": "injected by the test"}, **response}
        self.times = times

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name != self._operation or not self.times:
            return attribute

        def fail(**request: Any) -> Any:
            self.times -= 1
            raise ClientError(self._error, "".join(part.title() for part in name.split("_")))

        return fail


# Every API key the tests use starts "sk-"; the fake Slack webhook's token is "s3cr3t...".
SECRET_PATTERN = re.compile(r"\bsk-[A-Za-z0-9-]{4,}|Bearer |s3cr3t")


def assert_no_secret_in(text: str, where: str) -> None:
    leaked = SECRET_PATTERN.findall(text)
    assert not leaked, f"a secret reached {where}: {leaked}"


@pytest.fixture(autouse=True)
def _every_test_is_a_leak_test(captured_logs: Any) -> Iterator[None]:
    """Whatever a test does, nothing it makes the code log may hold a key or a webhook URL."""
    yield
    assert_no_secret_in(captured_logs(), "the logs")


@pytest.fixture
def captured_logs(caplog: pytest.LogCaptureFixture) -> Iterator[Any]:
    """Everything the Powertools logger writes, and every other logger at INFO and above."""
    handler = logger.registered_handler
    buffer = io.StringIO()
    original = handler.setStream(buffer)
    caplog.set_level(logging.INFO)
    yield lambda: buffer.getvalue() + caplog.text
    handler.setStream(original)


def stub_stack_outputs(monkeypatch: pytest.MonkeyPatch, stack_name: str, outputs: dict[str, str], calls: int) -> None:
    """`--stack NAME` as the command finds a deployed stack: CloudFormation's DescribeStacks,
    answered `calls` times with these outputs (moto cannot deploy a SAM template)."""
    from botocore.stub import Stubber

    from balance_cli import stack as stack_lookup

    client = boto3.client("cloudformation")
    stubber = Stubber(client)
    described = {
        "Stacks": [
            {
                "StackName": stack_name,
                "CreationTime": datetime.now(UTC),
                "StackStatus": "CREATE_COMPLETE",
                "Outputs": [{"OutputKey": key, "OutputValue": value} for key, value in outputs.items()],
            }
        ]
    }
    for _ in range(calls):
        stubber.add_response("describe_stacks", described, {"StackName": stack_name})
    stubber.activate()
    monkeypatch.setattr(stack_lookup, "cloudformation", lambda: client)
