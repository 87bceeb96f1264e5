"""The benchmark's instruments: the loopback AWS that counts requests and DynamoDB capacity,
and the item sizes capacity is computed from. A benchmark that miscounts would mislead."""

import json

import boto3
import pytest

from benchmarks import performance
from benchmarks.loopback_aws import LoopbackAWS, item_bytes
from sandbox.aws import create_stack
from sandbox.deepseek_simulator import DeepSeekSimulator


@pytest.fixture
def loopback_aws(monkeypatch):
    aws = LoopbackAWS()
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.endpoint_url)
    yield aws
    aws.stop()


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

    assert loopback_aws.by_service() == {"dynamodb": 3, "secretsmanager": 1}
    assert loopback_aws.requests[("dynamodb", "TransactWriteItems")] == 1
    assert loopback_aws.capacity == {"write": 2 + 2, "read": 1}  # a transaction writes at double


def test_item_sizes_follow_dynamodb_rules():
    assert item_bytes({"name": {"S": "héllo"}}) == 4 + 6
    assert item_bytes({"n": {"N": "100.00"}}) == 1 + 2  # one significant digit, plus one byte
    assert item_bytes({"n": {"N": "12345.678"}}) == 1 + 5  # eight digits: four bytes, plus one
    assert item_bytes({"m": {"M": {"a": {"BOOL": True}}}}) == 1 + 3 + (1 + 1 + 1)
    assert item_bytes({"l": {"L": [{"S": "ab"}, {"NULL": True}]}}) == 1 + 3 + (2 + 1) + (1 + 1)


def test_a_cold_check_in_a_fresh_lambda_like_process_is_traced_and_makes_only_its_requests(loopback_aws, tmp_path):
    """What make bench times: the handler in a new process with the Lambda runtime's
    environment, so tracing is on (in-process tests run with Powertools' tracer disabled)."""
    xray = performance.XRayDaemon()
    with DeepSeekSimulator(performance.API_KEY) as deepseek:
        deepseek.set_balance("CNY", topped_up="110.00")
        stack = create_stack(json.dumps({"api_key": performance.API_KEY}))
        environment = performance.process_environment(
            stack.function_environment(DeepSeekBaseUrl=deepseek.base_url), xray.address
        )
        program = performance.Program(performance.BENCHMARKS / "cold_check.py", {"PYTHONPYCACHEPREFIX": str(tmp_path)})
        loopback_aws.reset()

        run = performance.run_process(program, performance.FIRST_CHECK, environment, loopback_aws, xray)

    assert run.requests == {"secretsmanager": 1, "dynamodb": 2}
    # The handler's own subsegment, the secret, the GET to DeepSeek, and the two DynamoDB calls.
    assert run.segments == 5
    assert 0 < run.peak_bytes < 100e6
