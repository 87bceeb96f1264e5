"""Which silence holds which notification: states listed or not, the states a silence holds
only by name, its time, and a top-up ending one made "until top-up"."""

from datetime import UTC, datetime, timedelta

import pytest

from balance_monitor.alert_lifecycle import SILENCED_ONLY_BY_NAME, Status
from balance_monitor.errors import SilenceError
from balance_monitor.silences import MAX_DURATION, UNTIL_TOP_UP_LIMIT, Silence, make_silence, remaining

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def silence(*states: str, hours: int = 2, until_top_up: bool = False, starts: datetime = NOW) -> Silence:
    return Silence(id="0a1b2c3d", starts=starts, ends=starts + hours * HOUR, states=states, until_top_up=until_top_up)


def held(silence: Silence, status: Status, at: datetime = NOW + HOUR) -> bool:
    return silence.holds(status, at, only_if_named=status in SILENCED_ONLY_BY_NAME)


def test_the_states_held_only_by_name_are_those_where_the_monitor_cannot_see_the_balance():
    assert {status.value for status in SILENCED_ONLY_BY_NAME} == {"misconfigured", "key_rejected", "failing"}


@pytest.mark.parametrize("status", [Status.LOW, Status.SPEND_SPIKE, Status.RUNWAY_SHORT, Status.UNAVAILABLE])
def test_a_silence_naming_no_state_holds_every_balance_problem(status):
    assert held(silence(), status)


@pytest.mark.parametrize("status", sorted(SILENCED_ONLY_BY_NAME))
def test_misconfigured_key_rejected_and_failing_are_held_only_by_a_silence_that_names_them(status):
    assert not held(silence(), status)
    assert not held(silence("low", "unavailable"), status)
    assert held(silence(status.value), status)


def test_a_silence_naming_states_holds_those_and_no_other():
    naming = silence("low", "runway_short")

    assert [status for status in Status if held(naming, status)] == [Status.LOW, Status.RUNWAY_SHORT]


def test_a_silence_holds_from_its_start_until_its_end_exclusive():
    two_hours = silence("low")

    assert not held(two_hours, Status.LOW, NOW - timedelta(seconds=1))
    assert held(two_hours, Status.LOW, NOW)
    assert held(two_hours, Status.LOW, NOW + 2 * HOUR - timedelta(seconds=1))
    assert not held(two_hours, Status.LOW, NOW + 2 * HOUR)


def test_an_expired_silence_is_over_and_dropped_from_the_state():
    kept, over = silence("low", hours=3), silence("low", hours=1)

    assert over.has_ended(NOW + HOUR, topped_up=False)
    assert remaining((kept, over), NOW + HOUR, topped_up=False) == (kept,)
    assert remaining((kept, over), NOW + 3 * HOUR, topped_up=False) == ()


def test_until_top_up_ends_at_the_first_top_up_seen_while_it_holds():
    until_top_up = silence("low", hours=24 * 7, until_top_up=True)

    assert not until_top_up.has_ended(NOW + HOUR, topped_up=False)
    assert until_top_up.has_ended(NOW + HOUR, topped_up=True)
    # Nor does one seen at the very moment it began, that top-up came while it held.
    assert until_top_up.has_ended(NOW, topped_up=True)
    # A top-up seen by a check dated before the silence began (a late event) does not end it.
    assert not until_top_up.has_ended(NOW - HOUR, topped_up=True)
    # Without a top-up, its time still runs out.
    assert until_top_up.has_ended(NOW + 24 * 7 * HOUR, topped_up=False)


def test_a_top_up_does_not_end_a_silence_for_a_time():
    for_a_day = silence("low", hours=24)

    assert remaining((for_a_day,), NOW + HOUR, topped_up=True) == (for_a_day,)


def made(**overrides):
    arguments = {
        "silence_id": "0a1b2c3d",
        "account": "default",
        "states": ("low",),
        "now": NOW,
        "ends": NOW + 24 * HOUR,
        "until_top_up": False,
        "reason": "topping up on Monday",
        "created_by": "arn:aws:iam::123456789012:user/ana",
    }
    return make_silence(**{**arguments, **overrides})


def test_a_new_silence_starts_now_and_keeps_who_made_it_and_why():
    new = made(states=("low", "low", "unavailable"), reason="  topping up\n on Monday ")

    assert (new.id, new.account, new.created_by) == ("0a1b2c3d", "default", "arn:aws:iam::123456789012:user/ana")
    assert (new.starts, new.created_at, new.ends) == (NOW, NOW, NOW + 24 * HOUR)
    assert new.states == ("low", "unavailable")
    assert new.reason == "topping up on Monday"


def test_until_top_up_without_an_end_lasts_a_week_at_most():
    assert made(ends=None, until_top_up=True).ends == NOW + UNTIL_TOP_UP_LIMIT


def test_the_longest_silence_and_the_longest_reason_are_allowed():
    longest = made(ends=NOW + MAX_DURATION, reason="x" * 200)

    assert (longest.ends, len(longest.reason)) == (NOW + MAX_DURATION, 200)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends": None}, "say how long: for a duration, until a time, or until a top-up"),
        ({"ends": NOW}, "it would end at 2026-11-25 08:00 UTC, which is not in the future"),
        ({"ends": NOW + MAX_DURATION + timedelta(seconds=1)}, "a silence lasts at most 30 days; end it sooner"),
        ({"reason": "  "}, "give a reason: whoever wonders why no alert came will read it"),
        ({"reason": "x" * 201}, "the reason is longer than 200 characters"),
        ({"silence_id": "ZZZ"}, "silence id 'ZZZ' is not 8 lowercase hexadecimal digits"),
    ],
)
def test_a_silence_that_would_hide_too_much_or_say_nothing_is_refused(overrides, message):
    with pytest.raises(SilenceError) as refusal:
        made(**overrides)

    assert str(refusal.value) == message
