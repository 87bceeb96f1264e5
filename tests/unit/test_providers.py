import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import balance_monitor
from balance_monitor.balance import BalanceReport, CurrencyBalance
from balance_monitor.errors import ConfigurationError, ResponseFormatError
from balance_monitor.providers import REGISTRY, Provider, UnknownProviderError, provider

NEW_PROVIDERS = ["moonshot", "moonshot-global", "siliconflow", "openrouter", "openrouter-key", "novita"]

# The documented examples.
MOONSHOT = {
    "code": 0,
    "data": {"available_balance": 49.58894, "voucher_balance": 46.58893, "cash_balance": 3.00001},
    "scode": "0x0",
    "status": True,
}
SILICONFLOW = {
    "code": 20000,
    "message": "OK",
    "status": True,
    "data": {
        "id": "userid",
        "name": "username",
        "image": "https://example.com/avatar.png",
        "email": "user@example.com",
        "isAdmin": False,
        "balance": "0.88",
        "status": "normal",
        "introduction": "",
        "role": "",
        "chargeBalance": "88.00",
        "totalBalance": "88.88",
    },
}
OPENROUTER_CREDITS = {"data": {"total_credits": 100.5, "total_usage": 25.75}}
OPENROUTER_KEY = {
    "data": {
        "label": "sk-or-v1-au7...890",
        "limit": 100,
        "limit_remaining": 74.25,
        "limit_reset": "monthly",
        "usage": 25.75,
        "usage_daily": 1.5,
        "usage_weekly": 9.25,
        "usage_monthly": 25.75,
        "is_free_tier": False,
        "expires_at": None,
    }
}
NOVITA = {
    "availableBalance": "123456",
    "cashBalance": "100000",
    "creditLimit": "0",
    "pendingCharges": "0",
    "outstandingInvoices": "0",
}


def _parse(name: str, document: object) -> BalanceReport:
    chosen = provider(name)
    body = document if isinstance(document, str) else json.dumps(document)
    return chosen.parse(body.encode(), chosen.currency)


def _with(document: dict, **fields: object) -> dict:
    return {**document, **fields}


def _with_data(document: dict, **fields: object) -> dict:
    return {**document, "data": {**document["data"], **fields}}


def _without_data(document: dict, name: str) -> dict:
    return {**document, "data": {key: value for key, value in document["data"].items() if key != name}}


def _report(currency: str, total: str, granted: str | None = None, topped_up: str | None = None, *, available=True):
    amounts = [None if amount is None else Decimal(amount) for amount in (total, granted, topped_up)]
    return BalanceReport(is_available=available, balances={currency: CurrencyBalance(currency, *amounts)})


@pytest.mark.parametrize(
    ("name", "document", "report"),
    [
        ("moonshot", MOONSHOT, _report("CNY", "49.58894", "46.58893", "3.00001")),
        ("moonshot-global", MOONSHOT, _report("USD", "49.58894", "46.58893", "3.00001")),
        (
            "moonshot",
            _with_data(MOONSHOT, available_balance="-1.50", voucher_balance="0", cash_balance="-1.50"),
            _report("CNY", "-1.50", "0", "-1.50", available=False),
        ),
        (
            "moonshot",
            _with_data(MOONSHOT, available_balance=0, voucher_balance=0, cash_balance=0),
            _report("CNY", "0", "0", "0", available=False),
        ),
        (
            "moonshot",
            _with_data(MOONSHOT, available_balance=5, voucher_balance=8, cash_balance=-3),
            _report("CNY", "5", "8", "-3"),
        ),
        (
            "moonshot",
            _with_data(MOONSHOT, available_balance="0.01", voucher_balance="0.01", cash_balance=0),
            _report("CNY", "0.01", "0.01", "0"),
        ),
        ("siliconflow", SILICONFLOW, _report("CNY", "88.88", "0.88", "88.00")),
        (
            "siliconflow",
            _with_data(SILICONFLOW, balance=0, chargeBalance=1.5, totalBalance=1.5),
            _report("CNY", "1.5", "0", "1.5"),
        ),
        ("openrouter", OPENROUTER_CREDITS, _report("USD", "74.75")),
        ("openrouter", {"data": {"total_credits": 10, "total_usage": 10.5}}, _report("USD", "-0.5")),
        ("openrouter", {"data": {"total_credits": "20.00", "total_usage": "0"}}, _report("USD", "20.00")),
        ("openrouter-key", OPENROUTER_KEY, _report("USD", "74.25")),
        ("openrouter-key", _with_data(OPENROUTER_KEY, limit_remaining="0.01"), _report("USD", "0.01")),
        ("openrouter-key", _with_data(OPENROUTER_KEY, limit_remaining=0), _report("USD", "0", available=False)),
        ("openrouter-key", _with_data(OPENROUTER_KEY, limit_remaining=-0.25), _report("USD", "-0.25", available=False)),
        ("novita", NOVITA, _report("USD", "12.3456", None, "10.0000")),
    ],
)
def test_documented_answers_give_exact_reports(name, document, report):
    parsed = _parse(name, document)

    assert parsed == report
    assert all(type(balance.total) is Decimal for balance in parsed.balances.values())


def test_json_numbers_are_read_without_a_float():
    total = _parse("openrouter", {"data": {"total_credits": 0.3, "total_usage": 0.1}}).balances["USD"].total

    assert str(total) == "0.2"  # 0.3 - 0.1 in floats is 0.19999999999999998


@pytest.mark.parametrize(
    ("units", "usd"),
    [
        ("123456", "12.3456"),
        ("1", "0.0001"),
        ("0", "0.0000"),
        ("10000", "1.0000"),
        ("99999999999", "9999999.9999"),
        (123456, "12.3456"),
        ("1.5", "0.00015"),
        ("0.000001", "0.0000000001"),
    ],
)
def test_novita_units_of_a_ten_thousandth_become_dollars_exactly(units, usd):
    report = _parse("novita", _with(NOVITA, availableBalance=units, cashBalance=units))

    balance = report.balances["USD"]
    assert (format(balance.total, "f"), format(balance.topped_up, "f")) == (usd, usd)


def test_a_key_without_a_credit_limit_asks_for_the_account_or_a_limit():
    with pytest.raises(ConfigurationError) as error:
        _parse("openrouter-key", _with_data(OPENROUTER_KEY, limit=None, limit_remaining=None))

    assert str(error.value) == (
        "this OpenRouter key has no credit limit, so it has no balance to watch: use provider "
        '"openrouter" with a management key for the whole account, or set a credit limit on the key'
    )


def _moonshot_body(**fields: object) -> dict:
    return _with_data(MOONSHOT, **fields)


@pytest.mark.parametrize(
    ("name", "document", "message"),
    [
        # Not a JSON object at all.
        ("moonshot", "<html>502 Bad Gateway</html>", "response is not valid JSON"),
        ("siliconflow", "", "response is not valid JSON"),
        ("novita", "[]", "response is not a JSON object"),
        ("openrouter", '"credits"', "response is not a JSON object"),
        ("openrouter", '{"data": {"total_credits": NaN, "total_usage": 0}}', "response contains NaN"),
        ("novita", '{"availableBalance": Infinity, "cashBalance": "0"}', "response contains Infinity"),
        # Moonshot: code and status.
        ("moonshot", _with(MOONSHOT, code=None), "code is missing or not a whole number"),
        ("moonshot", {"data": MOONSHOT["data"], "status": True}, "code is missing or not a whole number"),
        ("moonshot", _with(MOONSHOT, code="0"), "code is missing or not a whole number"),
        ("moonshot", _with(MOONSHOT, code=False), "code is missing or not a whole number"),
        ("moonshot", '{"code": 0.0, "status": true, "data": {}}', "code is missing or not a whole number"),
        ("moonshot", _with(MOONSHOT, code=1), "code is 1, not 0: the answer reports an error"),
        ("moonshot", _with(MOONSHOT, code=-1), "code is -1, not 0: the answer reports an error"),
        ("moonshot", _with(MOONSHOT, code=10**12 - 1), "code is 999999999999, not 0: the answer reports an error"),
        ("moonshot", _with(MOONSHOT, code=10**12), "code is 100000000000..., not 0: the answer reports an error"),
        ("moonshot", _with(MOONSHOT, code=-(10**12)), "code is -10000000000..., not 0: the answer reports an error"),
        ("moonshot", _with(MOONSHOT, code=10**40), "code is 100000000000..., not 0: the answer reports an error"),
        ("moonshot", _with(MOONSHOT, status=False), "status is not true: the answer reports an error"),
        ("moonshot", _with(MOONSHOT, status="true"), "status is not true: the answer reports an error"),
        ("moonshot", _with(MOONSHOT, status=1), "status is not true: the answer reports an error"),
        ("moonshot", {"code": 0, "status": True}, "data is missing or not an object"),
        ("moonshot", _with(MOONSHOT, data=None), "data is missing or not an object"),
        ("moonshot", _with(MOONSHOT, data=[49.5]), "data is missing or not an object"),
        ("moonshot", _without_data(MOONSHOT, "available_balance"), "data.available_balance is missing"),
        ("moonshot", _without_data(MOONSHOT, "voucher_balance"), "data.voucher_balance is missing"),
        ("moonshot", _without_data(MOONSHOT, "cash_balance"), "data.cash_balance is missing"),
        ("moonshot", _moonshot_body(available_balance=None), "data.available_balance is missing"),
        ("moonshot", _moonshot_body(available_balance=True), "data.available_balance is not a number"),
        ("moonshot", _moonshot_body(voucher_balance="NaN"), "data.voucher_balance is not a number"),
        ("moonshot", _moonshot_body(cash_balance="Infinity"), "data.cash_balance is not a number"),
        ("moonshot", _moonshot_body(cash_balance={"CNY": 1}), "data.cash_balance is not a number"),
        ("moonshot", _moonshot_body(voucher_balance=-0.01), "data.voucher_balance is negative"),
        ("moonshot", _moonshot_body(available_balance=-(10**13)), "data.available_balance is implausibly large"),
        ("moonshot", _moonshot_body(cash_balance="1.12345678901"), "data.cash_balance is not a number"),
        (
            "moonshot",
            '{"code": 0, "status": true, "data": {"available_balance": 1.12345678901, "voucher_balance": 0,'
            ' "cash_balance": 0}}',
            "data.available_balance has more than 10 decimal places",
        ),
        # SiliconFlow: code and status.
        ("siliconflow", _with(SILICONFLOW, code=None), "code is missing or not a whole number"),
        ("siliconflow", _with(SILICONFLOW, code="20000"), "code is missing or not a whole number"),
        ("siliconflow", _with(SILICONFLOW, code=True), "code is missing or not a whole number"),
        ("siliconflow", _with(SILICONFLOW, code=0), "code is 0, not 20000: the answer reports an error"),
        ("siliconflow", _with(SILICONFLOW, code=30001), "code is 30001, not 20000: the answer reports an error"),
        ("siliconflow", _with(SILICONFLOW, code=50000), "code is 50000, not 20000: the answer reports an error"),
        (
            "siliconflow",
            {k: v for k, v in SILICONFLOW.items() if k != "status"},
            "status is not true: the answer reports an error",
        ),
        ("siliconflow", _with(SILICONFLOW, status=False), "status is not true: the answer reports an error"),
        ("siliconflow", _with(SILICONFLOW, data="88.88"), "data is missing or not an object"),
        ("siliconflow", _without_data(SILICONFLOW, "totalBalance"), "data.totalBalance is missing"),
        ("siliconflow", _without_data(SILICONFLOW, "balance"), "data.balance is missing"),
        ("siliconflow", _without_data(SILICONFLOW, "chargeBalance"), "data.chargeBalance is missing"),
        ("siliconflow", _with_data(SILICONFLOW, totalBalance="88,88"), "data.totalBalance is not a number"),
        ("siliconflow", _with_data(SILICONFLOW, balance=False), "data.balance is not a number"),
        ("siliconflow", _with_data(SILICONFLOW, chargeBalance="1e3"), "data.chargeBalance is not a number"),
        ("siliconflow", _with_data(SILICONFLOW, chargeBalance="-1.00"), "data.chargeBalance is negative"),
        ("siliconflow", _with_data(SILICONFLOW, totalBalance="-0.01"), "data.totalBalance is negative"),
        (
            "siliconflow",
            _with_data(SILICONFLOW, totalBalance="1000000000000.01"),
            "data.totalBalance is implausibly large",
        ),
        # OpenRouter, whole account.
        ("openrouter", {"total_credits": 100.5, "total_usage": 25.75}, "data is missing or not an object"),
        ("openrouter", {"data": None}, "data is missing or not an object"),
        ("openrouter", {"data": {"total_usage": 25.75}}, "data.total_credits is missing"),
        ("openrouter", {"data": {"total_credits": 100.5}}, "data.total_usage is missing"),
        ("openrouter", {"data": {"total_credits": True, "total_usage": 0}}, "data.total_credits is not a number"),
        ("openrouter", {"data": {"total_credits": [1], "total_usage": 0}}, "data.total_credits is not a number"),
        ("openrouter", {"data": {"total_credits": 1, "total_usage": -1}}, "data.total_usage is negative"),
        (
            "openrouter",
            '{"data": {"total_credits": 1e400, "total_usage": 0}}',
            "data.total_credits is implausibly large",
        ),
        (
            "openrouter",
            '{"data": {"total_credits": 1e-200, "total_usage": 0}}',
            "data.total_credits has more than 10 decimal places",
        ),
        # OpenRouter, one key.
        ("openrouter-key", {"data": []}, "data is missing or not an object"),
        ("openrouter-key", _without_data(OPENROUTER_KEY, "limit"), "data.limit is missing"),
        ("openrouter-key", _without_data(OPENROUTER_KEY, "limit_remaining"), "data.limit_remaining is missing"),
        ("openrouter-key", _with_data(OPENROUTER_KEY, limit_remaining=None), "data.limit_remaining is missing"),
        ("openrouter-key", _with_data(OPENROUTER_KEY, limit="none"), "data.limit is not a number"),
        ("openrouter-key", _with_data(OPENROUTER_KEY, limit=-5), "data.limit is negative"),
        ("openrouter-key", _with_data(OPENROUTER_KEY, limit_remaining=False), "data.limit_remaining is not a number"),
        (
            "openrouter-key",
            _with_data(OPENROUTER_KEY, limit_remaining="-Infinity"),
            "data.limit_remaining is not a number",
        ),
        (
            "openrouter-key",
            _with_data(OPENROUTER_KEY, limit_remaining=-(10**13)),
            "data.limit_remaining is implausibly large",
        ),
        # Novita.
        ("novita", {"data": NOVITA}, "availableBalance is missing"),
        ("novita", _with(NOVITA, availableBalance=None), "availableBalance is missing"),
        ("novita", {k: v for k, v in NOVITA.items() if k != "cashBalance"}, "cashBalance is missing"),
        ("novita", _with(NOVITA, availableBalance=True), "availableBalance is not a number"),
        ("novita", _with(NOVITA, availableBalance="12.34 USD"), "availableBalance is not a number"),
        ("novita", _with(NOVITA, availableBalance="NaN"), "availableBalance is not a number"),
        ("novita", _with(NOVITA, cashBalance=["100000"]), "cashBalance is not a number"),
        ("novita", _with(NOVITA, availableBalance="-1"), "availableBalance is negative"),
        ("novita", _with(NOVITA, cashBalance="-100000"), "cashBalance is negative"),
        ("novita", _with(NOVITA, availableBalance="10000000000000"), "availableBalance is implausibly large"),
        (
            "novita",
            _with(NOVITA, cashBalance="0.0000001"),
            "cashBalance has more than 6 decimal places of 1/10,000 USD",
        ),
    ],
)
def test_anything_but_the_documented_shape_is_a_failed_read(name, document, message):
    with pytest.raises(ResponseFormatError) as error:
        _parse(name, document)

    assert str(error.value) == message


@pytest.mark.parametrize(
    ("name", "base_url", "currency"),
    [
        ("moonshot", "https://api.moonshot.cn", "CNY"),
        ("moonshot", "https://api.moonshot.ai", "USD"),
        ("moonshot-global", "https://api.moonshot.ai", "USD"),
        ("moonshot-global", "https://api.moonshot.cn", "CNY"),
        ("siliconflow", "https://api.siliconflow.cn", "CNY"),
        ("siliconflow", "https://api.siliconflow.com", "USD"),
        ("siliconflow", "http://127.0.0.1:8080", "CNY"),
        ("openrouter", "https://openrouter.ai/api", "USD"),
        ("novita", "https://api.novita.ai", "USD"),
    ],
)
def test_each_host_bills_in_its_own_currency(name, base_url, currency):
    assert provider(name).currency_at(base_url) == currency


def test_every_new_provider_treats_401_and_403_as_a_bad_key():
    assert {name: provider(name).rejected_statuses for name in NEW_PROVIDERS} == dict.fromkeys(
        NEW_PROVIDERS, frozenset({401, 403})
    )


@pytest.mark.parametrize("name", list(REGISTRY))
def test_every_registered_name_is_a_provider_of_that_name(name):
    found = provider(name)

    assert isinstance(found, Provider)
    assert found.name == name
    assert found.base_url.startswith("https://")
    assert found.path.startswith("/")
    assert found.key_variable.endswith("_API_KEY")


def test_an_unknown_provider_names_the_known_ones():
    with pytest.raises(UnknownProviderError) as error:
        provider("openai")

    assert str(error.value) == f"unknown provider 'openai': use one of {', '.join(REGISTRY)}"


def test_a_deepseek_check_imports_no_other_provider():
    script = (
        "import sys\n"
        "from balance_monitor.providers import provider\n"
        "provider('deepseek')\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('balance_monitor.providers'))))\n"
    )
    handler = Path(balance_monitor.__file__).parents[1]

    loaded = subprocess.run(
        [sys.executable, "-c", script], env={"PYTHONPATH": str(handler)}, capture_output=True, text=True, check=True
    ).stdout.split()

    assert loaded == ["balance_monitor.providers", "balance_monitor.providers.deepseek"]


_AMOUNTS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.text(max_size=12),
    st.sampled_from(["0", "-1.5", "88.88", "123456", "NaN", "1e3", "0.00000000001", "99999999999999"]),
)
_FIELDS = [
    "code",
    "status",
    "data",
    "available_balance",
    "voucher_balance",
    "cash_balance",
    "balance",
    "chargeBalance",
    "totalBalance",
    "total_credits",
    "total_usage",
    "limit",
    "limit_remaining",
    "availableBalance",
    "cashBalance",
    "x",
]
_JSON = st.recursive(
    _AMOUNTS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(_FIELDS), children, max_size=6),
    max_leaves=20,
)
DOCUMENTED = {
    "moonshot": MOONSHOT,
    "moonshot-global": MOONSHOT,
    "siliconflow": SILICONFLOW,
    "openrouter": OPENROUTER_CREDITS,
    "openrouter-key": OPENROUTER_KEY,
    "novita": NOVITA,
}


def _mangled(value: object) -> st.SearchStrategy:
    """The documented answer, each field at every depth most often kept, else replaced or dropped."""
    kept: st.SearchStrategy = st.just(value)
    if isinstance(value, dict):
        fields = {key: _rarely(st.just(_DROPPED), _mangled(field)) for key, field in value.items()}
        kept = st.fixed_dictionaries(fields).map(
            lambda document: {key: field for key, field in document.items() if field is not _DROPPED}
        )
    return _rarely(_AMOUNTS, kept)


def _rarely(rare: st.SearchStrategy, usual: st.SearchStrategy) -> st.SearchStrategy:
    return st.integers(0, 7).flatmap(lambda roll: rare if roll == 0 else usual)


_DROPPED = object()


@pytest.mark.parametrize("name", NEW_PROVIDERS)
@given(data=st.data())
def test_any_json_gives_a_report_or_the_projects_own_error(name, data):
    chosen = provider(name)
    document = data.draw(st.one_of(_JSON, _mangled(DOCUMENTED[name])))
    try:
        report = chosen.parse(json.dumps(document).encode(), chosen.currency)
    except ResponseFormatError:
        return
    except ConfigurationError:
        assert name == "openrouter-key"  # a key without a credit limit; no other answer is a setup error
        return

    assert isinstance(report, BalanceReport)
    assert list(report.balances) == [chosen.currency]
    balance = report.balances[chosen.currency]
    amounts = [amount for amount in (balance.total, balance.granted, balance.topped_up) if amount is not None]
    assert balance.total is not None  # a failed read is never a zero, nor a report without a total
    assert all(type(amount) is Decimal and amount.is_finite() for amount in amounts)
