from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from balance_monitor.balance import Thresholds
from balance_monitor.channel_settings import NotifierSettings, SlackInteractionSettings, SlackSettings
from balance_monitor.errors import ConfigurationError
from balance_monitor.settings import (
    PARAMETERS,
    Settings,
    levels_problem,
    parse_critical_thresholds,
    parse_thresholds,
)

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
        (
            "CRITICAL_BALANCE_THRESHOLD",
            "CNY=lots",
            "'CNY=lots' is not a non-negative number (at most 12 digits and 6 decimals)",
        ),
        (
            "CRITICAL_BALANCE_THRESHOLD",
            "USD=1,CNY=5",
            "give the threshold for every currency first, then CNY, then USD",
        ),
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


@pytest.mark.parametrize("value", [None, ""])
def test_there_is_no_critical_level_unless_one_is_given(value):
    environment = {**ENVIRONMENT} if value is None else {**ENVIRONMENT, "CRITICAL_BALANCE_THRESHOLD": value}

    settings = Settings.from_environment(environment)

    assert settings.critical_thresholds == Thresholds()
    assert settings.problems == ()


@pytest.mark.parametrize(
    ("low", "critical", "expected"),
    [
        ("CNY=50,USD=7", "CNY=10,USD=2", Thresholds(per_currency={"CNY": Decimal(10), "USD": Decimal(2)})),
        ("CNY=50,USD=7", "5", Thresholds(default=Decimal(5))),  # under both
        ("10,CNY=50", " 9.5 , cny = 20 ", Thresholds(default=Decimal("9.5"), per_currency={"CNY": Decimal(20)})),
        ("50", "USD=49.999999", Thresholds(per_currency={"USD": Decimal("49.999999")})),  # CNY: no critical level
    ],
)
def test_a_critical_level_under_the_warning_level_in_every_currency(low, critical, expected):
    environment = {**ENVIRONMENT, "LOW_BALANCE_THRESHOLD": low, "CRITICAL_BALANCE_THRESHOLD": critical}

    settings = Settings.from_environment(environment)

    assert settings.critical_thresholds == expected
    assert settings.problems == ()


@pytest.mark.parametrize(
    ("low", "critical", "problem"),
    [
        ("CNY=50,USD=7", "CNY=50", "sets 50 for CNY, not below LowBalanceThreshold's 50"),
        ("CNY=50,USD=7", "CNY=60", "sets 60 for CNY, not below LowBalanceThreshold's 50"),
        ("CNY=50,USD=7", "7", "sets 7 for USD, not below LowBalanceThreshold's 7"),  # CNY is fine
        ("10,CNY=50", "20", "sets 20 for USD, not below LowBalanceThreshold's 10"),  # USD has the default's 10
        ("50", "CNY=10,USD=50.000001", "sets 50.000001 for USD, not below LowBalanceThreshold's 50"),
        ("5,USD=1", "CNY=3,USD=1", "sets 1 for USD, not below LowBalanceThreshold's 1"),
    ],
)
def test_a_critical_level_at_or_above_the_warning_level_is_a_problem_naming_both(low, critical, problem):
    environment = {**ENVIRONMENT, "LOW_BALANCE_THRESHOLD": low, "CRITICAL_BALANCE_THRESHOLD": critical}

    settings = Settings.from_environment(environment)

    assert settings.problems == (f"CriticalBalanceThreshold {problem}; the critical level must be the lower one",)


@pytest.mark.parametrize(("low", "critical", "currency"), [("CNY=50", "5", "USD"), ("USD=7", "CNY=1", "CNY")])
def test_a_critical_level_for_a_currency_with_no_warning_level_is_a_problem(low, critical, currency):
    environment = {**ENVIRONMENT, "LOW_BALANCE_THRESHOLD": low, "CRITICAL_BALANCE_THRESHOLD": critical}

    settings = Settings.from_environment(environment)

    amount = critical.rpartition("=")[2]
    assert settings.problems == (
        f"CriticalBalanceThreshold sets {amount} for {currency} but LowBalanceThreshold sets no threshold for "
        f"{currency}; a critical level needs a warning level above it",
    )


def test_an_unusable_warning_level_is_the_only_problem_not_a_clash_besides():
    environment = {**ENVIRONMENT, "LOW_BALANCE_THRESHOLD": "lots", "CRITICAL_BALANCE_THRESHOLD": "5"}

    [problem] = Settings.from_environment(environment).problems

    assert problem.startswith("LowBalanceThreshold: LOW_BALANCE_THRESHOLD='lots' is invalid")


def test_the_critical_level_takes_the_warning_levels_grammar_or_nothing():
    assert parse_critical_thresholds("") == Thresholds()
    assert parse_critical_thresholds("5,CNY=10") == parse_thresholds("5,CNY=10")
    with pytest.raises(ConfigurationError, match=r"^critical_balance_threshold=' ' is invalid"):
        parse_critical_thresholds(" ", "critical_balance_threshold")
    with pytest.raises(ConfigurationError, match=r"^CRITICAL_BALANCE_THRESHOLD='EUR=1' is invalid"):
        parse_critical_thresholds("EUR=1")


def test_levels_problem_names_the_levels_as_given():
    warning, critical = parse_thresholds("CNY=5"), parse_thresholds("CNY=5")

    assert levels_problem(warning, critical, "low", "critical") == (
        "critical sets 5 for CNY, not below low's 5; the critical level must be the lower one"
    )
    assert levels_problem(warning, Thresholds(), "low", "critical") is None


STACK = Settings.from_environment(
    {**ENVIRONMENT, "LOW_BALANCE_THRESHOLD": "CNY=50,USD=7", "CRITICAL_BALANCE_THRESHOLD": "CNY=10"}
)


def test_an_account_takes_the_stacks_settings_where_its_entry_has_none():
    settings = STACK.for_account("team")

    assert settings == replace(STACK, account="team")


def test_an_accounts_own_fields_override_the_stacks_one_by_one():
    own_low = STACK.for_account("team", thresholds=parse_thresholds("CNY=20"), runway_alert_days=Decimal(5))
    own_critical = STACK.for_account("team", critical_thresholds=parse_thresholds("USD=1"))
    no_critical = STACK.for_account("team", critical_thresholds=Thresholds())

    assert (own_low.thresholds, own_low.critical_thresholds) == (parse_thresholds("CNY=20"), STACK.critical_thresholds)
    assert (own_low.runway_alert_days, own_low.problems) == (Decimal(5), ())
    assert (own_critical.thresholds, own_critical.critical_thresholds) == (STACK.thresholds, parse_thresholds("USD=1"))
    assert (own_critical.problems, own_critical.runway_alert_days) == ((), STACK.runway_alert_days)
    assert (no_critical.critical_thresholds, no_critical.problems) == (Thresholds(), ())


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        (
            {"thresholds": parse_thresholds("CNY=8")},
            "CriticalBalanceThreshold sets 10 for CNY, not below low_balance_threshold's 8",
        ),
        (
            {"critical_thresholds": parse_thresholds("USD=7")},
            "critical_balance_threshold sets 7 for USD, not below LowBalanceThreshold's 7",
        ),
    ],
)
def test_an_accounts_level_that_clashes_with_the_stacks_is_a_problem_for_that_account(fields, problem):
    settings = STACK.for_account("team", **fields)

    assert settings.problems == (f"the secret's entry for 'team': {problem}; the critical level must be the lower one",)
    assert STACK.problems == ()


def test_an_account_keeps_the_stacks_problems():
    broken = Settings.from_environment({**ENVIRONMENT, "REMINDER_INTERVAL_HOURS": "0"})

    assert broken.for_account("team", thresholds=parse_thresholds("CNY=8")).problems == broken.problems


@pytest.mark.parametrize(
    ("value", "expected"), [(None, False), ("false", False), (" TRUE ", True), ("true", True), ("False", False)]
)
def test_the_slack_notifier_adds_snooze_buttons_only_when_told(value, expected):
    environment = {"SLACK_WEBHOOK_SECRET_ID": "slack-webhook-url"}
    if value is not None:
        environment["SLACK_SNOOZE_BUTTONS"] = value

    assert SlackSettings.from_environment(environment).snooze_buttons is expected


def test_a_snooze_buttons_setting_that_is_not_true_or_false_is_named():
    with pytest.raises(ConfigurationError) as error:
        SlackSettings.from_environment({"SLACK_WEBHOOK_SECRET_ID": "hook", "SLACK_SNOOZE_BUTTONS": "Yes"})

    assert str(error.value) == "SLACK_SNOOZE_BUTTONS='yes' is invalid: expected true or false"


def test_the_snooze_endpoint_reads_its_table_and_signing_secret():
    settings = SlackInteractionSettings.from_environment(
        {"TABLE_NAME": " history ", "SLACK_SIGNING_SECRET_ID": " signing\n"}
    )

    assert settings == SlackInteractionSettings(table_name="history", signing_secret_id="signing")


@pytest.mark.parametrize("name", ["TABLE_NAME", "SLACK_SIGNING_SECRET_ID"])
@pytest.mark.parametrize("value", [None, " "])
def test_the_snooze_endpoint_needs_both_settings(name, value):
    environment = {"TABLE_NAME": "history", "SLACK_SIGNING_SECRET_ID": "signing"}
    if value is None:
        del environment[name]
    else:
        environment[name] = value

    with pytest.raises(ConfigurationError) as error:
        SlackInteractionSettings.from_environment(environment)

    assert str(error.value) == f"{name} must be set"


@pytest.mark.parametrize(
    ("provider", "base_url", "read_at"),
    [
        ("deepseek", None, "http://127.0.0.1:8765"),  # the stack's DeepSeekBaseUrl
        ("deepseek", "https://deepseek-proxy.example.com", "https://deepseek-proxy.example.com"),
        ("moonshot", None, "https://api.moonshot.cn"),  # the provider's own, not DeepSeek's
        ("novita", "https://novita-proxy.example.com", "https://novita-proxy.example.com"),
    ],
)
def test_an_account_is_read_at_its_own_address_else_its_providers(provider, base_url, read_at):
    stack = Settings.from_environment({**ENVIRONMENT, "DEEPSEEK_BASE_URL": "http://127.0.0.1:8765"})

    account = stack.for_account("team", provider=provider, base_url=base_url)

    assert (account.account, account.provider, account.base_url) == ("team", provider, base_url)
    assert account.balance_base_url == read_at
    assert stack.balance_base_url == "http://127.0.0.1:8765"  # the stack's own account is DeepSeek's


@pytest.mark.parametrize(
    ("url", "shown", "reason"),
    [
        ("https://proxy.example/?key=1", "https://proxy.example/", "no user, password, query or fragment allowed"),
        (
            "https://user:p4ss@proxy.example/v1",
            "https://proxy.example/v1",
            "no user, password, query or fragment allowed",
        ),
        ("http://user:p4ss@example.com/?token=abc", "http://example.com/", "use https (http only for localhost)"),
        ("ftp://user:p4ss@example.com", "ftp://example.com", "expected an http(s) URL"),
        # A user without a password, or a fragment alone, is refused too.
        ("https://p4ss@proxy.example/v1", "https://proxy.example/v1", "no user, password, query or fragment allowed"),
        ("https://proxy.example/v1#p4ss", "https://proxy.example/v1", "no user, password, query or fragment allowed"),
        # Without a scheme or a host, what was given is shown as it was.
        ("api.deepseek.com", "api.deepseek.com", "expected an http(s) URL"),
        ("https:///v1", "https:///v1", "expected an http(s) URL"),
    ],
)
def test_a_base_url_is_never_quoted_with_the_credentials_it_holds(url, shown, reason):
    settings = Settings.from_environment({**ENVIRONMENT, "DEEPSEEK_BASE_URL": url})

    assert settings.problems == (f"DeepSeekBaseUrl: DEEPSEEK_BASE_URL={shown!r} is invalid: {reason}",)
    assert "p4ss" not in settings.problems[0]
    assert "key=1" not in settings.problems[0]


def test_the_notifier_reads_its_secret_and_queue_trimmed():
    settings = NotifierSettings.from_environment(
        {"NOTIFICATION_URLS_SECRET_ID": " deepseek-monitor/notifications\n", "UNDELIVERED_QUEUE_URL": " https://q "}
    )

    assert settings == NotifierSettings(
        destinations_secret_id="deepseek-monitor/notifications", undelivered_queue_url="https://q"
    )


@pytest.mark.parametrize(
    ("environment", "missing"),
    [
        ({"UNDELIVERED_QUEUE_URL": "https://q"}, "NOTIFICATION_URLS_SECRET_ID"),
        ({"NOTIFICATION_URLS_SECRET_ID": " ", "UNDELIVERED_QUEUE_URL": "https://q"}, "NOTIFICATION_URLS_SECRET_ID"),
        ({"NOTIFICATION_URLS_SECRET_ID": "s"}, "UNDELIVERED_QUEUE_URL"),
        ({"NOTIFICATION_URLS_SECRET_ID": "s", "UNDELIVERED_QUEUE_URL": ""}, "UNDELIVERED_QUEUE_URL"),
    ],
)
def test_the_notifier_names_the_variable_it_misses(environment, missing):
    with pytest.raises(ConfigurationError, match=f"^{missing} must be set$"):
        NotifierSettings.from_environment(environment)
