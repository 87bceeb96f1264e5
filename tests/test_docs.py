"""Every list the README and docs/alerts.md give of states, severities, kinds and message
attributes is the code's own: a filter policy written from the docs must not silently drop an
alert."""

import re
from pathlib import Path

from balance_monitor.alert_lifecycle import SEVERITY, CheckOutcome, Notification, NotificationKind, Observation, Status
from balance_monitor.alert_messages import render_alert
from balance_monitor.balance import BalanceReport, CurrencyBalance, Thresholds
from balance_monitor.providers import REGISTRY, provider

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
ALERTS = (ROOT / "docs" / "alerts.md").read_text()
STATES = [status.value for status in Status]
SEVERITIES = list(dict.fromkeys(SEVERITY.values()))  # info, warning, critical
KINDS = [kind.value for kind in NotificationKind]


def listed(values: list[str]) -> str:
    return ", ".join(f"`{value}`" for value in values)


def attributes_of_an_alert() -> list[str]:
    from datetime import UTC, datetime
    from decimal import Decimal

    at = datetime(2026, 11, 25, tzinfo=UTC)
    report = BalanceReport(True, {"CNY": CurrencyBalance("CNY", Decimal(1))})
    notification = Notification(
        NotificationKind.ALERT, Status.LOW, Status.HEALTHY, at, at, Observation(CheckOutcome.OK, report), 0
    )
    return list(render_alert(notification, account="default", thresholds=Thresholds()).attributes)


def test_the_filter_policy_paragraph_names_every_attribute_and_value():
    paragraph = " ".join(README[README.index("filter on the message attributes") :].split("\n\n")[0].split())
    paragraph = paragraph[: paragraph.index(".") + 1]  # the list; what follows is advice
    values = {"provider": list(REGISTRY), "state": STATES, "severity": SEVERITIES, "kind": KINDS}

    expected = "filter on the message attributes " + ", ".join(
        f"`{name}` ({listed(values[name])})" if name in values else f"`{name}`" for name in attributes_of_an_alert()
    )
    assert paragraph == re.sub(r", (`kind`)", r" and \1", expected) + "."


def test_the_alert_documents_fields_list_every_state_and_kind():
    rows = {line.split("|")[1].strip(): line for line in ALERTS.splitlines() if line.startswith("| `")}

    assert re.findall(r"`(\w+)`", rows["`state`, `previous_state`"].split("|")[3]) == STATES
    assert re.findall(r"`(\w+)`", rows["`kind`"].split("|")[3]) == KINDS
    assert re.findall(r"`(\w+)`", rows["`severity`"].split("|")[3]) == SEVERITIES


def test_the_history_items_outcomes_are_the_codes():
    operations = (ROOT / "docs" / "operations.md").read_text()
    sentence = " ".join(operations[operations.index("Each check item holds") :].split("\n\n")[0].split())

    assert re.search(r"`outcome` \(([^)]*)\)", sentence)[1] == listed([outcome.value for outcome in CheckOutcome])


def test_the_fields_an_accounts_entry_takes_are_the_codes():
    from balance_monitor.adapters.secrets import ACCOUNT_FIELDS

    page = " ".join((ROOT / "docs" / "many-accounts.md").read_text().split())
    fields = re.search(r"An entry takes ([^.]*)\.", page)[1]

    assert fields == re.sub(r", (`\w+`)$", r" and \1", listed(list(ACCOUNT_FIELDS)))


def test_the_states_table_gives_each_state_its_severity():
    table = ALERTS[ALERTS.index("| State | Entered when | Severity |") :].split("\n\n")[0].splitlines()[2:]

    documented = {row.split("|")[1].strip(" `"): row.split("|")[3].split()[0] for row in table}
    assert documented == {status.value: SEVERITY[status] for status in Status}


def test_the_states_a_silence_holds_only_by_name_are_the_codes():
    from balance_monitor.alert_lifecycle import SILENCED_ONLY_BY_NAME

    named_only = sorted(status.value for status in SILENCED_ONLY_BY_NAME)
    for page in (README, ALERTS):
        sentence = re.search(r"holds every state but ((?:`\w+`(?:, | and ))+`\w+`)", " ".join(page.split()))
        assert sentence, "the page says which states a silence holds only by name"
        assert re.findall(r"`(\w+)`", sentence[1]) == named_only


def test_the_digest_documents_fields_are_the_codes():
    from datetime import UTC, datetime
    from decimal import Decimal

    from balance_monitor.alert_lifecycle import AlertState
    from balance_monitor.digest import Period, digest_document, summarise
    from balance_monitor.history import CheckRecord

    period = Period.days_before(datetime(2026, 11, 23, 8, tzinfo=UTC), 7)
    report = BalanceReport(True, {"CNY": CurrencyBalance("CNY", Decimal(100), Decimal(0), Decimal(100))})
    read = Observation(CheckOutcome.OK, report)
    records = [
        CheckRecord("default", datetime(2026, 11, 20, tzinfo=UTC), read, period.end),
        CheckRecord("default", datetime(2026, 11, 21, tzinfo=UTC), read, period.end, Status.LOW),
    ]
    document = digest_document(summarise("default", records, period, AlertState()))
    table = ALERTS[ALERTS.index("## Digest document") :]
    table = table[table.index("| Field | Type | Meaning |") :].split("\n\n")[0].splitlines()[2:]
    rows = {row.split("|")[1].strip(): row.split("|")[3] for row in table}

    assert [name for names in rows for name in re.findall(r"`(\w+)`", names)] == list(document)
    [currency], [told] = document["currencies"], document["problems"]
    listed_fields = re.findall(r"`(\w+)` \(|`(\w+)`[,;) ]", rows["`currencies`"])
    assert {name for pair in listed_fields for name in pair if name} >= set(currency) - {"currency"}
    assert set(re.findall(r"`(\w+)`", rows["`problems`"])) == set(told)


def test_the_providers_table_is_the_registry():
    page = (ROOT / "docs" / "providers.md").read_text()
    table = page[page.index("| `provider` |") :].split("\n\n")[0].splitlines()[2:]

    assert table == [
        f"| `{name}` | {source.label} | `{source.base_url}` | `GET {source.path}` | {source.currency} "
        f"| `{source.key_variable}` |"
        for name, source in ((name, provider(name)) for name in REGISTRY)
    ]


def test_the_readmes_table_of_parameters_is_the_templates_with_its_defaults():
    from sandbox.aws import load_template

    section = README[README.index("### Parameters") :]
    rows = re.findall(r"^\| (`[^|]+) \| ([^|]+) \|", section.split("\n\n", 2)[1], flags=re.MULTILINE)
    documented = {name.strip("` "): default.strip() for names, default in rows for name in names.split(",")}
    parameters = load_template()["Parameters"]
    assert list(documented) == list(parameters)
    for name, default in documented.items():
        expected = str(parameters[name].get("Default", ""))
        assert default == (f"`{expected}`" if expected else "empty"), name
