"""Silences: while one holds an account's state, its checks still run, record and move the
state, but the alert or reminder they would have published is held back.

Modelled on Alertmanager's silences: made by a person (the command, or a snooze button in
Slack), for one account, for some states or all, for a while; never edited, only ended early.
Pure functions over plain data. Which states a silence may hold without naming them is the
alert logic's call (alert_lifecycle.py); here are time, top-ups and the list of states.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from balance_monitor.errors import SilenceError

MAX_DURATION = timedelta(days=30)  # a silence longer than this is a monitor switched off
UNTIL_TOP_UP_LIMIT = timedelta(days=7)  # how long "until top-up" lasts when no top-up comes
SNOOZE = timedelta(hours=24)  # the Slack button "Snooze 24 h"
MAX_ACTIVE = 20  # per account: each is copied into the state item every check reads and writes
KEPT_AFTER_END = timedelta(days=90)  # a silence's own item, for `silence list --all`, then TTL
REASON_LIMIT = 200
SILENCE_ID = re.compile(r"[0-9a-f]{8}")


@dataclass(frozen=True)
class Silence:
    """A time during which an account's notifications of some states are held back."""

    id: str
    starts: datetime
    ends: datetime  # the latest it lasts; one until a top-up ends sooner if a top-up comes
    states: tuple[str, ...] = ()  # empty: every state a silence may hold without naming it
    until_top_up: bool = False
    # In the silence's own item (the audit trail); the copy in the state item, which is all a
    # check reads, holds only the fields above.
    account: str = ""
    reason: str = ""
    created_by: str = ""
    created_at: datetime | None = None

    def has_ended(self, at: datetime, *, topped_up: bool) -> bool:
        """Over by `at`: its time is up, or a top-up came while it was in force."""
        return at >= self.ends or (self.until_top_up and topped_up and at >= self.starts)

    def holds(self, status: str, at: datetime, *, only_if_named: bool) -> bool:
        """Whether it holds back a notification about `status` at `at`. A state that
        `only_if_named` is held only by a silence that lists it."""
        if not self.starts <= at < self.ends:
            return False
        if self.states:
            return status in self.states
        return not only_if_named


def remaining(silences: tuple[Silence, ...], at: datetime, *, topped_up: bool) -> tuple[Silence, ...]:
    """The silences not over by `at`: what the state keeps."""
    return tuple(silence for silence in silences if not silence.has_ended(at, topped_up=topped_up))


def make_silence(
    *,
    silence_id: str,
    account: str,
    states: tuple[str, ...],
    now: datetime,
    ends: datetime | None,
    until_top_up: bool,
    reason: str,
    created_by: str,
) -> Silence:
    """A new silence starting now, checked: it ends in the future, within MAX_DURATION (one
    until a top-up, by default after UNTIL_TOP_UP_LIMIT), and says why."""
    if ends is None:
        if not until_top_up:
            raise SilenceError("say how long: for a duration, until a time, or until a top-up")
        ends = now + UNTIL_TOP_UP_LIMIT
    if ends <= now:
        raise SilenceError(f"it would end at {ends:%Y-%m-%d %H:%M} UTC, which is not in the future")
    if ends - now > MAX_DURATION:
        raise SilenceError(f"a silence lasts at most {MAX_DURATION.days} days; end it sooner")
    reason = " ".join(reason.split())
    if not reason:
        raise SilenceError("give a reason: whoever wonders why no alert came will read it")
    if len(reason) > REASON_LIMIT:
        raise SilenceError(f"the reason is longer than {REASON_LIMIT} characters")
    if not SILENCE_ID.fullmatch(silence_id):
        raise SilenceError(f"silence id {silence_id!r} is not 8 lowercase hexadecimal digits")
    return Silence(
        id=silence_id,
        starts=now,
        ends=ends,
        states=tuple(dict.fromkeys(states)),
        until_top_up=until_top_up,
        account=account,
        reason=reason,
        created_by=created_by,
        created_at=now,
    )
