"""Ten days through the deployed handler, against moto and the DeepSeek simulator, the
function's clock moved with each event: the office-hours week that used to raise a false spike
every morning, and the idle account that used to crash after four days. `make simulate` runs
every pattern for four weeks (docs/simulation.md)."""

from datetime import timedelta

import pytest

from sandbox.usage import LEAKS, patterns
from sandbox.weeks import run_pattern

PATTERNS = {pattern.name: pattern for pattern in patterns()}


@pytest.mark.weeks
@pytest.mark.parametrize("name", ["office hours", "idle"])
def test_ten_days_through_the_handler_bring_the_leak_and_nothing_else(name, captured_logs):
    outcome = run_pattern(PATTERNS[name], days=10)

    assert outcome.checks == 10 * 96
    assert outcome.crashes == []
    assert outcome.false_alerts == []
    assert outcome.missed == []
    spikes = [notice for notice in outcome.notices if notice.kind == "alert"]
    assert [notice.state for notice in spikes] == ["spend_spike"]
    assert timedelta(0) < spikes[0].at - LEAKS[0] <= timedelta(hours=1)
