"""destinations.py: the destinations secret read and checked, entry by entry, and which message
each destination takes."""

import json

import pytest

from balance_monitor.destinations import DESTINATION_FIELDS, Destination, parse_destinations
from balance_monitor.errors import DestinationsConfigurationError

KNOWN = ", ".join(DESTINATION_FIELDS)
SECRET = "k" * 16  # the shortest signing secret taken


def one(entry: object) -> Destination:
    [destination] = parse_destinations(json.dumps({"destinations": [entry]}))
    return destination


@pytest.mark.parametrize(
    ("entry", "problem", "label"),
    [
        ("discord://1/t", "is not an object", "(?://)"),
        ([{"url": "discord://1/t"}], "is not an object", "(?://)"),
        (
            {"url": "discord://1/t", "colour": "red", "b" * 50: 1},
            f"has unknown fields {'b' * 40}, colour (known: {KNOWN})",
            "(discord://)",
        ),
        (
            {"url": "discord://1/t", "name": "Ops!"},
            '"name" takes letters, digits, spaces and . _ : / - (64 at most)',
            "(discord://)",
        ),
        ({"url": "discord://1/t", "name": 5}, '"name" takes letters, digits, spaces and . _ : / - (64 at most)', None),
        ({"name": "Ops"}, 'has no "url" string', "'Ops' (?://)"),
        ({"url": 5, "name": "Ops"}, 'has no "url" string', "'Ops' (?://)"),
        ({"url": "  "}, 'has no "url" string', "(?://)"),
        ({"url": " discord://1/t"}, '"url" contains spaces or control characters', "(?://)"),
        ({"url": "discord://1/t\n"}, '"url" contains spaces or control characters', "(discord://)"),
        ({"url": "discord://1/\x07t"}, '"url" contains spaces or control characters', "(discord://)"),
        ({"url": "discord://1/\u00a0t"}, '"url" contains spaces or control characters', "(discord://)"),
        ({"url": "discord//1/t"}, '"url" is not a URL: it needs a scheme, such as discord:// or https://', "(?://)"),
        (
            {"url": "discord://1/t", "min_severity": "INFO"},
            "\"min_severity\" 'INFO' is not one of info, warning, critical",
            "(discord://)",
        ),
        (
            {"url": "discord://1/t", "min_severity": "w" * 50},
            f'"min_severity" \'{"w" * 39} is not one of info, warning, critical',
            "(discord://)",
        ),
        ({"url": "discord://1/t", "accounts": "prod"}, '"accounts" is not a non-empty list of account names', None),
        ({"url": "discord://1/t", "accounts": []}, '"accounts" is not a non-empty list of account names', None),
        (
            {"url": "discord://1/t", "accounts": ["prod", ""]},
            '"accounts" is not a non-empty list of account names',
            None,
        ),
        (
            {"url": "discord://1/t", "accounts": ["prod", 5]},
            '"accounts" is not a non-empty list of account names',
            None,
        ),
        (
            {"url": "discord://1/t", "format": "xml"},
            '"format" takes only "json" (a signed webhook); leave it out for Apprise',
            None,
        ),
        (
            {"url": "http://hooks.example.com/t", "format": "json", "signing_secret": SECRET},
            'a "json" destination needs an https URL',
            "(http://)",
        ),
        (
            {"url": "discord://hooks.example.com/t", "format": "json", "signing_secret": SECRET},
            'a "json" destination needs an https URL',
            None,
        ),
        (
            {"url": "https://hooks.example.com/t", "format": "json"},
            'a "json" destination needs a "signing_secret" of 16 characters or more',
            "(https://)",
        ),
        (
            {"url": "https://hooks.example.com/t", "format": "json", "signing_secret": SECRET[1:]},
            'a "json" destination needs a "signing_secret" of 16 characters or more',
            None,
        ),
        (
            {"url": "https://hooks.example.com/t", "format": "json", "signing_secret": SECRET + " k"},
            '"signing_secret" contains spaces or characters that are not ASCII',
            None,
        ),
        (
            {"url": "https://hooks.example.com/t", "format": "json", "signing_secret": SECRET + "密"},
            '"signing_secret" contains spaces or characters that are not ASCII',
            None,
        ),
        (
            {"url": "https://hooks.example.com/t", "format": "json", "signing_secret": SECRET + "\t"},
            '"signing_secret" contains spaces or characters that are not ASCII',
            None,
        ),
        (
            {"url": "discord://1/t", "signing_secret": SECRET},
            '"signing_secret" goes with "format": "json" only',
            None,
        ),
    ],
)
def test_each_unusable_entry_says_exactly_why_and_is_labelled_without_its_url(entry, problem, label):
    [first, destination] = parse_destinations(json.dumps({"destinations": [{"url": "ntfy://t"}, entry]}))

    assert first.problem is None
    assert destination.index == 1
    assert destination.problem == f"destinations[1]: {problem}"
    if label is not None:
        assert destination.label == f"destinations[1] {label}"
    assert destination.signing_secret is None


def test_a_usable_entry_keeps_each_field_it_sets():
    entries = [
        {"url": "discord://1/t"},
        {
            "url": "https://hooks.example.com/t",
            "name": "Ops team: hooks/1",
            "min_severity": "warning",
            "accounts": ["prod", "staging"],
            "format": "json",
            "signing_secret": SECRET,
        },
        {"url": "tgram://1/t", "name": "Ops", "min_severity": "critical", "accounts": ["prod"]},
        {"url": "http://127.0.0.1:8080/hook", "format": "json", "signing_secret": SECRET},  # a local receiver
    ]

    destinations = parse_destinations(json.dumps({"destinations": entries}).encode())

    assert destinations == (
        Destination(0, "discord://1/t"),
        Destination(1, entries[1]["url"], "Ops team: hooks/1", "warning", frozenset({"prod", "staging"}), SECRET),
        Destination(2, "tgram://1/t", "Ops", "critical", frozenset({"prod"})),
        Destination(3, entries[3]["url"], signing_secret=SECRET),
    )
    assert [destination.label for destination in destinations] == [
        "destinations[0] (discord://)",
        "destinations[1] 'Ops team: hooks/1' (https://hooks.example.com)",
        "destinations[2] 'Ops' (tgram://)",
        "destinations[3] (http://127.0.0.1)",
    ]


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (5, "the notification destinations secret is not text"),
        (None, "the notification destinations secret is not text"),
        ("{", "the notification destinations secret is not valid JSON"),
        (b'{"destinations": [\xff]}', "the notification destinations secret is not valid JSON"),
        ("[]", 'the notification destinations secret needs {"destinations": [{"url": ...}, ...]}, a non-empty list'),
        (
            '[{"url": "ntfy://t"}]',
            'the notification destinations secret needs {"destinations": [{"url": ...}, ...]}, a non-empty list',
        ),
        (
            '{"destinations": []}',
            'the notification destinations secret needs {"destinations": [{"url": ...}, ...]}, a non-empty list',
        ),
        (
            '{"destinations": "ntfy://t"}',
            'the notification destinations secret needs {"destinations": [{"url": ...}, ...]}, a non-empty list',
        ),
    ],
)
def test_a_secret_that_is_not_a_list_of_destinations_raises_saying_what_it_needs(value, error):
    with pytest.raises(DestinationsConfigurationError) as raised:
        parse_destinations(value)

    assert str(raised.value) == error


@pytest.mark.parametrize(
    ("min_severity", "severity", "kind", "wanted"),
    [
        ("info", "info", "alert", True),
        ("warning", "info", "alert", False),
        ("warning", "warning", "reminder", True),
        ("critical", "warning", "alert", False),
        ("critical", "critical", "alert", True),
        ("critical", "fatal", "alert", True),  # a severity it does not know ranks above all
        ("critical", "info", "test", True),
        ("critical", "info", "recovery", True),
        ("critical", "info", "digest", False),
        ("critical", None, None, True),
    ],
)
def test_a_destination_takes_its_severity_and_above_and_every_test_and_recovery(min_severity, severity, kind, wanted):
    destination = one({"url": "ntfy://t", "min_severity": min_severity})

    assert destination.wants(severity=severity, account="prod", kind=kind) is wanted
