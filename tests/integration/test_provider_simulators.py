"""Every provider's stand-in, over real HTTP on 127.0.0.1, read by that provider's own parser."""

from collections.abc import Iterator
from decimal import Decimal

import pytest
import requests

from balance_monitor.balance import BalanceReport, CurrencyBalance
from balance_monitor.errors import ConfigurationError
from balance_monitor.providers import REGISTRY, provider
from sandbox.balance_simulator import BalanceSimulator
from sandbox.deepseek_simulator import DeepSeekSimulator
from sandbox.loopback_http import Reply
from sandbox.provider_simulators import SIMULATORS, OpenRouterKeySimulator

KEY = "sk-sim-4b1d0c9e8f7a6b5c"


@pytest.fixture(params=list(SIMULATORS))
def simulated(request: pytest.FixtureRequest) -> Iterator[tuple[str, BalanceSimulator]]:
    with SIMULATORS[request.param](KEY) as simulator:
        yield request.param, simulator


def _get(simulator: BalanceSimulator, name: str, key: str = KEY, path: str | None = None) -> requests.Response:
    url = simulator.base_url + (provider(name).path if path is None else path)
    return requests.get(url, headers={"Authorization": f"Bearer {key}"}, timeout=5)


def _read(simulator: BalanceSimulator, name: str) -> BalanceReport:
    answer = _get(simulator, name)
    assert answer.status_code == 200
    chosen = provider(name)
    return chosen.parse(answer.content, chosen.currency_at(simulator.base_url))


def _total(report: BalanceReport, currency: str) -> Decimal | None:
    return report.balances[currency].total


def _expected(name: str, currency: str, granted: str, topped_up: str) -> CurrencyBalance:
    """What the provider's parser makes of a wallet: each keeps its own parts of it."""
    total = Decimal(granted) + Decimal(topped_up)
    if name in ("deepseek", "moonshot", "moonshot-global", "siliconflow"):
        return CurrencyBalance(currency, total, Decimal(granted), Decimal(topped_up))
    if name == "novita":
        return CurrencyBalance(currency, total, None, Decimal(topped_up))
    return CurrencyBalance(currency, total)


def test_there_is_a_simulator_for_every_provider():
    assert list(SIMULATORS) == list(REGISTRY)
    assert SIMULATORS["deepseek"] is DeepSeekSimulator


def test_each_simulator_bills_in_its_providers_currency(simulated):
    name, simulator = simulated

    assert simulator.currency == provider(name).currency


@pytest.mark.parametrize(
    ("granted", "topped_up"), [("10.00", "100.00"), ("0", "0"), ("1.25", "0.07"), ("0.00", "999999.99")]
)
def test_the_provider_reads_the_wallet_exactly(simulated, granted, topped_up):
    name, simulator = simulated
    currency = provider(name).currency
    simulator.set_balance(currency, granted=granted, topped_up=topped_up)

    report = _read(simulator, name)

    assert report.balances == {currency: _expected(name, currency, granted, topped_up)}


def test_spending_shows_in_the_next_read(simulated):
    name, simulator = simulated
    currency = provider(name).currency
    simulator.set_balance(currency, granted="5.00", topped_up="20.00")

    simulator.spend(currency, "7.50")
    simulator.top_up(currency, "1.00")

    assert _total(_read(simulator, name), currency) == Decimal("18.50")
    assert simulator.wallets[currency].spent == Decimal("7.50")


def test_a_wrong_key_is_refused_with_the_providers_own_401(simulated):
    name, simulator = simulated

    answer = _get(simulator, name, key="sk-wrong")

    assert answer.status_code == 401
    assert answer.status_code in provider(name).rejected_statuses
    assert answer.content == simulator.rejection("Bearer sk-wrong")


def test_a_rotated_key_stops_working_and_the_new_one_reads_the_same_wallet(simulated):
    name, simulator = simulated
    before = _read(simulator, name)

    simulator.api_key = "sk-rotated"

    assert _get(simulator, name).status_code == 401
    after = _get(simulator, name, key="sk-rotated")
    assert provider(name).parse(after.content, provider(name).currency) == before


def test_other_paths_are_not_found(simulated):
    name, simulator = simulated

    assert _get(simulator, name, path="/v1/models").status_code == 404
    assert _get(simulator, name, path=provider(name).path + "/").status_code == 404


def test_scripted_faults_come_first_then_the_balance(simulated):
    name, simulator = simulated
    simulator.then(Reply(503, b"busy"), Reply(200, b"<html>maintenance</html>"))

    first, second, third = (_get(simulator, name) for _ in range(3))

    assert (first.status_code, first.content) == (503, b"busy")
    assert (second.status_code, second.content) == (200, b"<html>maintenance</html>")
    assert third.status_code == 200
    assert provider(name).parse(third.content, provider(name).currency).balances


def test_accounts_are_told_apart_by_key(simulated):
    name, simulator = simulated
    currency = provider(name).currency
    other = simulator.add_account("sk-second")
    other.set_balance(currency, topped_up="3.00")

    answer = _get(simulator, name, key="sk-second")

    assert provider(name).parse(answer.content, currency).balances[currency].total == Decimal("3.00")
    assert _total(_read(simulator, name), currency) == Decimal("110.00")  # the first account's opening


def test_moonshot_shows_a_debt_and_an_account_that_cannot_serve():
    with SIMULATORS["moonshot"](KEY) as simulator:
        simulator.set_balance("CNY", granted="0.50", topped_up="-2.00")

        report = _read(simulator, "moonshot")

    assert report == BalanceReport(
        is_available=False, balances={"CNY": CurrencyBalance("CNY", Decimal("-1.5"), Decimal("0.5"), Decimal("-2"))}
    )


def test_an_openrouter_key_without_a_limit_is_a_setup_error():
    with OpenRouterKeySimulator(KEY) as simulator:
        simulator.key_has_limit = False

        with pytest.raises(ConfigurationError):
            _read(simulator, "openrouter-key")


def test_novita_sends_whole_ten_thousandths_of_a_dollar():
    with SIMULATORS["novita"](KEY) as simulator:
        simulator.set_balance("USD", granted="0.0044", topped_up="12.3412")

        body = _get(simulator, "novita").json()

    assert (body["availableBalance"], body["cashBalance"]) == ("123456", "123412")
