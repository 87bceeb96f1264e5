import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from balance_monitor.balance import BalanceReport, CurrencyBalance, parse_balance_response
from balance_monitor.errors import ResponseFormatError

LIVE = {
    "is_available": True,
    "balance_infos": [
        {"currency": "CNY", "total_balance": "110.00", "granted_balance": "10.00", "topped_up_balance": "100.00"},
        {"currency": "USD", "total_balance": "7.25", "granted_balance": "0.00", "topped_up_balance": "7.25"},
    ],
}


def test_live_shape_keeps_every_amount_as_an_exact_decimal():
    report = parse_balance_response(json.dumps(LIVE))

    assert report == BalanceReport(
        is_available=True,
        balances={
            "CNY": CurrencyBalance("CNY", Decimal("110.00"), Decimal("10.00"), Decimal("100.00")),
            "USD": CurrencyBalance("USD", Decimal("7.25"), Decimal("0.00"), Decimal("7.25")),
        },
    )
    assert all(type(b.total) is Decimal for b in report.balances.values())


def test_specification_shape_reads_the_number_without_a_float():
    body = b'{"is_available": true, "balance_infos": [{"type": "credits", "amount": 42.10, "currency": "USD"}]}'

    balance = parse_balance_response(body).balances["USD"]

    assert balance.total == Decimal("42.10")
    assert str(balance.total) == "42.10"  # a float would have printed 42.1
    assert balance.granted is None
    assert balance.topped_up is None


def test_order_of_currencies_does_not_matter():
    swapped = {**LIVE, "balance_infos": list(reversed(LIVE["balance_infos"]))}

    assert parse_balance_response(json.dumps(swapped)) == parse_balance_response(json.dumps(LIVE))
    assert list(parse_balance_response(json.dumps(swapped)).balances) == ["CNY", "USD"]


def test_amounts_typed_as_numbers_by_older_docs_are_accepted():
    body = '{"is_available": true, "balance_infos": [{"currency": "CNY", "total_balance": 5, "granted_balance": 0.5}]}'

    balance = parse_balance_response(body).balances["CNY"]

    assert (balance.total, balance.granted, balance.topped_up) == (Decimal(5), Decimal("0.5"), None)


def test_missing_total_is_derived_from_its_parts_or_stays_unknown():
    body = json.dumps(
        {
            "is_available": True,
            "balance_infos": [
                {"currency": "CNY", "granted_balance": "1.00", "topped_up_balance": "2.50"},
                {"currency": "USD", "granted_balance": "3.00"},
            ],
        }
    )

    report = parse_balance_response(body)

    assert report.balances["CNY"].total == Decimal("3.50")
    assert report.balances["USD"].total is None  # unknown, never zero


@pytest.mark.parametrize(
    ("number", "amount"), [("1e2", Decimal(100)), ("1.1234567890", Decimal("1.1234567890")), ("0E-10", Decimal(0))]
)
def test_json_numbers_within_money_precision_are_read_exactly(number, amount):
    body = f'{{"is_available": true, "balance_infos": [{{"currency": "CNY", "amount": {number}}}]}}'

    assert parse_balance_response(body).balances["CNY"].total == amount


def test_currency_codes_are_normalised():
    body = '{"is_available": false, "balance_infos": [{"currency": " usd ", "amount": "1.00"}]}'

    report = parse_balance_response(body)

    assert list(report.balances) == ["USD"]
    assert report.is_available is False


def _entry(**fields: object) -> str:
    return json.dumps({"is_available": True, "balance_infos": [{"currency": "CNY", **fields}]})


def _entries(*entries: dict[str, object]) -> str:
    return json.dumps({"is_available": True, "balance_infos": list(entries)})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<html><body>502 Bad Gateway</body></html>", "response is not valid JSON"),
        ('{"is_available": true, "balance_infos": [{"currency": "CNY", "total_bal', "response is not valid JSON"),
        ("", "response is not valid JSON"),
        (b"\xff\xfe\x00", "response is not valid JSON"),
        ("[]", "response is not a JSON object"),
        ('"balance"', "response is not a JSON object"),
        ('{"balance_infos": [{"currency": "CNY", "amount": 1}]}', "is_available is missing or not true/false"),
        (
            '{"is_available": "yes", "balance_infos": [{"currency": "CNY", "amount": 1}]}',
            "is_available is missing or not true/false",
        ),
        ('{"is_available": true, "balance_infos": []}', "balance_infos is missing or empty"),
        ('{"is_available": true, "balance_infos": {"CNY": 1}}', "balance_infos is missing or empty"),
        ('{"is_available": true, "balance_infos": ["CNY"]}', "balance_infos[0] is not an object"),
        ('{"is_available": true, "balance_infos": [{"amount": 1}]}', "balance_infos[0] has no currency"),
        (
            '{"is_available": true, "balance_infos": [{"currency": "EUR", "amount": 1}]}',
            "balance_infos[0] has unknown currency 'EUR'",
        ),
        (
            _entry(currency="<script>alert(1)</script>", amount=1),
            "balance_infos[0] has unknown currency '<SCRIPT>ALER'",
        ),
        ('{"is_available": true, "balance_infos": [{"currency": "CNY"}]}', "no balance_infos entry has an amount"),
        (_entry(total_balance=float("nan")), "response contains NaN"),
        (_entry(total_balance=float("inf")), "response contains Infinity"),
        (_entry(total_balance="NaN"), "balance_infos[0].total_balance is not a number"),
        (_entry(total_balance="Infinity"), "balance_infos[0].total_balance is not a number"),
        (_entry(total_balance="1e3"), "balance_infos[0].total_balance is not a number"),
        (_entry(total_balance="1_000.00"), "balance_infos[0].total_balance is not a number"),
        (_entry(total_balance="ten"), "balance_infos[0].total_balance is not a number"),
        (_entry(total_balance=True), "balance_infos[0].total_balance is not a number"),
        (_entry(total_balance=[1]), "balance_infos[0].total_balance is not a number"),
        (_entry(total_balance="-5.00"), "balance_infos[0].total_balance is negative"),
        (_entry(amount=-0.01), "balance_infos[0].amount is negative"),
        (
            _entries({"currency": "USD", "amount": "1.00"}, {"currency": "CNY", "granted_balance": "lots"}),
            "balance_infos[1].granted_balance is not a number",
        ),
        (
            _entries({"currency": "USD", "amount": "1.00"}, {"currency": "CNY", "topped_up_balance": "-1.00"}),
            "balance_infos[1].topped_up_balance is negative",
        ),
        (_entry(total_balance="99999999999999.00"), "balance_infos[0].total_balance is implausibly large"),
        (_entry(total_balance="1000000000000.01"), "balance_infos[0].total_balance is implausibly large"),
        (
            '{"is_available": true, "balance_infos": [{"currency": "CNY", "amount": 1e400}]}',
            "balance_infos[0].amount is implausibly large",
        ),
        (
            '{"is_available": true, "balance_infos": [{"currency": "CNY", "amount": 1e-200}]}',
            "balance_infos[0].amount has more than 10 decimal places",
        ),
        (
            '{"is_available": true, "balance_infos": [{"currency": "CNY", "amount": 1.12345678901}]}',
            "balance_infos[0].amount has more than 10 decimal places",
        ),
        (
            '{"is_available": true, "balance_infos": [{"currency": "CNY", "amount": '
            "12345678901.12345678901234567890123456789}]}",
            "balance_infos[0].amount has more than 10 decimal places",
        ),
        (_entry(total_balance="5.00", amount=6), "balance_infos[0] has amount and total_balance that disagree"),
    ],
)
def test_bad_bodies_give_a_clear_error(body, message):
    with pytest.raises(ResponseFormatError) as error:
        parse_balance_response(body)

    assert str(error.value) == message


def test_a_body_nested_too_deep_gives_a_clear_error():
    with pytest.raises(ResponseFormatError) as error:
        parse_balance_response("[" * 5000 + "]" * 5000)

    # Too deep to parse, or (Python 3.13, which parses it) not an object.
    assert str(error.value) in ("response is not valid JSON", "response is not a JSON object")


def test_the_largest_plausible_amount_is_accepted():
    balance = parse_balance_response(_entry(total_balance="1000000000000.00")).balances["CNY"]

    assert balance.total == Decimal("1000000000000.00")


def test_the_same_currency_twice_is_an_error():
    body = json.dumps({"is_available": True, "balance_infos": [LIVE["balance_infos"][0]] * 2})

    with pytest.raises(ResponseFormatError) as error:
        parse_balance_response(body)

    assert str(error.value) == "currency CNY appears twice in balance_infos"


_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["CNY", "USD", "1.00", "-1", "NaN", "110.00"]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["is_available", "balance_infos", "currency", "amount", "total_balance", "granted_balance", "x"]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@given(
    st.one_of(
        _json_values,
        st.fixed_dictionaries(
            {"is_available": st.booleans(), "balance_infos": st.lists(st.dictionaries(st.text(), _json_values))}
        ),
    )
)
def test_any_json_gives_a_report_or_the_projects_own_error(document):
    try:
        report = parse_balance_response(json.dumps(document))
    except ResponseFormatError:
        return
    for balance in report.balances.values():
        for amount in (balance.total, balance.granted, balance.topped_up):
            assert amount is None or (type(amount) is Decimal and amount.is_finite() and amount >= 0)
