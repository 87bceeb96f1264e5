"""Four weeks of each usage pattern people have, through the alert logic, judged as a person on
call would: no crash, no alert that should not have come, every due alert on time. The same
month runs through the deployed handler in `make simulate` (docs/simulation.md)."""

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from sandbox.usage import LEAKS, UNAVAILABLE, critical_threshold, patterns, steps
from sandbox.weeks import Due, Notice, Outcome, decide_pattern, dues, judge

PATTERNS = {pattern.name: pattern for pattern in patterns()}
STEP_15 = timedelta(minutes=15)
LEAK_TOLD = [("alert", "spend_spike"), ("recovery", "healthy")]
UNAVAILABLE_TOLD = [("alert", "unavailable"), ("recovery", "healthy")]


def told(outcome: Outcome) -> list[tuple[str, str]]:
    return [(notice.kind, notice.state) for notice in outcome.notices]


@pytest.mark.parametrize("name", PATTERNS)
def test_a_month_of_use_crashes_never_alerts_falsely_and_misses_nothing(name):
    outcome = decide_pattern(PATTERNS[name])

    assert outcome.checks == 28 * 96
    assert outcome.crashes == []
    assert outcome.false_alerts == []
    assert outcome.missed == []


@pytest.mark.parametrize("name", ["steady", "nightly batch", "slow leak"])
def test_a_steady_decline_warns_of_the_runway_days_before_the_balance_is_low(name):
    outcome = decide_pattern(PATTERNS[name])

    runway_days = [("reminder", "runway_short")] * 2
    assert told(outcome) == [
        *LEAK_TOLD,
        *LEAK_TOLD,
        ("alert", "runway_short"),
        *runway_days,
        ("alert", "low"),
        ("recovery", "healthy"),  # the top-up
        *UNAVAILABLE_TOLD,
    ]
    runway = next(notice.at for notice in outcome.notices if notice.state == "runway_short")
    low = next(notice.at for notice in outcome.notices if notice.state == "low")
    assert low - runway > timedelta(days=2)


def test_office_hours_are_never_a_spike_and_a_quiet_weekend_does_not_end_a_short_runway():
    outcome = decide_pattern(PATTERNS["office hours"])

    assert told(outcome) == [
        *LEAK_TOLD,
        *LEAK_TOLD,
        ("alert", "runway_short"),
        *[("reminder", "runway_short")] * 4,  # through the weekend, once a day
        ("alert", "low"),
        ("alert", "critically_low"),  # a working afternoon before the top-up
        ("recovery", "healthy"),
        *UNAVAILABLE_TOLD,
    ]


@pytest.mark.parametrize("name", ["office hours", "bursty agents"])
def test_a_busy_afternoon_before_the_top_up_crosses_both_levels_each_told_once_at_once(name):
    pattern = PATTERNS[name]
    month = list(steps(pattern))

    outcome = decide_pattern(pattern)

    low = told(outcome).index(("alert", "low"))
    assert told(outcome)[low : low + 3] == [("alert", "low"), ("alert", "critically_low"), ("recovery", "healthy")]
    below_critical = next(step.at for step in month if step.balance < critical_threshold(pattern))
    topped_up = next(step.at for step in month if step.top_up)
    assert [notice.at for notice in outcome.notices[low + 1 : low + 3]] == [below_critical, topped_up]
    assert [notice.state for notice in outcome.notices].count("critically_low") == 1  # no flapping


def test_the_judge_catches_a_critical_level_understated_told_late_or_flapping():
    pattern = PATTERNS["office hours"]
    month = list(steps(pattern))
    truth = decide_pattern(pattern).notices
    critical = next(notice for notice in truth if notice.state == "critically_low")
    as_low = replace(critical, state="low")
    later = replace(critical, at=critical.at + timedelta(minutes=15))
    back_up = Notice(critical.at + timedelta(minutes=30), "alert", "low")

    understated, late, flapping = Outcome("office hours"), Outcome("office hours"), Outcome("office hours")
    judge(pattern, month, [as_low if notice is critical else notice for notice in truth], understated)
    judge(pattern, month, [later if notice is critical else notice for notice in truth], late)
    judge(
        pattern, month, [*truth, back_up, replace(back_up, at=back_up.at + STEP_15, state="critically_low")], flapping
    )

    assert understated.false_alerts == [as_low]
    assert [due.problem for due in understated.missed] == ["critically_low"]
    assert ([due.problem for due in late.missed], late.false_alerts) == (["critically_low"], [])
    assert flapping.false_alerts == [back_up]


def test_bursty_agents_leave_only_the_leaks_as_spikes():
    outcome = decide_pattern(PATTERNS["bursty agents"])

    spikes = [notice.at for notice in outcome.notices if notice.kind == "alert" and notice.state == "spend_spike"]
    assert len(spikes) == len(LEAKS)
    assert all(timedelta(0) < spike - leak <= timedelta(hours=1) for spike, leak in zip(spikes, LEAKS, strict=True))


def test_an_idle_account_with_8000_cny_never_crashes_and_is_told_only_of_leaks_and_unavailability():
    outcome = decide_pattern(PATTERNS["idle"])

    assert outcome.crashes == []
    assert told(outcome) == [*LEAK_TOLD, *LEAK_TOLD, *UNAVAILABLE_TOLD]
    unavailable = next(notice for notice in outcome.notices if notice.state == "unavailable")
    assert unavailable.at == UNAVAILABLE[0]


@pytest.mark.parametrize("name", PATTERNS)
def test_each_leak_is_told_within_the_hour_it_burns(name):
    outcome = decide_pattern(PATTERNS[name])

    for leak in LEAKS:
        assert any(
            notice.state == "spend_spike" and leak < notice.at <= leak + timedelta(hours=1)
            for notice in outcome.notices
        ), f"the leak at {leak} was not told within the hour"


def test_the_judge_catches_a_false_alert_a_missed_one_and_a_late_one():
    pattern = PATTERNS["steady"]
    month = list(steps(pattern))
    truth = decide_pattern(pattern).notices
    first_leak = next(due for due in dues(pattern, month) if due.problem == "spend_spike")
    quiet_time = month[100].at

    silent = Outcome("steady")
    judge(pattern, month, [notice for notice in truth if notice.state != "spend_spike"], silent)
    noisy = Outcome("steady")
    judge(pattern, month, [*truth, Notice(quiet_time, "alert", "spend_spike")], noisy)
    late = Outcome("steady")
    delayed = Notice(first_leak.deadline + timedelta(minutes=15), "alert", "spend_spike")
    judge(pattern, month, [*(notice for notice in truth if notice.at > first_leak.deadline), delayed], late)

    assert [due.problem for due in silent.missed] == ["spend_spike", "spend_spike"]
    assert noisy.false_alerts == [Notice(quiet_time, "alert", "spend_spike")]
    assert first_leak in late.missed
    assert isinstance(first_leak, Due)


def test_the_docs_describe_every_pattern_as_the_code_does_and_show_each_ones_results():
    text = (Path(__file__).resolve().parents[2] / "docs" / "simulation.md").read_text()
    described = text[text.index("## The usage patterns") : text.index("## How the month is judged")]
    results = text[text.index("## Results") : text.index("## In CI")]

    rows = [line for line in described.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert rows == [f"| {pattern.name} | {pattern.description} |" for pattern in patterns()]
    result_rows = [line for line in results.splitlines() if line.startswith("| **")]
    assert [row.split("**")[1] for row in result_rows] == list(PATTERNS)
