"""Digests: for every account, read the period's checks (one Query) and its state, sum them up
(digest.py) and publish one message through the alert topic. Collaborators are passed in.

Accounts are done a few at once. An account whose digest could not be published, and those
not begun when the invocation's time ran short, fail the invocation: Lambda's retry (the same
request id) publishes only the digests still owed, since each one published is marked in the
table (adapters/sent_digests.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from balance_monitor.alert_lifecycle import AlertState
from balance_monitor.alert_messages import AlertMessage
from balance_monitor.digest import DEFAULT_DAYS, LOOKBACK, MAX_DAYS, Period, render_digest, summarise
from balance_monitor.errors import AccountsFailedError, DigestRequestError, HistoryStoreError, MonitorError
from balance_monitor.history import CheckRecord, format_timestamp
from balance_monitor.observability import MetricsRecorder, logger
from balance_monitor.settings import DEFAULT_ACCOUNT
from balance_monitor.texts import DEFAULT_LANGUAGE

MAX_CONCURRENT_DIGESTS = 4  # enough for requests to overlap the CPU-bound summing up, and few in flight at the deadline


class History(Protocol):
    def load_state(self, account: str) -> AlertState: ...
    def checks_between(self, account: str, start: datetime, end: datetime) -> Iterable[CheckRecord]: ...


class SentDigests(Protocol):
    def sent_by(self, account: str, period_end: datetime) -> str | None: ...
    def record(
        self,
        account: str,
        period_end: datetime,
        *,
        owner: str,
        message_id: str,
        sent_at: datetime,
        expires_at: datetime,
    ) -> None: ...


class Alerts(Protocol):
    def publish(self, message: AlertMessage) -> str: ...


@dataclass(frozen=True)
class Delivery:
    """What every account's digest in one invocation shares."""

    history: History
    alerts: Alerts
    sent: SentDigests
    owner: str  # the invocation's request id, the same in Lambda's retries of it
    retention: timedelta  # how long a digest's mark is kept, as long as the checks
    deadline: float  # time.monotonic() after which no account's digest is begun
    now: Callable[[], datetime]
    languages: Mapping[str, str] = field(default_factory=dict)  # each account's; DEFAULT_LANGUAGE if absent


@dataclass(frozen=True)
class DigestOutcome:
    account: str
    result: str  # "sent"; "already sent" by an earlier attempt of this invocation; "not begun"; "failed"
    checks: int | None = None
    message_id: str | None = None
    error: MonitorError | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"account": self.account, "result": self.result, "checks": self.checks, "message_id": self.message_id}


def digest_days(request: Any) -> int:
    """How many days the digest event asks for: `{"days": 7}`, or `{}` for DEFAULT_DAYS."""
    if not isinstance(request, dict):
        raise DigestRequestError('a digest event is {"digest": {"days": 7}}')
    days = request.get("days", DEFAULT_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise DigestRequestError(f"digest days {str(days)[:20]!r} is not a whole number from 1 to {MAX_DAYS}")
    return days


def deliver_digests(request: Any, accounts: Sequence[str], at: datetime, delivery: Delivery) -> dict[str, Any]:
    """Publish each account's digest of the whole days before `at`'s day; a summary of what was
    done, or AccountsFailedError (the account's own error, for the single-key setup)."""
    recorder = MetricsRecorder()
    try:
        period = Period.days_before(at, digest_days(request))
    except DigestRequestError as exc:  # retrying cannot mend the event
        logger.error("digest event refused", extra={"error": str(exc)})
        recorder.count("EventsRefused")
        recorder.flush()
        return {"result": "refused", "error": str(exc)}
    with ThreadPoolExecutor(max_workers=max(1, min(MAX_CONCURRENT_DIGESTS, len(accounts)))) as pool:
        outcomes = list(pool.map(lambda name: _deliver(name, period, delivery), sorted(accounts)))
    recorder.count("DigestsSent", sum(outcome.result == "sent" for outcome in outcomes))
    recorder.flush()
    owed = [outcome for outcome in outcomes if outcome.result in ("failed", "not begun")]
    if owed:
        if [outcome.account for outcome in outcomes] == [DEFAULT_ACCOUNT] and owed[0].error:
            raise owed[0].error
        details = "; ".join(f"{outcome.account}: {outcome.error or outcome.result}" for outcome in owed[:5])
        more = f"; and {len(owed) - 5} more, in the logs" if len(owed) > 5 else ""
        raise AccountsFailedError(f"{len(owed)} of {len(outcomes)} digests not sent ({details}{more})")
    return {
        "digest": {"start": format_timestamp(period.start), "end": format_timestamp(period.end)},
        "accounts": [outcome.as_dict() for outcome in outcomes],
    }


def _deliver(account: str, period: Period, delivery: Delivery) -> DigestOutcome:
    if time.monotonic() > delivery.deadline:
        logger.warning("no time left for this account's digest; Lambda's retry sends it", extra={"account": account})
        return DigestOutcome(account, "not begun")
    try:
        if delivery.sent.sent_by(account, period.end) == delivery.owner:
            return DigestOutcome(account, "already sent")
        state = delivery.history.load_state(account)
        records = delivery.history.checks_between(account, period.start - LOOKBACK, period.end)
        summary = summarise(account, records, period, state)
        message = render_digest(summary, delivery.languages.get(account, DEFAULT_LANGUAGE))
        message_id = delivery.alerts.publish(message)
    except MonitorError as exc:
        logger.error("digest not sent", extra={"account": account, "error": str(exc)})
        return DigestOutcome(account, "failed", error=exc)
    except Exception as exc:  # a bug in one account's digest must not stop the others'
        logger.exception("digest failed unexpectedly", extra={"account": account})
        return DigestOutcome(account, "failed", error=MonitorError(f"unexpected error ({type(exc).__name__})"))
    logger.info("digest published", extra={"message_id": message_id, "subject": message.subject, **message.attributes})
    now = delivery.now()
    try:
        delivery.sent.record(
            account,
            period.end,
            owner=delivery.owner,
            message_id=message_id,
            sent_at=now,
            expires_at=now + delivery.retention,
        )
    except HistoryStoreError as exc:  # published all the same: only a retry could send it twice
        logger.warning("the digest was published but not marked as sent", extra={"account": account, "error": str(exc)})
    return DigestOutcome(account, "sent", summary.checks, message_id)
