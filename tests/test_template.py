"""What template.yaml promises a user: the schedule, the runtime, encrypted and recoverable
data, and a function that may touch only its own secret, table and topic."""

import re
from pathlib import Path

from balance_monitor.adapters import history_table
from sandbox.aws import load_template

TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]
FUNCTION = RESOURCES["BalanceCheckFunction"]["Properties"]
SETTINGS_SOURCE = (Path(__file__).resolve().parents[1] / "src/handler/balance_monitor/settings.py").read_text()


def test_the_function_runs_on_python_313_arm64_with_tracing_on_a_parameterised_schedule():
    assert (FUNCTION["Runtime"], FUNCTION["Architectures"], FUNCTION["Tracing"]) == ("python3.13", ["arm64"], "Active")
    assert FUNCTION["Events"]["Schedule"]["Properties"]["Schedule"] == {"Ref": "ScheduleExpression"}
    assert TEMPLATE["Parameters"]["ScheduleExpression"]["Default"] == "rate(15 minutes)"
    assert RESOURCES["BalanceCheckFunction"]["Metadata"]["BuildMethod"] == "makefile"


def test_every_variable_the_function_reads_is_set_by_the_template_and_none_is_a_secret():
    read = set(re.findall(r'"([A-Z][A-Z_]+)"', SETTINGS_SOURCE)) - {"CNY", "USD"}
    variables = FUNCTION["Environment"]["Variables"]

    assert read <= set(variables)
    assert not any("KEY" in name and name != "API_KEY_SECRET_ID" for name in variables)


def test_the_history_table_is_keyed_by_account_and_time_on_demand_encrypted_and_recoverable():
    table = RESOURCES["HistoryTable"]["Properties"]

    assert table["KeySchema"] == [
        {"AttributeName": "account", "KeyType": "HASH"},
        {"AttributeName": "record", "KeyType": "RANGE"},
    ]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["SSESpecification"]["SSEEnabled"] is True
    assert history_table.CHECK_PREFIX == "check#"


def test_the_topic_is_encrypted_and_email_is_optional():
    assert RESOURCES["AlertTopic"]["Properties"]["KmsMasterKeyId"] == {"Ref": "AlertTopicKey"}
    assert RESOURCES["AlertTopicKey"]["Properties"]["EnableKeyRotation"] is True
    assert RESOURCES["AlertEmailSubscription"]["Condition"] == "HasAlertEmail"
    assert TEMPLATE["Parameters"]["AlertEmail"]["Default"] == ""


def test_the_function_logs_to_a_group_with_retention():
    assert FUNCTION["LoggingConfig"]["LogGroup"] == {"Ref": "BalanceCheckLogGroup"}
    assert RESOURCES["BalanceCheckLogGroup"]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


# Exactly what the function calls: tests/integration/test_least_privilege.py records the calls.
EXPECTED_GRANTS = {
    "secretsmanager:GetSecretValue": {"Ref": "ApiKeySecret"},
    "dynamodb:GetItem": {"Fn::GetAtt": ["HistoryTable", "Arn"]},
    "dynamodb:PutItem": {"Fn::GetAtt": ["HistoryTable", "Arn"]},
    "dynamodb:UpdateItem": {"Fn::GetAtt": ["HistoryTable", "Arn"]},
    "sns:Publish": {"Ref": "AlertTopic"},
    "kms:GenerateDataKey": {"Fn::GetAtt": ["AlertTopicKey", "Arn"]},
    "kms:Decrypt": {"Fn::GetAtt": ["AlertTopicKey", "Arn"]},
}


def test_the_function_may_touch_only_its_own_secret_table_and_topic():
    [policy] = FUNCTION["Policies"]
    granted = {}
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        for action in actions:
            granted[action] = statement["Resource"]

    assert granted == EXPECTED_GRANTS
