import re
from datetime import timedelta
from decimal import Decimal

import pytest

from balance_monitor.balance import Thresholds
from balance_monitor.errors import ConfigurationError
from balance_monitor.settings import Settings, parse_thresholds

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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("50", Thresholds(default=Decimal(50))),
        ("12.5", Thresholds(default=Decimal("12.5"))),
        ("cny=50, usd=7", Thresholds(per_currency={"CNY": Decimal(50), "USD": Decimal(7)})),
        ("10,CNY=50", Thresholds(default=Decimal(10), per_currency={"CNY": Decimal(50)})),
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
        ("TABLE_NAME", "", "must be set"),
        ("TOPIC_ARN", "alerts", "expected an SNS topic ARN"),
        ("API_KEY_SECRET_ID", "  ", "must be set"),
        ("LOW_BALANCE_THRESHOLD", "", "must be set"),
        ("LOW_BALANCE_THRESHOLD", "-5", "not a non-negative number"),
        ("LOW_BALANCE_THRESHOLD", "ten", "not a non-negative number"),
        ("LOW_BALANCE_THRESHOLD", "EUR=5", "unknown currency 'EUR'"),
        ("LOW_BALANCE_THRESHOLD", "CNY=5,CNY=6", "CNY is given twice"),
        ("LOW_BALANCE_THRESHOLD", "5,6", "at most one threshold"),
        ("LOW_BALANCE_THRESHOLD", "CNY=", "not a non-negative number"),
        ("LOW_BALANCE_THRESHOLD", "nan", "not a non-negative number"),
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
        ("DEEPSEEK_BASE_URL", "http://api.deepseek.com", "use https"),
        ("DEEPSEEK_BASE_URL", "https://proxy.example/?key=1", "no query"),
    ],
)
def test_invalid_settings_name_the_variable_and_the_value(name, value, reason):
    with pytest.raises(ConfigurationError, match=re.escape(reason)) as error:
        Settings.from_environment({**ENVIRONMENT, name: value})

    assert name in str(error.value)
    if value.strip():
        assert repr(value) in str(error.value)


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
