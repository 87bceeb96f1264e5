"""Setting up without the AWS CLI: `setup` checks the key with DeepSeek, stores it in the stack's
secret and runs the function once; `test-alert` reaches every subscriber of the alert topic."""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any

import boto3
import pytest

from balance_cli import errors
from balance_cli import stack as stack_lookup
from balance_cli.errors import UsageError
from balance_cli.main import main
from balance_cli.setup import with_account_key
from balance_monitor.chat_messages import slack_message
from sandbox.aws import load_template
from tests.support.block_kit import block_kit_problems

from .conftest import API_KEY, stub_stack_outputs
from .test_many_accounts import history_of

pytestmark = pytest.mark.usefixtures("atomic_aws_requests")

STACK = "deepseek-balance-monitor"
NEW_KEY = "sk-new-1111111111111111"


class FunctionHere:
    """The Lambda API for the stack's function, answered by running its handler in this process
    with the template's environment (moto runs no function code without Docker)."""

    def __init__(self, monitor: Any) -> None:
        self.monitor = monitor
        self.invocations = 0

    def get_function_configuration(self, FunctionName: str) -> dict[str, Any]:  # noqa: N803 (boto3's names)
        return {"Environment": {"Variables": self.monitor.stack.function_environment(**self.monitor.parameters)}}

    def invoke(self, FunctionName: str, Payload: bytes) -> dict[str, Any]:  # noqa: N803
        self.invocations += 1
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # its logs and metrics go to CloudWatch
                result, error = self.monitor.invoke(json.loads(Payload)), None
        except Exception as exc:
            result, error = {"errorMessage": str(exc), "errorType": type(exc).__name__}, "Unhandled"
        response = {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(result).encode())}
        return response | ({"FunctionError": error} if error else {})


@pytest.fixture
def deployed(monitor, monkeypatch):
    """A deployed stack as the command finds it: outputs, its function, its secret and topic."""
    monitor.parameters = {"DeepSeekBaseUrl": monitor.deepseek.base_url}
    monitor.stack.put_api_key('{"api_key": ""}')  # what a new stack's secret holds
    outputs = {
        "HistoryTableName": monitor.stack.table_name,
        "ApiKeySecretArn": monitor.stack.secret_arn,
        "BalanceCheckFunctionName": "deepseek-balance-monitor-BalanceCheckFunction",
        "AlertTopicArn": monitor.stack.topic_arn,
    }
    stub_stack_outputs(monkeypatch, STACK, outputs, calls=1)
    function = FunctionHere(monitor)
    monkeypatch.setattr(stack_lookup, "lambda_client", lambda: function)
    return function


def secret(monitor) -> dict[str, Any]:
    return json.loads(
        boto3.client("secretsmanager").get_secret_value(SecretId=monitor.stack.secret_arn)["SecretString"]
    )


def setup_with(capsys, monkeypatch, key: str, *options: str) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(key + "\n"))  # piped in; typed, it would not echo
    code = main(["setup", "--stack", STACK, *options])
    out, err = capsys.readouterr()
    return code, out, err


def test_setup_checks_the_key_stores_it_and_runs_one_check(capsys, monkeypatch, monitor, deployed):
    code, out, err = setup_with(capsys, monkeypatch, API_KEY)

    assert code == errors.OK, err
    assert out.splitlines() == [
        "DeepSeek accepts the key: CNY 110.00.",
        "Stored it in the stack's secret.",
        "The function checked account default: ok, healthy.",
    ]
    assert secret(monitor) == {"api_key": API_KEY}
    assert [record.status for record in monitor.history()] == ["healthy"]
    assert API_KEY not in out + err


@pytest.mark.parametrize(
    ("reachable", "code", "message"),
    [
        (True, errors.KEY_REJECTED, "DeepSeek rejected the API key (HTTP 401): check the key"),
        (False, errors.UNREADABLE, "could not read the balance: the connection to DeepSeek failed"),
    ],
)
def test_a_key_that_does_not_work_is_not_stored(capsys, monkeypatch, monitor, deployed, reachable, code, message):
    if not reachable:
        monitor.parameters = {"DeepSeekBaseUrl": "http://127.0.0.1:9"}

    result, out, err = setup_with(capsys, monkeypatch, "sk-wrong-0000000000")

    assert result == code
    assert message in err
    assert secret(monitor) == {"api_key": ""}
    assert deployed.invocations == 0
    assert "sk-wrong" not in out + err


def test_setup_adds_an_account_keeping_the_key_already_there(capsys, monkeypatch, monitor, deployed):
    monitor.stack.put_api_key(json.dumps({"api_key": API_KEY}))
    monitor.deepseek.add_account(NEW_KEY).set_balance("USD", topped_up="20.00")

    code, out, err = setup_with(capsys, monkeypatch, NEW_KEY, "--account", "team")

    assert code == errors.OK, err
    assert secret(monitor) == {"accounts": {"default": {"api_key": API_KEY}, "team": {"api_key": NEW_KEY}}}
    assert out.splitlines()[-2:] == [
        "The function checked account default: ok, healthy.",
        "The function checked account team: ok, healthy.",
    ]
    assert [record.status for record in history_of(monitor, "team")] == ["healthy"]


def test_setup_adds_an_account_of_another_provider_checked_against_that_provider(
    capsys, monkeypatch, monitor, deployed
):
    from sandbox.provider_simulators import SIMULATORS

    monitor.stack.put_api_key(json.dumps({"api_key": API_KEY}))
    with SIMULATORS["siliconflow"](NEW_KEY) as siliconflow:
        siliconflow.set_balance("CNY", granted="1.00", topped_up="20.00")
        code, out, err = setup_with(
            capsys,
            monkeypatch,
            NEW_KEY,
            "--account",
            "flow",
            "--provider",
            "siliconflow",
            "--base-url",
            siliconflow.base_url,
        )

    assert code == errors.OK, err
    assert out.splitlines()[0] == "SiliconFlow accepts the key: CNY 21.00."
    entry = {"api_key": NEW_KEY, "provider": "siliconflow", "base_url": siliconflow.base_url}
    assert secret(monitor) == {"accounts": {"default": {"api_key": API_KEY}, "flow": entry}}
    assert [record.provider for record in history_of(monitor, "flow")] == ["siliconflow"]


def test_a_key_another_provider_refuses_is_not_stored(capsys, monkeypatch, monitor, deployed):
    from sandbox.provider_simulators import SIMULATORS

    with SIMULATORS["siliconflow"](NEW_KEY) as siliconflow:
        options = ("--account", "flow", "--provider", "siliconflow", "--base-url", siliconflow.base_url)
        code, out, err = setup_with(capsys, monkeypatch, "sk-wrong-0000000000", *options)

    assert "sk-wrong" not in out + err
    assert code == errors.KEY_REJECTED
    assert "SiliconFlow rejected the API key (HTTP 401): check the key" in err
    assert secret(monitor) == {"api_key": ""}
    assert deployed.invocations == 0


def test_a_rotated_key_keeps_the_accounts_own_settings(capsys, monkeypatch, monitor, deployed):
    entries = {"team": {"api_key": "sk-old-2222222222", "low_balance_threshold": "CNY=5"}, "main": {"api_key": API_KEY}}
    monitor.stack.put_api_key(json.dumps({"accounts": entries}))
    monitor.deepseek.add_account(NEW_KEY).set_balance("CNY", topped_up="20.00")

    code, _, err = setup_with(capsys, monkeypatch, NEW_KEY, "--account", "team")

    assert code == errors.OK, err
    assert secret(monitor)["accounts"] == {
        "team": {"api_key": NEW_KEY, "low_balance_threshold": "CNY=5"},
        "main": {"api_key": API_KEY},
    }


def test_with_several_accounts_setup_asks_which(capsys, monkeypatch, monitor, deployed):
    monitor.stack.put_api_key(json.dumps({"accounts": {"main": {"api_key": API_KEY}}}))

    code, _, err = setup_with(capsys, monkeypatch, API_KEY)

    assert code == errors.USAGE
    assert err == ("deepseek-balance setup: the stack's secret holds several accounts: say which with --account NAME\n")
    assert secret(monitor) == {"accounts": {"main": {"api_key": API_KEY}}}


@pytest.mark.parametrize(
    ("current", "account", "expected"),
    [
        ('{"api_key": ""}', None, {"api_key": NEW_KEY}),
        ("", None, {"api_key": NEW_KEY}),
        ("sk-plain-3333333333", "default", {"api_key": NEW_KEY}),
        ('{"api_key": ""}', "team", {"accounts": {"team": {"api_key": NEW_KEY}}}),
        (
            "sk-plain-3333333333",
            "team",
            {"accounts": {"default": {"api_key": "sk-plain-3333333333"}, "team": {"api_key": NEW_KEY}}},
        ),
        (
            '{"accounts": {"a": {"api_key": "k"}}}',
            "b",
            {"accounts": {"a": {"api_key": "k"}, "b": {"api_key": NEW_KEY}}},
        ),
        ('{"accounts": {"a": "not an object"}}', "a", {"accounts": {"a": {"api_key": NEW_KEY}}}),
        ('{"accounts": {"a": {"api_key": "k", "typo": 1}}}', "a", {"accounts": {"a": {"api_key": NEW_KEY}}}),
    ],
)
def test_the_secrets_new_value(current, account, expected):
    assert json.loads(with_account_key(current, NEW_KEY, account)) == expected


def test_setup_without_several_accounts_named_refuses_the_accounts_form():
    with pytest.raises(UsageError, match="say which with --account NAME"):
        with_account_key('{"accounts": {"a": {"api_key": "k"}}}', NEW_KEY, None)


def _critical_only_email_policy() -> dict[str, Any]:
    properties = load_template()["Resources"]["AlertEmailSubscription"]["Properties"]
    return properties["FilterPolicy"]["Fn::If"][1]


def test_a_test_alert_reaches_every_subscriber_whatever_its_severity_filter(capsys, monitor, deployed):
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    queue = sqs.create_queue(QueueName="critical-only-email")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    filter_policy = json.dumps(_critical_only_email_policy())
    sns.subscribe(
        TopicArn=monitor.stack.topic_arn, Protocol="sqs", Endpoint=arn, Attributes={"FilterPolicy": filter_policy}
    )

    code = main(["test-alert", "--stack", STACK])
    out, _ = capsys.readouterr()

    assert code == errors.OK
    [alert] = monitor.alerts()  # the unfiltered subscriber
    assert alert.subject == "[DeepSeek] Test notification for account default"
    assert alert.attributes == {
        "account": "default",
        "provider": "deepseek",
        "state": "healthy",
        "severity": "info",
        "kind": "test",
    }
    assert "Nothing is wrong" in alert.document["title"]
    assert block_kit_problems(slack_message(json.dumps(alert.document))) == []
    [filtered] = sqs.receive_message(QueueUrl=queue)["Messages"]
    assert json.loads(json.loads(filtered["Body"])["Message"])["kind"] == "test"
    assert out.splitlines()[0].startswith("Sent a test notification (message ")
    assert "  sqs: gets it within a minute" in out.splitlines()
