import pytest

from balance_monitor.adapters.secrets import parse_api_key, parse_webhook_url
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
