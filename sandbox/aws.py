"""The stack's AWS resources, made in an emulated AWS (moto) from template.yaml's own
definitions, so the tests, the local run and the infrastructure cannot drift apart."""

from __future__ import annotations

import copy
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

import boto3
import yaml

from balance_monitor.history import format_timestamp

# sandbox/template.yaml links to the root template.yaml, so a checkout always reads the one
# SAM deploys, and the built wheel ships a copy of it as package data (the demo runs anywhere).
TEMPLATE_PATH = files("sandbox") / "template.yaml"
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


class _CloudFormationLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Reads !Ref, !Sub, !GetAtt ... as their long forms ({"Ref": ...}, {"Fn::Sub": ...}), with
    libyaml's parser where PyYAML has it."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {"Ref" if suffix == "Ref" else f"Fn::{suffix}": value}


_CloudFormationLoader.add_multi_constructor("!", _intrinsic)


def load_template(path: Traversable = TEMPLATE_PATH) -> dict[str, Any]:
    """The template as a dictionary of its own: every test stack reads it, so each text is
    parsed once."""
    return copy.deepcopy(_parsed_template(path.read_text()))


@cache
def _parsed_template(text: str) -> dict[str, Any]:
    return yaml.load(text, Loader=_CloudFormationLoader)  # noqa: S506 - a SafeLoader subclass


@contextmanager
def atomic_requests() -> Iterator[None]:
    """DynamoDB applies each request, its condition included, atomically; moto's in-process
    backend does not when threads share it (a transaction copies every table while another
    thread writes). One lock per request restores what AWS promises, wherever accounts are
    checked in threads against it (the tests of several accounts, the demo)."""
    from botocore.client import BaseClient

    lock = threading.Lock()
    original = BaseClient._make_api_call

    def atomic(client: BaseClient, operation: str, request: dict[str, Any]) -> Any:
        with lock:
            return original(client, operation, request)

    BaseClient._make_api_call = atomic  # type: ignore[method-assign]
    try:
        yield
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]


def use_fake_credentials() -> None:
    """Point every AWS client at fake credentials, so nothing can reach a real account."""
    os.environ.update(FAKE_CREDENTIALS)


@dataclass(frozen=True)
class ReceivedAlert:
    """An alert as the SQS subscriber received it: the alert document, and the attributes."""

    subject: str
    document: dict[str, Any]
    attributes: dict[str, str]

    @property
    def body(self) -> str:
        """The email text an email subscriber of the same topic receives for this alert."""
        from balance_monitor.alert_messages import email_text

        if self.document.get("kind") == "digest":
            from balance_monitor.digest import digest_text

            return digest_text(self.document)
        return email_text(self.document)


@dataclass(frozen=True)
class EmulatedStack:
    template: dict[str, Any]
    table_name: str
    topic_arn: str
    secret_arn: str
    alert_queue_url: str

    def function_environment(self, **parameters: str) -> dict[str, str]:
        """The function's environment exactly as template.yaml sets it, with parameters
        taken from `parameters` or the template's defaults."""
        resources = {"HistoryTable": self.table_name, "AlertTopic": self.topic_arn, "ApiKeySecret": self.secret_arn}
        return function_environment(self.template, "BalanceCheckFunction", {**parameters, **resources})

    def received_alerts(self) -> list[ReceivedAlert]:
        """Alerts published since the last call, as an SQS subscriber of the topic gets them."""
        sqs = _sqs_client(os.environ.get("AWS_ENDPOINT_URL"))
        alerts = []
        while messages := sqs.receive_message(QueueUrl=self.alert_queue_url, MaxNumberOfMessages=10).get("Messages"):
            for message in messages:
                envelope = json.loads(message["Body"])
                attributes = {name: item["Value"] for name, item in envelope.get("MessageAttributes", {}).items()}
                alerts.append(ReceivedAlert(envelope.get("Subject", ""), json.loads(envelope["Message"]), attributes))
                sqs.delete_message(QueueUrl=self.alert_queue_url, ReceiptHandle=message["ReceiptHandle"])
        return alerts

    def seed_checks(self, *, before: datetime, count: int, step: timedelta, account: str = "default") -> None:
        """Checks already in the history, one every `step` up to `before`: a long history."""
        items = [
            {
                "PutRequest": {
                    "Item": {
                        "account": {"S": account},
                        "record": {"S": f"check#{format_timestamp(before - (index + 1) * step)}"},
                        "outcome": {"S": "ok"},
                        "balances": {"M": {"CNY": {"M": {"total": {"N": "100.00"}}}}},
                    }
                }
            }
            for index in range(count)
        ]
        dynamodb = boto3.client("dynamodb")
        for start in range(0, len(items), 25):  # BatchWriteItem takes 25 at a time
            dynamodb.batch_write_item(RequestItems={self.table_name: items[start : start + 25]})

    def configure_function(self, **parameters: str) -> None:
        """Make this process the function's container: its environment as template.yaml sets
        it (these parameters, the template's defaults for the rest), no X-Ray daemon, and
        collaborators built afresh at the next invocation."""
        os.environ.update(self.function_environment(**parameters))
        os.environ["POWERTOOLS_TRACE_DISABLED"] = "true"
        import app

        app.collaborators.cache_clear()

    def put_api_key(self, secret_string: str) -> None:
        boto3.client("secretsmanager").put_secret_value(SecretId=self.secret_arn, SecretString=secret_string)


def function_environment(template: dict[str, Any], function: str, values: dict[str, str]) -> dict[str, str]:
    """A function's environment as the template sets it: references to parameters and resources
    taken from `values`, or the parameters' defaults."""
    defaults = {name: str(spec.get("Default", "")) for name, spec in template["Parameters"].items()}
    variables = template["Resources"][function]["Properties"]["Environment"]["Variables"]
    return {name: _resolve(value, {**defaults, **values}, template["Conditions"]) for name, value in variables.items()}


def _resolve(value: Any, values: dict[str, str], conditions: dict[str, Any]) -> Any:
    """A template value, its intrinsic functions worked out: Ref (to a parameter or a resource
    in `values`), Fn::If, and the conditions' Fn::Equals, Fn::Not, Fn::And and Condition."""
    if not isinstance(value, dict):
        return value if isinstance(value, list) else str(value)
    [(function, argument)] = value.items()
    if function == "Ref":
        return values[argument]
    if function == "Condition":
        return _resolve(conditions[argument], values, conditions)
    if function == "Fn::If":
        condition, when_true, when_false = argument
        return _resolve(
            when_true if _resolve(conditions[condition], values, conditions) else when_false, values, conditions
        )
    if function == "Fn::Equals":
        left, right = (_resolve(side, values, conditions) for side in argument)
        return left == right
    if function == "Fn::Not":
        return not _resolve(argument[0], values, conditions)
    if function == "Fn::And":
        return all(_resolve(part, values, conditions) for part in argument)
    raise ValueError(f"the sandbox does not work out {function}")


@cache
def _sqs_client(endpoint_url: str | None) -> Any:
    """One client per endpoint (moto in-process, or a moto server): a client costs ~10 ms."""
    return boto3.client("sqs", endpoint_url=endpoint_url)


def create_stack(api_key_secret: str | None, *, template: dict[str, Any] | None = None) -> EmulatedStack:
    """Make the table, topic and secret inside an active moto mock (or against a moto server
    named by AWS_ENDPOINT_URL). `api_key_secret` is the secret's value; None leaves no secret."""
    template = template or load_template()
    resources = template["Resources"]

    table = resources["HistoryTable"]["Properties"]
    dynamodb = boto3.client("dynamodb")
    table_name = "balance-monitor-history"
    dynamodb.create_table(
        TableName=table_name,
        AttributeDefinitions=table["AttributeDefinitions"],
        KeySchema=table["KeySchema"],
        BillingMode=table["BillingMode"],
        SSESpecification={"Enabled": table["SSESpecification"]["SSEEnabled"]},
    )
    dynamodb.update_time_to_live(TableName=table_name, TimeToLiveSpecification=table["TimeToLiveSpecification"])

    sns = boto3.client("sns")
    topic_properties = resources["AlertTopic"]["Properties"]
    topic_arn = sns.create_topic(
        Name="balance-monitor-alerts", Attributes={"DisplayName": topic_properties["DisplayName"]}
    )["TopicArn"]
    sqs = boto3.client("sqs")
    queue_url = sqs.create_queue(QueueName="balance-monitor-alert-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)

    secrets = boto3.client("secretsmanager")
    name = "balance-monitor/deepseek-api-key"
    if api_key_secret is None:
        secret_arn = f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{name}-AbCdEf"
    else:
        secret_arn = secrets.create_secret(Name=name, SecretString=api_key_secret)["ARN"]
    return EmulatedStack(template, table_name, topic_arn, secret_arn, queue_url)
