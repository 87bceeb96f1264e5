import json
from decimal import Decimal

import pytest

from balance_monitor.adapters.secrets import AccountConfig, parse_accounts, parse_api_key, parse_webhook_url
from balance_monitor.balance import Thresholds
from balance_monitor.errors import ApiKeyMissingError, ConfigurationError, SlackConfigurationError

KEY = "sk-0123456789abcdef"


@pytest.mark.parametrize(
    "value",
    [KEY, f"  {KEY}\n", f'{{"api_key": "{KEY}"}}', f'{{"api_key": " {KEY} ", "note": "x"}}', KEY.encode()],
)
def test_the_key_as_a_plain_string_or_json(value):
    assert parse_api_key(value) == KEY


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "empty"),
        ('{"api_key": ""}', "empty"),
        ('{"key": "sk-0123456789abcdef"}', 'no "api_key" string'),
        ('{"api_key": 12345}', 'no "api_key" string'),
        ('{"api_key": "sk-0123456789abcdef"', "not valid JSON"),
        ("sk-0123 456789abcdef", "spaces or control characters"),
        ("sk-0123456789abcdef\r\nX-Evil: 1", "spaces or control characters"),
        (b"\xff\xfe", "not text"),
        (None, "not text"),
    ],
)
def test_a_secret_without_a_usable_key_is_a_clear_error_that_does_not_quote_it(value, message):
    with pytest.raises(ApiKeyMissingError, match=message) as error:
        parse_api_key(value)

    assert "0123456789abcdef" not in str(error.value)
    assert error.value.__cause__ is None


WEBHOOK = "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX"


@pytest.mark.parametrize("value", [WEBHOOK, f" {WEBHOOK}\n", f'{{"webhook_url": "{WEBHOOK}"}}', WEBHOOK.encode()])
def test_the_webhook_url_as_a_plain_string_or_json(value):
    assert parse_webhook_url(value) == WEBHOOK


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "empty"),
        ('{"url": "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX"}', 'no "webhook_url" string'),
        ("http://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX", "does not hold an https URL"),
        ("hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX", "does not hold an https URL"),
        ("https://hooks.slack.com/services/T000/B000/XXXX XXXX", "does not hold an https URL"),
    ],
)
def test_a_secret_without_a_usable_webhook_is_a_clear_error_that_does_not_quote_it(value, message):
    with pytest.raises(SlackConfigurationError, match=message) as error:
        parse_webhook_url(value)

    assert "XXXX" not in str(error.value)


def test_a_single_key_is_the_default_account():
    accounts = parse_accounts(f'{{"api_key": "{KEY}"}}')

    assert accounts == {"default": AccountConfig("default", KEY)}


def test_several_accounts_each_with_optional_thresholds_and_runway():
    secret = {
        "accounts": {
            "team-a": {"api_key": "sk-aaaaaaaaaaaa", "low_balance_threshold": "CNY=50", "runway_alert_days": 2},
            "client.b": {"api_key": "sk-bbbbbbbbbbbb"},
        }
    }

    accounts = parse_accounts(json.dumps(secret))

    assert accounts["team-a"] == AccountConfig(
        "team-a", "sk-aaaaaaaaaaaa", Thresholds(per_currency={"CNY": Decimal(50)}), Decimal(2)
    )
    assert accounts["client.b"] == AccountConfig("client.b", "sk-bbbbbbbbbbbb")
    assert accounts["client.b"].provider == "deepseek"  # every secret written before providers keeps its meaning


def test_an_account_names_its_provider_and_may_give_its_own_address():
    secret = {
        "accounts": {
            "kimi": {"api_key": "sk-kkkkkkkkkkkk", "provider": "moonshot-global"},
            "proxied": {
                "api_key": "sk-pppppppppppp",
                "provider": "siliconflow",
                "base_url": "https://api.siliconflow.com/",
            },
        }
    }

    accounts = parse_accounts(json.dumps(secret))

    assert (accounts["kimi"].provider, accounts["kimi"].base_url) == ("moonshot-global", None)
    assert (accounts["proxied"].provider, accounts["proxied"].base_url) == (
        "siliconflow",
        "https://api.siliconflow.com",
    )


@pytest.mark.parametrize(
    ("entry", "problem", "kind"),
    [
        ({}, "the secret's entry for 'broken' has no API key", ApiKeyMissingError),
        ({"api_key": ""}, "the secret's entry for 'broken' has no API key", ApiKeyMissingError),
        ({"api_key": " "}, "the secret's entry for 'broken': the API key secret is empty", ApiKeyMissingError),
        (
            {"api_key": "sk-cccccccccccc", "low_balance_threshold": "lots"},
            "the secret's entry for 'broken': low_balance_threshold='lots' is invalid: "
            "'lots' is not a non-negative number (at most 12 digits and 6 decimals)",
            ConfigurationError,
        ),
        (
            {"api_key": "sk-cccccccccccc", "critical_balance_threshold": "CNY=10,CNY=5"},
            "the secret's entry for 'broken': critical_balance_threshold='CNY=10,CNY=5' is invalid: CNY is given twice",
            ConfigurationError,
        ),
        (
            {"api_key": "sk-cccccccccccc", "low_balance_threshold": "CNY=50", "critical_balance_threshold": 50},
            "the secret's entry for 'broken': critical_balance_threshold sets 50 for CNY, not below "
            "low_balance_threshold's 50; the critical level must be the lower one",
            ConfigurationError,
        ),
        (
            {"api_key": "sk-cccccccccccc", "low_balance_threshold": "CNY=50", "critical_balance_threshold": "10"},
            "the secret's entry for 'broken': critical_balance_threshold sets 10 for USD but low_balance_threshold "
            "sets no threshold for USD; a critical level needs a warning level above it",
            ConfigurationError,
        ),
        (
            {"api_key": "sk-cccccccccccc", "runway_alert_days": -1},
            "the secret's entry for 'broken': runway_alert_days='-1' is invalid: expected a number from 0.1 to 365",
            ConfigurationError,
        ),
        (
            {"api_key": "sk-cccccccccccc", "low_balance_treshold": "CNY=5", "Runway": 1},
            "the secret's entry for 'broken' has unknown fields Runway, low_balance_treshold "
            "(known: api_key, provider, base_url, low_balance_threshold, critical_balance_threshold, "
            "runway_alert_days, alert_language)",
            ConfigurationError,
        ),
        (
            {"api_key": "sk-cccccccccccc", "alert_language": "zh"},
            "the secret's entry for 'broken': alert_language='zh' is invalid: expected en or zh-CN",
            ConfigurationError,
        ),
        (
            {"api_key": "sk-cccccccccccc", "provider": "kimi"},
            "the secret's entry for 'broken': \"provider\" 'kimi' is not one of deepseek, moonshot, moonshot-global, "
            "siliconflow, openrouter, openrouter-key, novita",
            ConfigurationError,
        ),
        (
            {"api_key": "sk-cccccccccccc", "provider": ["moonshot"]},
            "the secret's entry for 'broken': \"provider\" ['moonshot'] is not one of deepseek, moonshot, "
            "moonshot-global, siliconflow, openrouter, openrouter-key, novita",
            ConfigurationError,
        ),
        (
            {"api_key": "sk-cccccccccccc", "provider": "moonshot", "base_url": "http://proxy.example.com"},
            "the secret's entry for 'broken': base_url='http://proxy.example.com' is invalid: use https "
            "(http only for localhost)",
            ConfigurationError,
        ),
        ("sk-cccccccccccc", "the secret's entry for 'broken' is not an object", ConfigurationError),
    ],
)
def test_an_unusable_entry_keeps_its_name_and_says_why_without_quoting_the_key(entry, problem, kind):
    """A key that is missing or unusable is a key problem (`key_rejected`); any other field that
    cannot be used is a configuration problem (`misconfigured`), named by the secret's field."""
    accounts = parse_accounts(json.dumps({"accounts": {"fine": {"api_key": "sk-aaaaaaaaaaaa"}, "broken": entry}}))

    assert accounts["fine"].api_key == "sk-aaaaaaaaaaaa"
    assert accounts["fine"].problem is None
    assert accounts["broken"].api_key is None
    assert type(accounts["broken"].problem) is kind
    assert str(accounts["broken"].problem) == problem


@pytest.mark.parametrize(
    ("entry", "thresholds", "critical_thresholds"),
    [
        ({"critical_balance_threshold": "CNY=10"}, None, Thresholds(per_currency={"CNY": Decimal(10)})),
        ({"critical_balance_threshold": ""}, None, Thresholds()),  # none for this account, whatever the stack's
        (
            {"low_balance_threshold": 50, "critical_balance_threshold": 10},
            Thresholds(default=Decimal(50)),
            Thresholds(default=Decimal(10)),
        ),
        ({"low_balance_threshold": "CNY=50"}, Thresholds(per_currency={"CNY": Decimal(50)}), None),
    ],
)
def test_an_accounts_critical_level_overrides_the_stacks_like_its_warning_level(entry, thresholds, critical_thresholds):
    [config] = parse_accounts(json.dumps({"accounts": {"team": {"api_key": KEY, **entry}}})).values()

    assert config.problem is None
    assert (config.thresholds, config.critical_thresholds) == (thresholds, critical_thresholds)


def test_a_bad_account_name_is_refused_for_that_account_only():
    accounts = parse_accounts(json.dumps({"accounts": {"no spaces please": {"api_key": "sk-aaaaaaaaaaaa"}}}))

    assert isinstance(accounts["no spaces please"].problem, ConfigurationError)
    assert str(accounts["no spaces please"].problem).startswith("account names take letters")


@pytest.mark.parametrize("accounts", [[], {}, "prod", [{"api_key": "sk-aaaaaaaaaaaa"}]])
def test_accounts_that_are_not_a_map_of_names_are_a_configuration_problem(accounts):
    with pytest.raises(ConfigurationError, match='the API key secret\'s "accounts" is not a map of account names'):
        parse_accounts(json.dumps({"accounts": accounts}))


def test_a_key_with_characters_a_header_cannot_carry_is_a_key_problem_at_once():
    with pytest.raises(ApiKeyMissingError, match="not ASCII") as error:
        parse_api_key("sk-0123456789abcdéf")

    assert "0123456789" not in str(error.value)


def test_an_accounts_repr_never_shows_its_key():
    [config] = parse_accounts(json.dumps({"accounts": {"team": {"api_key": KEY}}})).values()

    assert KEY not in repr(config)
    assert config.api_key == KEY


@pytest.mark.parametrize(("runway", "expected"), [("0.1", Decimal("0.1")), ("365", Decimal(365)), ("366", None)])
def test_an_accounts_runway_alert_days_takes_the_stacks_bounds(runway, expected):
    [config] = parse_accounts(
        json.dumps({"accounts": {"team": {"api_key": KEY, "runway_alert_days": runway}}})
    ).values()

    assert config.runway_alert_days == expected
    if expected is None:
        assert str(config.problem) == (
            "the secret's entry for 'team': runway_alert_days='366' is invalid: expected a number from 0.1 to 365"
        )
