from datetime import timedelta
from decimal import Decimal

import pytest

from balance_monitor.balance import Thresholds
from balance_monitor.errors import ConfigurationError
from balance_monitor.settings import PARAMETERS, Settings, SlackSettings, parse_thresholds

ENVIRONMENT = {
    "TABLE_NAME": "history",
    "TOPIC_ARN": "arn:aws:sns:eu-west-1:123456789012:alerts",
    "API_KEY_SECRET_ID": "deepseek-api-key",
    "DEEPSEEK_BASE_URL": "https://api.deepseek.com/",
    "LOW_BALANCE_THRESHOLD": "CNY=50,USD=7",
    "REMINDER_INTERVAL_HOURS": "6",
    "HISTORY_RETENTION_DAYS": "30",
}


def test_settings_from_the_environment():
    settings = Settings.from_environment(ENVIRONMENT)

    assert settings.table_name == "history"
    assert settings.topic_arn == "arn:aws:sns:eu-west-1:123456789012:alerts"
    assert settings.api_key_secret_id == "deepseek-api-key"
    assert settings.deepseek_base_url == "https://api.deepseek.com"
    assert settings.thresholds == Thresholds(per_currency={"CNY": Decimal(50), "USD": Decimal(7)})
    assert settings.reminder_interval == timedelta(hours=6)
    assert settings.history_retention == timedelta(days=30)
    assert settings.account == "default"


def test_optional_settings_have_defaults():
    environment = {
        name: value
        for name, value in ENVIRONMENT.items()
        if name not in ("DEEPSEEK_BASE_URL", "REMINDER_INTERVAL_HOURS", "HISTORY_RETENTION_DAYS")
    }

    settings = Settings.from_environment(environment)

    assert settings.deepseek_base_url == "https://api.deepseek.com"
    assert settings.reminder_interval == timedelta(hours=24)
    assert settings.history_retention == timedelta(days=90)
    assert settings.problems == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("50", Thresholds(default=Decimal(50))),
        ("12.5", Thresholds(default=Decimal("12.5"))),
        ("cny=50, usd=7", Thresholds(per_currency={"CNY": Decimal(50), "USD": Decimal(7)})),
        ("10,CNY=50", Thresholds(default=Decimal(10), per_currency={"CNY": Decimal(50)})),
        (
            " 10 , cny = 50.5 , Usd = 7.000001 ",
            Thresholds(default=Decimal(10), per_currency={"CNY": Decimal("50.5"), "USD": Decimal("7.000001")}),
        ),
        ("USD=999999999999.5", Thresholds(per_currency={"USD": Decimal("999999999999.5")})),
    ],
)
def test_threshold_forms(text, expected):
    assert parse_thresholds(text) == expected


def test_a_per_currency_threshold_overrides_the_default():
    thresholds = parse_thresholds("10,CNY=50")

    assert thresholds.for_currency("CNY") == Decimal(50)
    assert thresholds.for_currency("USD") == Decimal(10)
    assert parse_thresholds("CNY=50").for_currency("USD") is None


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("LOW_BALANCE_THRESHOLD", "-5", "'-5' is not a non-negative number (at most 12 digits and 6 decimals)"),
        ("LOW_BALANCE_THRESHOLD", "ten", "'ten' is not a non-negative number (at most 12 digits and 6 decimals)"),
        ("LOW_BALANCE_THRESHOLD", "EUR=5", "unknown currency 'EUR'"),
        ("LOW_BALANCE_THRESHOLD", "CNY=5,CNY=6", "CNY is given twice"),
        ("LOW_BALANCE_THRESHOLD", "5,6", "give at most one threshold for every currency"),
        ("LOW_BALANCE_THRESHOLD", "=5", "'=5' names no currency"),
        ("LOW_BALANCE_THRESHOLD", "CNY = 5 , EUR = 6", "unknown currency 'EUR'"),
        ("LOW_BALANCE_THRESHOLD", "USD=7,CNY=50", "give the threshold for every currency first, then CNY, then USD"),
        ("LOW_BALANCE_THRESHOLD", "CNY=5,10", "give the threshold for every currency first, then CNY, then USD"),
        (
            "LOW_BALANCE_THRESHOLD",
            "10.1234567",
            "'10.1234567' is not a non-negative number (at most 12 digits and 6 decimals)",
        ),
        ("LOW_BALANCE_THRESHOLD", "CNY=5,\tUSD=7", "unknown currency '\\tUSD'"),
        ("LOW_BALANCE_THRESHOLD", "CNY=", "'CNY=' is not a non-negative number (at most 12 digits and 6 decimals)"),
        ("LOW_BALANCE_THRESHOLD", "nan", "'nan' is not a non-negative number (at most 12 digits and 6 decimals)"),
        ("REMINDER_INTERVAL_HOURS", "0", "expected a number from 1 to 720"),
        ("REMINDER_INTERVAL_HOURS", "soon", "expected a number from 1 to 720"),
        ("REMINDER_INTERVAL_HOURS", "999999999999", "expected a number from 1 to 720"),
        ("REMINDER_INTERVAL_HOURS", "720.5", "expected a number from 1 to 720"),
        ("HISTORY_RETENTION_DAYS", "7.5", "expected a whole number from 1 to 3650"),
        ("HISTORY_RETENTION_DAYS", "999999999999", "expected a whole number from 1 to 3650"),
        ("HISTORY_RETENTION_DAYS", "3651", "expected a whole number from 1 to 3650"),
        ("RUNWAY_ALERT_DAYS", "0", "expected a number from 0.1 to 365"),
        ("RUNWAY_ALERT_DAYS", "0.09", "expected a number from 0.1 to 365"),
        ("RUNWAY_ALERT_DAYS", "365.01", "expected a number from 0.1 to 365"),
        ("SPEND_SPIKE_FACTOR", "1", "expected a number from 1.1 to 100"),
        ("SPEND_SPIKE_FACTOR", "100.5", "expected a number from 1.1 to 100"),
        ("DEEPSEEK_BASE_URL", "ftp://api.deepseek.com", "expected an http(s) URL"),
        ("DEEPSEEK_BASE_URL", "http://api.deepseek.com", "use https (http only for localhost)"),
        ("DEEPSEEK_BASE_URL", "https://proxy.example/?key=1", "no query or fragment allowed"),
    ],
)
def test_an_unusable_setting_is_a_problem_naming_the_parameter_the_variable_and_the_value(name, value, reason):
    settings = Settings.from_environment({**ENVIRONMENT, name: value})

    assert settings.problems == (f"{PARAMETERS[name]}: {name}={value!r} is invalid: {reason}",)


def test_every_unusable_setting_is_named_and_the_templates_defaults_stand_in():
    settings = Settings.from_environment(
        {**ENVIRONMENT, "REMINDER_INTERVAL_HOURS": "0", "SPEND_SPIKE_FACTOR": "lots", "DEEPSEEK_BASE_URL": "ftp://x"}
    )

    assert [problem.split(":")[0] for problem in settings.problems] == [
        "ReminderIntervalHours",
        "SpendSpikeFactor",
        "DeepSeekBaseUrl",
    ]
    assert (settings.reminder_interval, settings.spike_factor) == (timedelta(hours=24), Decimal(3))
    assert settings.deepseek_base_url == "https://api.deepseek.com"
    assert Settings.from_environment(ENVIRONMENT).problems == ()


def test_a_topic_arn_that_is_not_an_arn_is_refused_outright():
    # Without the topic no alert can say what is wrong: this setting alone still raises.
    with pytest.raises(ConfigurationError) as error:
        Settings.from_environment({**ENVIRONMENT, "TOPIC_ARN": "alerts"})

    assert str(error.value) == "TOPIC_ARN='alerts' is invalid: expected an SNS topic ARN"


@pytest.mark.parametrize("name", ["TABLE_NAME", "TOPIC_ARN"])
@pytest.mark.parametrize("value", [None, "", "  "])
def test_without_the_topic_or_the_table_the_function_cannot_start(name, value):
    environment = {key: text for key, text in ENVIRONMENT.items() if key != name}
    if value is not None:
        environment[name] = value

    with pytest.raises(ConfigurationError) as error:
        Settings.from_environment(environment)

    assert str(error.value) == f"{name} must be set"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("API_KEY_SECRET_ID", "API_KEY_SECRET_ID must be set"),
        ("LOW_BALANCE_THRESHOLD", "LowBalanceThreshold: LOW_BALANCE_THRESHOLD must be set"),
    ],
)
@pytest.mark.parametrize("value", [None, "", "  "])
def test_any_other_required_setting_missing_is_a_problem(name, problem, value):
    environment = {key: text for key, text in ENVIRONMENT.items() if key != name}
    if value is not None:
        environment[name] = value

    settings = Settings.from_environment(environment)

    assert settings.problems == (problem,)
    assert getattr(settings, "api_key_secret_id" if name == "API_KEY_SECRET_ID" else "thresholds") in ("", Thresholds())


def test_required_settings_are_read_without_surrounding_spaces():
    settings = Settings.from_environment(
        {**ENVIRONMENT, "TABLE_NAME": " history ", "TOPIC_ARN": " arn:aws:sns:eu-west-1:123456789012:alerts\n"}
    )

    assert (settings.table_name, settings.topic_arn) == ("history", "arn:aws:sns:eu-west-1:123456789012:alerts")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://gateway.example/DEEPSEEK-BOX//", "https://gateway.example/DEEPSEEK-BOX"),
        (" https://api.deepseek.com/ ", "https://api.deepseek.com"),
    ],
)
def test_a_base_url_keeps_its_path_and_loses_trailing_slashes(url, expected):
    settings = Settings.from_environment({**ENVIRONMENT, "DEEPSEEK_BASE_URL": url})

    assert settings.deepseek_base_url == expected


@pytest.mark.parametrize(
    ("name", "value", "field", "expected"),
    [
        ("REMINDER_INTERVAL_HOURS", "1", "reminder_interval", timedelta(hours=1)),
        ("REMINDER_INTERVAL_HOURS", "720", "reminder_interval", timedelta(days=30)),
        ("HISTORY_RETENTION_DAYS", "1", "history_retention", timedelta(days=1)),
        ("HISTORY_RETENTION_DAYS", "3650", "history_retention", timedelta(days=3650)),
        ("RUNWAY_ALERT_DAYS", "0.1", "runway_alert_days", Decimal("0.1")),
        ("RUNWAY_ALERT_DAYS", "365", "runway_alert_days", Decimal(365)),
        ("SPEND_SPIKE_FACTOR", "1.1", "spike_factor", Decimal("1.1")),
        ("SPEND_SPIKE_FACTOR", "100", "spike_factor", Decimal(100)),
    ],
)
def test_numeric_settings_take_their_bounds(name, value, field, expected):
    settings = Settings.from_environment({**ENVIRONMENT, name: value})

    assert getattr(settings, field) == expected


def test_numeric_settings_default_to_the_templates_defaults():
    settings = Settings.from_environment(ENVIRONMENT | {"REMINDER_INTERVAL_HOURS": "", "HISTORY_RETENTION_DAYS": ""})

    assert (settings.runway_alert_days, settings.spike_factor) == (Decimal(3), Decimal(3))
    assert (settings.reminder_interval, settings.history_retention) == (timedelta(hours=24), timedelta(days=90))


def test_plain_http_is_allowed_only_on_this_machine():
    settings = Settings.from_environment({**ENVIRONMENT, "DEEPSEEK_BASE_URL": "http://127.0.0.1:8080"})

    assert settings.deepseek_base_url == "http://127.0.0.1:8080"


@pytest.mark.parametrize("environment", [{}, {"SLACK_WEBHOOK_SECRET_ID": ""}, {"SLACK_WEBHOOK_SECRET_ID": " \t"}])
def test_the_slack_notifier_needs_its_webhook_secret(environment):
    with pytest.raises(ConfigurationError) as error:
        SlackSettings.from_environment(environment)

    assert str(error.value) == "SLACK_WEBHOOK_SECRET_ID must be set"


def test_the_slack_notifier_reads_its_webhook_secret_without_surrounding_spaces():
    settings = SlackSettings.from_environment({"SLACK_WEBHOOK_SECRET_ID": "  slack-webhook-url\n"})

    assert settings == SlackSettings(webhook_secret_id="slack-webhook-url")
