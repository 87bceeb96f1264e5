"""Where a deployed stack keeps things: its outputs name the table, the secret and the function."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError, NoCredentialsError

from balance_cli.errors import UsageError


@dataclass(frozen=True)
class StackOutputs:
    table_name: str
    secret_arn: str | None
    function_name: str | None
    topic_arn: str | None = None


def cloudformation() -> Any:
    return boto3.client("cloudformation")


def lambda_client() -> Any:
    return boto3.client("lambda")


def stack_outputs(stack_name: str) -> StackOutputs:
    try:
        stacks = cloudformation().describe_stacks(StackName=stack_name)["Stacks"]
    except NoCredentialsError:
        raise UsageError("no AWS credentials: run `aws configure`, or set AWS_PROFILE") from None
    except ClientError as exc:
        if "does not exist" in str(exc):
            raise UsageError(f"stack {stack_name!r} not found: check its name and AWS_REGION") from None
        raise
    outputs: dict[str, Any] = {item["OutputKey"]: item["OutputValue"] for item in stacks[0].get("Outputs", [])}
    if "HistoryTableName" not in outputs:
        raise UsageError(f"stack {stack_name!r} has no HistoryTableName output: is it this monitor's stack?")
    return StackOutputs(
        outputs["HistoryTableName"],
        outputs.get("ApiKeySecretArn"),
        outputs.get("BalanceCheckFunctionName"),
        outputs.get("AlertTopicArn"),
    )


def invoke_function(function_name: str) -> tuple[Any, str | None]:
    """Invoke the function with an empty event, as a manual check: what it returned (or its error
    document), and Lambda's FunctionError when it failed."""
    response = lambda_client().invoke(FunctionName=function_name, Payload=b"{}")
    return json.loads(response["Payload"].read() or b"null"), response.get("FunctionError")


def function_variable(function_name: str, name: str) -> str | None:
    """One of the deployed function's settings (LOW_BALANCE_THRESHOLD, DEEPSEEK_BASE_URL)."""
    configuration = lambda_client().get_function_configuration(FunctionName=function_name)
    return configuration.get("Environment", {}).get("Variables", {}).get(name) or None
