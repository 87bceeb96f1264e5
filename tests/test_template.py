"""What template.yaml promises a user: the schedule, the runtime, encrypted and recoverable
data, failed invocations kept and alarmed on, and a function that may touch only its own
secret, table, topic and queue."""

import importlib.util
import json
import re
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from balance_monitor.adapters import history_table
from balance_monitor.channel_settings import NotifierSettings, SlackInteractionSettings, SlackSettings
from balance_monitor.errors import ConfigurationError
from balance_monitor.settings import (
    NUMERIC_SETTINGS,
    THRESHOLDS_PATTERN,
    Settings,
    parse_critical_thresholds,
    parse_thresholds,
)
from sandbox.aws import load_template

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]
FUNCTION = RESOURCES["BalanceCheckFunction"]["Properties"]
ROLE = RESOURCES["BalanceCheckRole"]["Properties"]
MONITOR_KEY = {"Ref": "MonitorKey"}


def _as_list(value):
    return value if isinstance(value, list) else [value]


def test_the_function_runs_on_python_313_arm64_on_a_parameterised_schedule():
    assert (FUNCTION["Runtime"], FUNCTION["Architectures"]) == ("python3.13", ["arm64"])
    assert FUNCTION["Events"]["Schedule"]["Properties"]["Schedule"] == {"Ref": "ScheduleExpression"}
    assert TEMPLATE["Parameters"]["ScheduleExpression"]["Default"] == "rate(15 minutes)"
    assert RESOURCES["BalanceCheckFunction"]["Metadata"]["BuildMethod"] == "makefile"


def test_the_digest_has_its_own_schedule_into_the_same_function_that_none_turns_off():
    parameter = TEMPLATE["Parameters"]["DigestSchedule"]
    rule = RESOURCES["DigestScheduleRule"]
    permission = RESOURCES["DigestSchedulePermission"]

    assert parameter["Default"] == "cron(0 8 ? * MON *)"  # Monday 08:00 UTC
    assert re.fullmatch(parameter["AllowedPattern"], "none")
    assert not re.fullmatch(parameter["AllowedPattern"], "weekly")
    assert TEMPLATE["Conditions"]["HasDigest"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "DigestSchedule"}, "none"]}]}
    assert rule["Condition"] == permission["Condition"] == "HasDigest"
    assert rule["Properties"]["ScheduleExpression"] == {"Ref": "DigestSchedule"}
    [target] = rule["Properties"]["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": ["BalanceCheckFunction", "Arn"]}
    assert json.loads(target["Input"]) == json.loads((ROOT / "events" / "digest.json").read_text())
    assert permission["Properties"] == {
        "Action": "lambda:InvokeFunction",
        "FunctionName": {"Ref": "BalanceCheckFunction"},
        "Principal": "events.amazonaws.com",
        "SourceArn": {"Fn::GetAtt": ["DigestScheduleRule", "Arn"]},
    }


class RecordingEnvironment(dict):
    """An environment that remembers which variables were asked for."""

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__(values)
        self.read: set[str] = set()

    def get(self, name, default=None):
        self.read.add(name)
        return super().get(name, default)


@pytest.mark.parametrize(
    ("function", "settings", "example"),
    [
        (
            "BalanceCheckFunction",
            Settings,
            {
                "TOPIC_ARN": "arn:aws:sns:x",
                "LOW_BALANCE_THRESHOLD": "1",
                "DEEPSEEK_BASE_URL": "https://api.deepseek.com",
                "REMINDER_INTERVAL_HOURS": "24",
                "HISTORY_RETENTION_DAYS": "90",
                "RUNWAY_ALERT_DAYS": "3",
                "SPEND_SPIKE_FACTOR": "3",
            },
        ),
        ("SlackNotifierFunction", SlackSettings, {"SLACK_SNOOZE_BUTTONS": "true"}),
        ("SlackInteractionsFunction", SlackInteractionSettings, {}),
        ("NotifierFunction", NotifierSettings, {}),
    ],
)
def test_every_variable_a_function_reads_is_set_by_the_template_and_none_is_a_secret(function, settings, example):
    variables = RESOURCES[function]["Properties"]["Environment"]["Variables"]
    environment = RecordingEnvironment(dict.fromkeys(variables, "value") | example)

    settings.from_environment(environment)

    assert environment.read <= set(variables)
    assert all(
        isinstance(value, dict) or not value.startswith(("sk-", "https://hooks")) for value in variables.values()
    )
    assert not {"API_KEY", "DEEPSEEK_API_KEY", "SLACK_WEBHOOK_URL", "NOTIFICATION_URLS"} & set(variables)


@pytest.mark.parametrize(("tracing", "disabled"), [("PassThrough", "true"), ("Active", "false")])
def test_every_function_traces_as_the_stack_says_and_tells_its_code(tracing, disabled):
    """Lambda's Tracing and the variable the code reads (to load the X-Ray SDK or not) follow
    the one parameter, off by default."""
    from sandbox.aws import EmulatedStack

    assert TEMPLATE["Parameters"]["XRayTracing"]["Default"] == "PassThrough"
    functions = [name for name, resource in RESOURCES.items() if resource["Type"] == "AWS::Serverless::Function"]
    assert len(functions) == 4
    for name in functions:
        properties = RESOURCES[name]["Properties"]
        assert properties["Tracing"] == {"Ref": "XRayTracing"}, name
        variable = properties["Environment"]["Variables"]["POWERTOOLS_TRACE_DISABLED"]
        assert variable == {"Fn::If": ["TracingActive", "false", "true"]}, name
    stack = EmulatedStack(TEMPLATE, "table", "topic", "secret", "queue")
    assert stack.function_environment(XRayTracing=tracing)["POWERTOOLS_TRACE_DISABLED"] == disabled


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
    assert RESOURCES["HistoryTable"]["DeletionPolicy"] == "Retain"
    assert history_table.CHECK_PREFIX == "check#"


def test_the_secret_topic_and_queue_are_encrypted_with_a_rotating_key():
    assert RESOURCES["ApiKeySecret"]["Properties"]["KmsKeyId"] == MONITOR_KEY
    assert RESOURCES["AlertTopic"]["Properties"]["KmsMasterKeyId"] == MONITOR_KEY
    assert RESOURCES["FailedInvocationsQueue"]["Properties"]["KmsMasterKeyId"] == MONITOR_KEY
    assert RESOURCES["MonitorKey"]["Properties"]["EnableKeyRotation"] is True


def test_email_is_optional():
    assert RESOURCES["AlertEmailSubscription"]["Condition"] == "HasAlertEmail"
    assert TEMPLATE["Parameters"]["AlertEmail"]["Default"] == ""


def test_the_function_logs_to_a_group_with_retention():
    assert FUNCTION["LoggingConfig"]["LogGroup"] == {"Ref": "BalanceCheckLogGroup"}
    assert RESOURCES["BalanceCheckLogGroup"]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_invocations_that_still_fail_after_retries_are_kept_and_alarmed_on():
    invoke = FUNCTION["EventInvokeConfig"]
    alarm = RESOURCES["FailedInvocationsAlarm"]["Properties"]

    assert (invoke["MaximumRetryAttempts"], invoke["MaximumEventAgeInSeconds"]) == (2, 900)
    assert invoke["DestinationConfig"]["OnFailure"] == {
        "Type": "SQS",
        "Destination": {"Fn::GetAtt": ["FailedInvocationsQueue", "Arn"]},
    }
    assert alarm["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["FailedInvocationsQueue", "QueueName"]}}
    ]
    assert (alarm["MetricName"], alarm["ComparisonOperator"], alarm["Threshold"]) == (
        "ApproximateNumberOfMessagesVisible",
        "GreaterThanThreshold",
        0,
    )
    assert alarm["AlarmActions"] == [{"Ref": "AlertTopic"}]


# Exactly what the function and Lambda on its behalf need; tests/integration/test_least_privilege.py
# records the AWS calls the code makes and compares them with this.
EXPECTED_GRANTS = {
    "logs:CreateLogStream": {"Fn::GetAtt": ["BalanceCheckLogGroup", "Arn"]},
    "logs:PutLogEvents": {"Fn::GetAtt": ["BalanceCheckLogGroup", "Arn"]},
    "xray:PutTraceSegments": "*",
    "xray:PutTelemetryRecords": "*",
    "secretsmanager:GetSecretValue": {"Ref": "ApiKeySecret"},
    "dynamodb:GetItem": {"Fn::GetAtt": ["HistoryTable", "Arn"]},
    "dynamodb:PutItem": {"Fn::GetAtt": ["HistoryTable", "Arn"]},
    "dynamodb:UpdateItem": {"Fn::GetAtt": ["HistoryTable", "Arn"]},
    "dynamodb:Query": {"Fn::GetAtt": ["HistoryTable", "Arn"]},  # the digest's week of checks
    "sns:Publish": {"Ref": "AlertTopic"},
    "sqs:SendMessage": {"Fn::GetAtt": ["FailedInvocationsQueue", "Arn"]},
    "kms:GenerateDataKey": {"Fn::GetAtt": ["MonitorKey", "Arn"]},
    "kms:Decrypt": {"Fn::GetAtt": ["MonitorKey", "Arn"]},
}


def test_the_function_has_its_own_role_assumed_only_by_lambda():
    assert FUNCTION["Role"] == {"Fn::GetAtt": ["BalanceCheckRole", "Arn"]}
    assert "Policies" not in FUNCTION  # SAM would otherwise add managed policies on "*"
    assert "ManagedPolicyArns" not in ROLE
    [trust] = ROLE["AssumeRolePolicyDocument"]["Statement"]
    assert trust == {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}


def test_every_statement_names_specific_resources_and_only_the_actions_needed():
    [policy] = ROLE["Policies"]
    granted = {}
    for statement in policy["PolicyDocument"]["Statement"]:
        assert statement["Effect"] == "Allow"
        assert not any("*" in action for action in _as_list(statement["Action"]))
        for action in _as_list(statement["Action"]):
            granted[action] = statement["Resource"]

    assert granted == EXPECTED_GRANTS
    # X-Ray offers no resource-level permissions for these actions; nothing else may say "*".
    assert {action for action, resource in granted.items() if resource == "*"} == {
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
    }


def test_the_key_lets_only_the_account_and_alarms_use_it():
    statements = RESOURCES["MonitorKey"]["Properties"]["KeyPolicy"]["Statement"]

    assert [statement["Principal"] for statement in statements] == [
        {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
        {"Service": "cloudwatch.amazonaws.com"},
    ]
    assert statements[1]["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]


def test_checks_that_do_not_apply_are_skipped_with_a_reason():
    skipped = [
        skip
        for resource in RESOURCES.values()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]

    assert skipped, "checkov runs in CI; its skips live in the template"
    assert all(re.fullmatch(r"CKV_AWS_\d+", skip["id"]) and len(skip["comment"]) > 20 for skip in skipped)


@pytest.mark.parametrize("role", [name for name, resource in RESOURCES.items() if resource["Type"] == "AWS::IAM::Role"])
def test_no_role_grants_a_wildcard_action_or_a_wildcard_resource_beyond_xray(role):
    properties = RESOURCES[role]["Properties"]
    statements = [
        statement for policy in properties.get("Policies", []) for statement in policy["PolicyDocument"]["Statement"]
    ]

    assert "ManagedPolicyArns" not in properties
    for statement in statements:
        actions = _as_list(statement["Action"])
        assert not any("*" in action for action in actions)
        if statement["Resource"] == "*":
            assert all(action.startswith("xray:") for action in actions)


def test_the_slack_notifier_reads_only_the_named_webhook_secret():
    [policy] = RESOURCES["SlackNotifierRole"]["Properties"]["Policies"]
    [read] = [s for s in policy["PolicyDocument"]["Statement"] if s["Action"] == "secretsmanager:GetSecretValue"]

    assert read["Resource"] == {
        "Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:"
        "${SlackWebhookSecretName}-??????"
    }


def _dashboard() -> dict:
    body = RESOURCES["MonitorDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    return json.loads(re.sub(r"\$\{[^}]+\}", "1", body))  # CloudFormation fills ${...} in at deploy time


def test_the_dashboard_shows_balance_burn_rate_runway_outcomes_errors_and_duration():
    widgets = _dashboard()["widgets"]

    assert [widget["properties"]["title"] for widget in widgets] == [
        "Balance",
        "Burn rate per day",
        "Runway (days)",
        "Check outcomes",
        "Function errors",
        "Function duration (ms)",
    ]
    searched = json.dumps(widgets)
    for metric in ("Balance", "BurnRatePerDay", "RunwayDays", "CheckSucceeded", "CheckFailed", "Errors", "Duration"):
        assert metric in searched


def test_the_monitor_of_the_monitor_alarms_on_errors_and_on_silence():
    errors = RESOURCES["BalanceCheckErrorsAlarm"]["Properties"]
    silence = RESOURCES["NoSuccessfulCheckAlarm"]["Properties"]

    assert (errors["Namespace"], errors["MetricName"]) == ("AWS/Lambda", "Errors")
    assert (silence["MetricName"], silence["ComparisonOperator"], silence["Threshold"]) == (
        "CheckSucceeded",
        "LessThanThreshold",
        1,
    )
    assert silence["TreatMissingData"] == "breaching"  # a monitor that stopped running is noticed
    assert silence["EvaluationPeriods"] == {"Ref": "NoSuccessfulCheckHours"}
    assert errors["AlarmActions"] == silence["AlarmActions"] == [{"Ref": "AlertTopic"}]


@pytest.mark.parametrize("variable", sorted(NUMERIC_SETTINGS))
def test_the_templates_bounds_on_a_number_are_the_functions(variable):
    parameter, bounds = NUMERIC_SETTINGS[variable]
    spec = TEMPLATE["Parameters"][parameter]

    assert RESOURCES["BalanceCheckFunction"]["Properties"]["Environment"]["Variables"][variable] == {"Ref": parameter}
    assert (Decimal(str(spec["MinValue"])), Decimal(str(spec["MaxValue"]))) == (bounds.least, bounds.most)
    assert bounds.least <= Decimal(str(spec["Default"])) <= bounds.most


def test_the_templates_threshold_patterns_are_the_functions_grammar():
    parameters = TEMPLATE["Parameters"]
    variables = RESOURCES["BalanceCheckFunction"]["Properties"]["Environment"]["Variables"]

    assert parameters["LowBalanceThreshold"]["AllowedPattern"] == THRESHOLDS_PATTERN
    assert parameters["CriticalBalanceThreshold"]["AllowedPattern"] == "^$|" + THRESHOLDS_PATTERN
    assert parameters["CriticalBalanceThreshold"]["Default"] == ""  # no critical level unless asked
    assert variables["CRITICAL_BALANCE_THRESHOLD"] == {"Ref": "CriticalBalanceThreshold"}


_PREFIXES = st.sampled_from(["", "CNY=", "cny = ", "Cny=", "USD=", " usd =", "EUR=", "=", "CNY", "USD=="])
_AMOUNTS = st.from_regex(r"\d{1,14}(\.\d{0,8})?", fullmatch=True) | st.sampled_from(["", "-1", "1e3", "nan"])
_ITEMS = st.tuples(_PREFIXES, _AMOUNTS).map("".join)
_THRESHOLDS = st.lists(_ITEMS, min_size=1, max_size=4).flatmap(
    lambda items: st.sampled_from([",", ", ", " , ", ",,"]).map(lambda comma: comma.join(items))
) | st.text(alphabet="0123456789., =CNYUSDcnyusdE-", max_size=24)


@pytest.mark.parametrize(
    ("parameter", "parse"),
    [("LowBalanceThreshold", parse_thresholds), ("CriticalBalanceThreshold", parse_critical_thresholds)],
)
@settings(max_examples=2000, deadline=None)
@given(text=_THRESHOLDS)
@example(text="")
@example(text=" ")
def test_cloudformation_accepts_a_threshold_exactly_when_the_function_does(parameter, parse, text):
    template_accepts = re.fullmatch(TEMPLATE["Parameters"][parameter]["AllowedPattern"], text)
    try:
        parse(text)
        function_accepts = True
    except ConfigurationError:
        function_accepts = False

    assert bool(template_accepts) is function_accepts


# The Serverless Application Repository's rules for this metadata, from its API reference:
# sam validate and cfn-lint do not check them, SAR refuses the publish.
SAR = TEMPLATE["Metadata"]["AWS::ServerlessRepo::Application"]
SAR_AUTHOR = r"[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?"
SAR_LABEL = r"[a-zA-Z0-9+\-_:/@]+"


def test_the_application_has_what_the_serverless_application_repository_requires_and_shows():
    assert set(SAR) == {
        *("Name", "Description", "Author", "SpdxLicenseId", "LicenseUrl", "ReadmeUrl", "Labels", "SemanticVersion"),
    }
    assert all(isinstance(value, str) for key, value in SAR.items() if key != "Labels"), "no intrinsic functions"
    assert re.fullmatch(r"[a-zA-Z0-9-]{1,140}", SAR["Name"])
    assert 1 <= len(SAR["Description"]) <= 256
    assert re.fullmatch(SAR_AUTHOR, SAR["Author"])
    assert len(SAR["Author"]) <= 127
    assert 1 <= len(SAR["Labels"]) <= 10
    assert all(re.fullmatch(SAR_LABEL, label) and len(label) <= 127 for label in SAR["Labels"])


def test_the_published_version_is_the_packages():
    assert SAR["SemanticVersion"] == tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def test_the_licence_and_readme_sam_package_uploads_exist_and_the_licence_is_the_one_declared():
    licence = (ROOT / SAR["LicenseUrl"]).read_text()

    assert SAR["SpdxLicenseId"] == "Apache-2.0"
    assert licence.split()[:5] == ["Apache", "License", "Version", "2.0,", "January"]
    assert (ROOT / SAR["ReadmeUrl"]).read_text().startswith("# DeepSeek Balance Monitor")


def _set_source_code_url():
    spec = importlib.util.spec_from_file_location("set_source_code_url", ROOT / "scripts" / "set_source_code_url.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.set_source_code_url


def test_make_publish_adds_the_source_code_url_it_is_given_and_refuses_one_that_is_not_https():
    set_source_code_url = _set_source_code_url()
    packaged = load_template()  # intrinsics in their long form, as `sam package` writes them

    published = set_source_code_url(packaged, "https://git.example.org/team/deepseek-balance-monitor")

    assert published["Metadata"]["AWS::ServerlessRepo::Application"] == {
        **SAR,
        "SourceCodeUrl": "https://git.example.org/team/deepseek-balance-monitor",
    }
    assert published["Resources"] == RESOURCES
    for url in ("http://git.example.org/team/repo", "git@git.example.org:team/repo.git", "https://", ""):
        with pytest.raises(ValueError, match="SOURCE_CODE_URL"):
            set_source_code_url(load_template(), url)


def test_the_publishing_page_names_every_resource_type_sar_checks():
    # What SAM makes of the functions: their EventInvokeConfigs, Schedule and SNS events, and the
    # snooze endpoint's function URL.
    generated = {
        "AWS::Lambda::Function",
        "AWS::Lambda::EventInvokeConfig",
        "AWS::Lambda::Permission",
        "AWS::Lambda::Url",
        "AWS::Events::Rule",
        "AWS::SNS::Subscription",
    }
    declared = {resource["Type"] for resource in RESOURCES.values()} - {"AWS::Serverless::Function"}
    page = (ROOT / "docs" / "publishing.md").read_text()
    limits = " ".join(page[page.index("## Limits") :].split())

    named = set(re.findall(r"`(AWS::\w+::\w+)`", limits[: limits.index("Check the last one")]))

    assert named == declared | generated


def test_the_snooze_endpoint_exists_only_for_a_slack_webhook_with_a_signing_secret():
    conditions = TEMPLATE["Conditions"]
    snooze = [name for name, resource in RESOURCES.items() if resource.get("Condition") == "HasSnooze"]

    assert conditions["HasSnooze"] == {
        "Fn::And": [
            {"Fn::Condition": "HasSlack"},
            {"Fn::Not": [{"Fn::Equals": [{"Ref": "SlackSigningSecretName"}, ""]}]},
        ]
    }
    assert sorted(snooze) == ["SlackInteractionsFunction", "SlackInteractionsLogGroup", "SlackInteractionsRole"]
    assert TEMPLATE["Outputs"]["SlackSnoozeUrl"] == {
        "Condition": "HasSnooze",
        "Description": TEMPLATE["Outputs"]["SlackSnoozeUrl"]["Description"],
        "Value": {"Fn::GetAtt": ["SlackInteractionsFunctionUrl", "FunctionUrl"]},
    }
    notifier = RESOURCES["SlackNotifierFunction"]["Properties"]["Environment"]["Variables"]
    assert notifier["SLACK_SNOOZE_BUTTONS"] == {"Fn::If": ["HasSnooze", "true", "false"]}


def test_the_snooze_endpoint_is_a_public_url_whose_function_may_only_add_silences_and_read_its_secret():
    """Slack cannot sign AWS requests: the URL takes anyone's, and the function's signature check
    is what protects it (docs/security.md). So the role grants as little as can be."""
    function = RESOURCES["SlackInteractionsFunction"]["Properties"]
    [policy] = RESOURCES["SlackInteractionsRole"]["Properties"]["Policies"]
    granted = {
        action: statement["Resource"]
        for statement in policy["PolicyDocument"]["Statement"]
        for action in _as_list(statement["Action"])
    }

    assert function["FunctionUrlConfig"] == {"AuthType": "NONE"}
    assert function["Role"] == {"Fn::GetAtt": ["SlackInteractionsRole", "Arn"]}
    assert (function["Handler"], function["Runtime"], function["Architectures"]) == (
        "slack_interactions.lambda_handler",
        "python3.13",
        ["arm64"],
    )
    assert granted == {
        "logs:CreateLogStream": {"Fn::GetAtt": ["SlackInteractionsLogGroup", "Arn"]},
        "logs:PutLogEvents": {"Fn::GetAtt": ["SlackInteractionsLogGroup", "Arn"]},
        "xray:PutTraceSegments": "*",
        "xray:PutTelemetryRecords": "*",
        "secretsmanager:GetSecretValue": {
            "Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:"
            "${SlackSigningSecretName}-??????"
        },
        "dynamodb:UpdateItem": {"Fn::GetAtt": ["HistoryTable", "Arn"]},
    }


def test_the_alert_language_is_a_parameter_of_the_languages_the_catalogue_has():
    from balance_monitor.settings import PARAMETERS
    from balance_monitor.texts import DEFAULT_LANGUAGE, LANGUAGES

    parameter = TEMPLATE["Parameters"]["AlertLanguage"]

    assert parameter["AllowedValues"] == list(LANGUAGES)
    assert parameter["Default"] == DEFAULT_LANGUAGE == "en"
    assert FUNCTION["Environment"]["Variables"]["ALERT_LANGUAGE"] == {"Ref": "AlertLanguage"}
    assert PARAMETERS["ALERT_LANGUAGE"] == "AlertLanguage"
    # The Slack notifier draws each message from its document, which names its language.
    assert "ALERT_LANGUAGE" not in RESOURCES["SlackNotifierFunction"]["Properties"]["Environment"]["Variables"]
