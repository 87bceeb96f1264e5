"""The API key secret missing, empty, or unreadable: each a recorded check with a clear error."""

import boto3
import pytest
from aws_lambda_powertools.utilities.parameters import SecretsProvider
from botocore.stub import Stubber

from balance_monitor.adapters.secrets import api_key_secret
from balance_monitor.alert_lifecycle import CheckOutcome
from balance_monitor.errors import ApiKeyError, CheckFailedError

from .conftest import API_KEY

AT = "2026-11-25T08:00:00Z"


def test_the_key_as_a_plain_string_works(monitor):
    monitor.stack.put_api_key(API_KEY)

    assert monitor.scheduled(AT)["outcome"] == "ok"


def test_the_empty_secret_a_new_stack_starts_with_alerts_that_the_key_is_missing(monitor):
    monitor.stack.put_api_key('{"api_key": ""}')  # what template.yaml creates

    summary = monitor.scheduled(AT)

    assert summary["status"] == "key_rejected"
    assert monitor.deepseek.requests == []  # nothing to send
    [alert] = monitor.alerts()
    assert alert.subject == "[DeepSeek] API key rejected for account default"
    [record] = monitor.history()
    assert record.observation.error == "the API key secret is empty"


def test_json_without_the_api_key_field_is_the_same_misconfiguration(monitor):
    monitor.stack.put_api_key('{"key": "sk-misnamed"}')

    assert monitor.scheduled(AT)["status"] == "key_rejected"
    [record] = monitor.history()
    assert record.observation.error == 'the API key secret\'s JSON has no "api_key" string'


def test_a_missing_secret_is_a_failed_check(monitor):
    boto3.client("secretsmanager").delete_secret(SecretId=monitor.stack.secret_arn, ForceDeleteWithoutRecovery=True)

    with pytest.raises(CheckFailedError, match=r"could not read the API key secret \(ResourceNotFoundException\)"):
        monitor.scheduled(AT)

    [record] = monitor.history()
    assert record.observation.outcome is CheckOutcome.FAILED
    assert monitor.alerts() == []


@pytest.mark.parametrize("code", ["AccessDeniedException", "ThrottlingException", "InternalServiceError"])
def test_secrets_manager_errors_become_the_projects_own_with_the_aws_code(code):
    client = boto3.client("secretsmanager")
    with Stubber(client) as stub:
        stub.add_client_error("get_secret_value", service_error_code=code)
        secret = api_key_secret("deepseek-api-key", SecretsProvider(boto3_client=client))

        with pytest.raises(ApiKeyError, match=rf"could not read the API key secret \({code}\)"):
            secret.get()


def test_the_key_is_read_once_per_container_and_again_only_when_asked(stack):
    client = boto3.client("secretsmanager")
    calls = []
    client.meta.events.register("before-call.secrets-manager.GetSecretValue", lambda **_: calls.append(1))
    secret = api_key_secret(stack.secret_arn, SecretsProvider(boto3_client=client))

    assert [secret.get(), secret.get(), secret.get()] == [API_KEY] * 3
    assert len(calls) == 1
    secret.get(refresh=True)
    assert len(calls) == 2
