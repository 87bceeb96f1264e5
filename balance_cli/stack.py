"""Where a deployed stack keeps things: its outputs name the table, the secret and the function."""

from __future__ import annotations

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


def cloudformation() -> Any:
    return boto3.client("cloudformation")


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
        outputs["HistoryTableName"], outputs.get("ApiKeySecretArn"), outputs.get("BalanceCheckFunctionName")
    )


def function_threshold(function_name: str) -> str | None:
    """The deployed function's LOW_BALANCE_THRESHOLD, to draw on the report."""
    configuration = boto3.client("lambda").get_function_configuration(FunctionName=function_name)
    return configuration.get("Environment", {}).get("Variables", {}).get("LOW_BALANCE_THRESHOLD")
