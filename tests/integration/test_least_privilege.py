"""The function's role grants exactly the AWS calls the code makes, on the paths a user
meets: a healthy check, an alert, a failed check, a failed publish, the digest. (Logs, traces, the
failed-invocation queue and KMS are used by Lambda and AWS services on the function's behalf.)"""

import boto3
import pytest

from balance_monitor.adapters.alert_topic import AlertTopic
from balance_monitor.errors import MonitorError
from sandbox.deepseek_simulator import Reply

from ..test_template import EXPECTED_GRANTS
from .conftest import record_aws_calls
from .test_alert_delivery import failing_sns

# Calls authorised as another action (TransactWriteItems is authorised per item it writes).
AUTHORISED_AS = {"dynamodb:TransactWriteItems": ["dynamodb:PutItem"]}
NOT_THE_FUNCTIONS = {"sqs", "secretsmanager:PutSecretValue"}  # the test's own inbox and setup


def test_the_policy_grants_exactly_the_calls_the_function_makes(monitor, monkeypatch):
    recorded = record_aws_calls(monkeypatch)
    monitor.configure(LowBalanceThreshold="CNY=500")
    monitor.scheduled("2026-11-25T08:00:00Z")  # alert
    monitor.scheduled("2026-11-25T08:15:00Z")  # healthy path, no alert
    monitor.deepseek.then(Reply(404))
    with pytest.raises(MonitorError):
        monitor.scheduled("2026-11-25T08:30:00Z")  # failed check
    monitor.deepseek.top_up("CNY", "1000")
    flaky_topic = AlertTopic(failing_sns(times=1), monitor.stack.topic_arn)
    monitor.replace(alerts=flaky_topic)
    with pytest.raises(MonitorError):
        monitor.scheduled("2026-11-25T08:45:00Z")  # recovery that could not be published
    monitor.replace(alerts=AlertTopic(boto3.client("sns"), monitor.stack.topic_arn))
    monitor.invoke({"digest": {"days": 7}, "time": "2026-11-25T09:00:00Z"})  # the weekly digest

    calls = {f"{call.signing_name}:{call.operation}" for call in recorded}
    made = {
        granted
        for call in calls
        if call.split(":")[0] not in NOT_THE_FUNCTIONS and call not in NOT_THE_FUNCTIONS
        for granted in AUTHORISED_AS.get(call, [call])
    }
    on_its_behalf = ("logs:", "xray:", "sqs:", "kms:")
    assert made == {action for action in EXPECTED_GRANTS if not action.startswith(on_its_behalf)}
