import json
from decimal import Decimal

import pytest

from balance_monitor.adapters.secrets import AccountConfig, parse_accounts, parse_api_key, parse_webhook_url
from balance_monitor.balance import Thresholds
from balance_monitor.errors import ApiKeyMissingError, SlackConfigurationError

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


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({}, "no API key"),
        ({"api_key": ""}, "no API key"),
        ({"api_key": " "}, "empty"),
        ({"api_key": "sk-cccccccccccc", "low_balance_threshold": "lots"}, "low_balance_threshold='lots' is invalid"),
        ({"api_key": "sk-cccccccccccc", "runway_alert_days": -1}, "runway_alert_days='-1' is invalid"),
        ("sk-cccccccccccc", "is not an object"),
    ],
)
def test_an_unusable_entry_keeps_its_name_and_says_why_without_quoting_the_key(entry, problem):
    accounts = parse_accounts(json.dumps({"accounts": {"fine": {"api_key": "sk-aaaaaaaaaaaa"}, "broken": entry}}))

    assert accounts["fine"].api_key == "sk-aaaaaaaaaaaa"
    assert accounts["broken"].api_key is None
    assert problem in accounts["broken"].problem
    assert "sk-cccc" not in accounts["broken"].problem


def test_a_bad_account_name_is_refused_for_that_account_only():
    accounts = parse_accounts(json.dumps({"accounts": {"no spaces please": {"api_key": "sk-aaaaaaaaaaaa"}}}))

    assert accounts["no spaces please"].problem.startswith("account names take letters")


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
        assert config.problem == (
            "the secret's entry for 'team': runway_alert_days='366' is invalid: expected a number from 0.1 to 365"
        )
