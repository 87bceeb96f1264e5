"""The benchmark's instruments: the loopback AWS that counts requests and DynamoDB capacity,
and the item sizes capacity is computed from. A benchmark that miscounts would mislead."""

import json
import subprocess
import sys

import boto3
import pytest

from benchmarks import performance
from benchmarks.loopback_aws import LoopbackAWS, item_bytes
from sandbox.aws import create_stack
from sandbox.deepseek_simulator import DeepSeekSimulator


@pytest.fixture
def loopback_aws(monkeypatch):
    with LoopbackAWS() as aws:
        monkeypatch.setenv("AWS_ENDPOINT_URL", aws.endpoint_url)
        yield aws


def test_requests_are_counted_by_service_and_capacity_as_dynamodb_bills_it(loopback_aws):
    dynamodb = boto3.client("dynamodb")
    dynamodb.create_table(
        TableName="t",
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    boto3.client("secretsmanager").create_secret(Name="s", SecretString="x")
    loopback_aws.reset()

    big = {"k": {"S": "a"}, "text": {"S": "x" * 1500}}  # 1,506 bytes: two write units
    dynamodb.put_item(TableName="t", Item=big)
    dynamodb.get_item(TableName="t", Key={"k": {"S": "a"}}, ConsistentRead=True)
    dynamodb.transact_write_items(TransactItems=[{"Put": {"TableName": "t", "Item": {"k": {"S": "b"}}}}])
    boto3.client("secretsmanager").get_secret_value(SecretId="s")

    counts = loopback_aws.counts()
    assert counts.by_service() == {"dynamodb": 3, "secretsmanager": 1}
    assert counts.requests[("dynamodb", "TransactWriteItems")] == 1
    assert counts.capacity == {"write": 2 + 2, "read": 1}  # a transaction writes at double
    assert 0 < counts.serving_seconds < 10


def test_a_query_is_billed_for_the_items_it_read_together_in_4_kib_units(loopback_aws):
    dynamodb = boto3.client("dynamodb")
    dynamodb.create_table(
        TableName="pages",
        AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name in ("k", "r")],
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}, {"AttributeName": "r", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for index in range(10):  # 10 items of 1,000 bytes: 10,000 bytes, three 4 KiB units
        dynamodb.put_item(TableName="pages", Item={"k": {"S": "a"}, "r": {"S": f"{index}"}, "x": {"S": "x" * 997}})
    loopback_aws.reset()

    query = {"TableName": "pages", "KeyConditionExpression": "k = :k", "ExpressionAttributeValues": {":k": {"S": "a"}}}
    dynamodb.query(**query)
    dynamodb.query(**query, ConsistentRead=True)
    dynamodb.query(**{**query, "ExpressionAttributeValues": {":k": {"S": "none"}}})

    assert loopback_aws.counts().capacity == {"read": 1.5 + 3 + 0.5, "write": 0}


def test_item_sizes_follow_dynamodb_rules():
    assert item_bytes({"name": {"S": "héllo"}}) == 4 + 6
    assert item_bytes({"n": {"N": "100.00"}}) == 1 + 2  # one significant digit, plus one byte
    assert item_bytes({"n": {"N": "12345.678"}}) == 1 + 5  # eight digits: four bytes, plus one
    assert item_bytes({"m": {"M": {"a": {"BOOL": True}}}}) == 1 + 3 + (1 + 1 + 1)
    assert item_bytes({"l": {"L": [{"S": "ab"}, {"NULL": True}]}}) == 1 + 3 + (2 + 1) + (1 + 1)


@pytest.mark.parametrize(
    ("tracing", "segments"),
    [
        ("PassThrough", 0),  # the default
        # The handler's own subsegment, the secret, the GET to DeepSeek, and the two DynamoDB calls.
        ("Active", 5),
    ],
)
def test_a_cold_check_in_a_fresh_lambda_like_process_makes_only_its_requests_and_traces_if_asked(
    loopback_aws, tmp_path, tracing, segments
):
    """What make bench times: the handler in a new process with the Lambda runtime's
    environment, and the function's as the template sets it (in-process tests never trace)."""
    xray = performance.XRayDaemon()
    with DeepSeekSimulator(performance.API_KEY) as deepseek:
        deepseek.set_balance("CNY", topped_up="110.00")
        stack = create_stack(json.dumps({"api_key": performance.API_KEY}))
        environment = performance.process_environment(
            stack.function_environment(DeepSeekBaseUrl=deepseek.base_url, XRayTracing=tracing), xray.address
        )
        program = performance.Program("app", {"PYTHONPYCACHEPREFIX": str(tmp_path)})
        loopback_aws.reset()

        run = performance.run_process(program, performance.FIRST_CHECK, environment, loopback_aws, xray)

    assert run.requests == {"secretsmanager": 1, "dynamodb": 2}
    assert run.segments == segments
    assert 0 < run.peak_bytes < 100e6


def test_the_floor_makes_the_checks_io_and_no_more(loopback_aws, tmp_path):
    xray = performance.XRayDaemon()
    with DeepSeekSimulator(performance.API_KEY) as deepseek:
        stack = create_stack(json.dumps({"api_key": performance.API_KEY}))
        environment = performance.process_environment(
            stack.function_environment(DeepSeekBaseUrl=deepseek.base_url), xray.address
        )
        loopback_aws.reset()

        run = performance.run_process(
            performance.Program("floor", {"PYTHONPYCACHEPREFIX": str(tmp_path)}),
            performance.FIRST_CHECK,
            environment,
            loopback_aws,
            xray,
        )

        assert [request.path for request in deepseek.requests] == ["/user/balance"]
    assert run.requests == {"secretsmanager": 1, "dynamodb": 1}
    assert run.segments == 0


def test_a_check_never_loads_what_only_the_digest_needs(loopback_aws, tmp_path):
    """The digest is a branch of the same function: a fresh process that imports the handler
    and runs a scheduled check must not import (and so not pay at cold start for) its modules."""
    with DeepSeekSimulator(performance.API_KEY) as deepseek:
        deepseek.set_balance("CNY", topped_up="110.00")
        stack = create_stack(json.dumps({"api_key": performance.API_KEY}))
        environment = performance.process_environment(
            stack.function_environment(DeepSeekBaseUrl=deepseek.base_url), performance.XRayDaemon().address
        )
        program = tmp_path / "check_then_list_modules.py"
        program.write_text(
            "import json, runpy, sys\n"
            f"runpy.run_path({str(performance.BENCHMARKS / 'cold_check.py')!r}, run_name='__main__')\n"
            "print(json.dumps(sorted(sys.modules)))\n"
        )
        finished = subprocess.run(
            [sys.executable, "-S", str(program), "app", "2026-11-02T00:00:00Z"],
            env={**environment, "PYTHONPYCACHEPREFIX": str(tmp_path)},
            capture_output=True,
            check=True,
        )

    loaded = json.loads(finished.stdout.decode().splitlines()[-1])
    assert "app" in loaded
    assert "balance_monitor.check" in loaded
    assert [name for name in loaded if "digest" in name] == []
    # Nor what only the notifier needs: Apprise is in the notifier's artifact alone.
    assert [name for name in loaded if "apprise" in name or name in ("markdown", "yaml", "notifier_app")] == []
    # Nor, in a healthy check with tracing off (the default), what only an alert, a retry or
    # tracing needs: each import would lengthen every cold start.
    assert "balance_monitor.adapters.balance_api" in loaded
    rendering = ("balance_monitor.alert_messages", "balance_monitor.chat_messages", "balance_monitor.channel_settings")
    assert [name for name in loaded if name in rendering] == []
    assert [name for name in loaded if name.startswith(("tenacity", "aws_xray_sdk", "wrapt"))] == []
