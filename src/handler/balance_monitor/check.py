"""Balance checks: for one account, read the balance, record the check, move the alert state
on and publish the notification that calls for; for every account, the same, at once, in a
bounded pool. Collaborators are passed in."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from balance_monitor.adapters.secrets import AccountConfig
from balance_monitor.alert_lifecycle import (
    MAX_CLOCK_SKEW,
    AlertState,
    CheckOutcome,
    Evaluation,
    Observation,
    evaluate,
    is_duplicate,
    is_stale,
    without_future,
)
from balance_monitor.balance import BalanceReport
from balance_monitor.errors import (
    AlertDeliveryError,
    ApiKeyError,
    ApiKeyMissingError,
    BalanceFetchError,
    CheckFailedError,
    ConfigurationError,
    EventTimeError,
    HistoryStoreError,
    InsufficientBalanceError,
    KeyRejectedError,
    MonitorError,
)
from balance_monitor.history import CheckRecord, format_timestamp, parse_timestamp
from balance_monitor.observability import MetricsRecorder, logger
from balance_monitor.providers import Provider, provider
from balance_monitor.settings import Settings
from balance_monitor.spend import Estimate

if TYPE_CHECKING:
    from balance_monitor.alert_messages import AlertMessage

# How often to re-read the state when another invocation holds it, and how long to wait.
STATE_ATTEMPTS = 5
STATE_RETRY_SECONDS = 0.25


class ApiKeySource(Protocol):
    def get(self) -> str: ...


class BalanceClient(Protocol):
    def fetch_balance(self, api_key: str, deadline: float, *, provider: Provider, base_url: str) -> BalanceReport: ...


class History(Protocol):
    def load_state(self, account: str) -> AlertState: ...
    def claim_notification(self, account: str, version: int, owner: str, lease_until: int, now: int) -> bool: ...
    def release_claim(self, account: str, owner: str) -> None: ...
    def commit(self, record: CheckRecord, state: AlertState, *, owner: str | None, now: int) -> bool: ...
    def put_check(self, record: CheckRecord, *, only_if_absent: bool = False) -> bool: ...


class Alerts(Protocol):
    def publish(self, message: AlertMessage) -> str: ...


@dataclass(frozen=True)
class CheckSummary:
    """What one account's check did, as the handler returns it."""

    account: str
    checked_at: datetime
    result: str  # "checked", "duplicate" (already done) or "late" (a newer check came first)
    status: str
    outcome: str | None = None
    notification: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "checked_at": format_timestamp(self.checked_at),
            "result": self.result,
            "outcome": self.outcome and str(self.outcome),
            "status": str(self.status),
            "notification": self.notification and str(self.notification),
        }


def check_time(event: Any, now: datetime) -> datetime:
    """A scheduled event's `time`, so that a redelivered event is the same check; else now.
    A time ahead of the clock is refused: it would make every real check after it look late."""
    text = event.get("time") if isinstance(event, dict) else None
    if text is None:
        return now.astimezone(UTC).replace(microsecond=0)
    try:
        moment = parse_timestamp(str(text))
    except ValueError as exc:
        raise EventTimeError(f"event time {str(text)[:40]!r} is not an ISO-8601 time with a zone") from exc
    if moment > now + MAX_CLOCK_SKEW:
        raise EventTimeError(
            f"event time {format_timestamp(moment)} is ahead of this function's clock "
            f"({format_timestamp(now)}) by more than {MAX_CLOCK_SKEW}"
        )
    return moment


def balance_reader(
    settings: Settings, api_key: ApiKeySource, client: BalanceClient, deadline: float
) -> Callable[[], BalanceReport]:
    """Reads the account's balance from its provider."""
    source, base_url = provider(settings.provider), settings.balance_base_url
    return lambda: client.fetch_balance(api_key.get(), deadline, provider=source, base_url=base_url)


def misconfigured(problems: tuple[str, ...]) -> Callable[[], BalanceReport]:
    """A reader for settings the monitor cannot use: the provider is not asked, the check says why."""

    def refuse() -> BalanceReport:
        raise ConfigurationError("; ".join(problems))

    return refuse


def unexpected(exc: Exception) -> str:
    """A bug, told in words fit for a record: its kind only, since its text may quote anything."""
    return f"unexpected error ({type(exc).__name__})"


def observe(read_balance: Callable[[], BalanceReport]) -> Observation:
    """Turn a balance read into an Observation; a failure is never a zero balance."""
    try:
        return Observation(outcome=CheckOutcome.OK, report=read_balance())
    except (KeyRejectedError, ApiKeyMissingError) as exc:
        return Observation(outcome=CheckOutcome.KEY_REJECTED, error=str(exc))
    except InsufficientBalanceError as exc:
        return Observation(outcome=CheckOutcome.INSUFFICIENT_BALANCE, error=str(exc))
    except ConfigurationError as exc:
        return Observation(outcome=CheckOutcome.MISCONFIGURED, error=str(exc))
    except (BalanceFetchError, ApiKeyError) as exc:
        return Observation(outcome=CheckOutcome.FAILED, error=str(exc))
    except Exception as exc:  # a bug must still leave a failed check in history
        logger.exception("unexpected error while reading the balance")
        return Observation(outcome=CheckOutcome.FAILED, error=unexpected(exc))


@dataclass(frozen=True)
class Invocation:
    """What every account's check in one invocation shares."""

    history: History
    alerts: Alerts
    checked_at: datetime
    owner: str  # the invocation's request id, which holds the lease on an alert it sends
    lease_seconds: int
    recorder: MetricsRecorder


@dataclass(frozen=True)
class AccountOutcome:
    """One account's check in an invocation of several: its summary, or the error it ended with."""

    account: str
    summary: CheckSummary | None = None
    error: MonitorError | None = None

    def result(self) -> CheckSummary:
        """The summary, or the error the account's check ended with, raised."""
        if self.error is not None:
            raise self.error
        if self.summary is None:
            raise MonitorError(f"the check of account {self.account!r} left no summary")
        return self.summary


def check_accounts(
    settings: Settings,
    accounts: Mapping[str, AccountConfig],
    invocation: Invocation,
    *,
    key_for: Callable[[str], ApiKeySource],
    client: BalanceClient,
    deadline: float,
    max_workers: int,
) -> list[AccountOutcome]:
    """Check every account at once, in a bounded pool. Each check is independent: its own
    retries, errors, record, state and alerts; a slow or failing account delays no other."""

    def check(name: str) -> CheckSummary:
        config = accounts[name]
        account_settings = settings.for_account(
            name,
            thresholds=config.thresholds,
            critical_thresholds=config.critical_thresholds,
            runway_alert_days=config.runway_alert_days,
            provider=config.provider,
            base_url=config.base_url,
            language=config.alert_language,
        )
        if account_settings.problems:
            return run_check(account_settings, misconfigured(account_settings.problems), invocation)
        return run_check(
            account_settings, balance_reader(account_settings, key_for(name), client, deadline), invocation
        )

    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(accounts)))) as pool:
        futures = {name: pool.submit(check, name) for name in sorted(accounts)}
    outcomes = []
    for name, future in futures.items():
        try:
            outcomes.append(AccountOutcome(name, summary=future.result()))
        except MonitorError as exc:
            outcomes.append(AccountOutcome(name, error=exc))
        except Exception as exc:  # run_check records what it can; one account never takes the rest down
            logger.exception("unexpected error in an account's check", extra={"account": name})
            outcomes.append(AccountOutcome(name, error=CheckFailedError(unexpected(exc))))
    return outcomes


def run_check(
    settings: Settings,
    read_balance: Callable[[], BalanceReport],
    invocation: Invocation,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    sleep: Callable[[float], None] = time.sleep,
) -> CheckSummary:
    """Check the balance once. Raises CheckFailedError after recording a check whose balance
    could not be read (the first time: Lambda's retry may then succeed), AlertDeliveryError
    when a due alert could not be published (the state is left as it was, so the alert is
    sent on the next attempt), and HistoryStoreError when the check could not be recorded."""
    check = _Check(settings, invocation, clock, sleep)
    try:
        return check.run(read_balance)
    except HistoryStoreError as exc:
        at = format_timestamp(invocation.checked_at)
        logger.error(
            "the check could not be recorded", extra={"error": str(exc), "at": at, "account": settings.account}
        )
        invocation.recorder.count("CheckNotRecorded")
        raise
    except MonitorError:
        raise
    except Exception as exc:
        # A bug must not leave a hole in history, nor stop the other accounts' checks.
        error = unexpected(exc)
        logger.exception("the check failed unexpectedly", extra={"account": settings.account})
        check.record_failure(error)
        raise CheckFailedError(f"balance check failed: {error}") from exc


@dataclass(frozen=True)
class _Check:
    """One invocation's check of one account."""

    settings: Settings
    invocation: Invocation
    clock: Callable[[], datetime]
    sleep: Callable[[float], None]

    @property
    def account(self) -> str:
        return self.settings.account

    @property
    def checked_at(self) -> datetime:
        return self.invocation.checked_at

    def run(self, read_balance: Callable[[], BalanceReport]) -> CheckSummary:
        state = self._load_state()
        if is_duplicate(state, self.checked_at):
            return self._duplicate(state)
        if is_stale(state, self.checked_at):
            # Decided before the provider is asked: today's balance is no answer for an older time.
            at = format_timestamp(self.checked_at)
            logger.info(
                "a newer check came first; this late event is skipped", extra={"at": at, "account": self.account}
            )
            self.invocation.recorder.count("LateEvents")
            return CheckSummary(self.account, self.checked_at, "late", state.status)
        # Lambda retries a failed check once through here; a second failure is recorded, not raised.
        retry_of_failed_check = state.last_check_at == self.checked_at
        observation = observe(read_balance)
        record = CheckRecord(
            self.account,
            self.checked_at,
            observation,
            expires_at=self.checked_at + self.settings.history_retention,
            provider=self.settings.provider,
        )
        for attempt in range(STATE_ATTEMPTS):
            if attempt:
                self.sleep(STATE_RETRY_SECONDS * attempt)
                state = self._load_state()
            if is_duplicate(state, self.checked_at):
                return self._duplicate(state)
            if is_stale(state, self.checked_at):
                self.invocation.history.put_check(record, only_if_absent=True)
                logger.info("a newer check moved the state on; this one only joins the history")
                summary = CheckSummary(self.account, self.checked_at, "late", state.status, observation.outcome)
                return _finish(record, summary, {}, self.invocation.recorder, raise_failure=False)
            moved = self._move_state(state, record)
            if moved:
                return _finish(*moved, self.invocation.recorder, raise_failure=not retry_of_failed_check)
        self.invocation.history.put_check(record, only_if_absent=True)
        raise HistoryStoreError("the alert state stayed busy with another check; this one was recorded only")

    def _load_state(self) -> AlertState:
        state = self.invocation.history.load_state(self.account)
        repaired = without_future(state, self.clock())
        if repaired is not state:
            logger.warning(
                "the alert state was written by a check dated in the future; its times are forgotten",
                extra={"account": self.account, "last_check_at": str(state.last_check_at)},
            )
        return repaired

    def record_failure(self, error: str) -> None:
        """Leave a failed check in history, whatever went wrong; best effort."""
        record = CheckRecord(
            self.account,
            self.checked_at,
            Observation(CheckOutcome.FAILED, error=error),
            expires_at=self.checked_at + self.settings.history_retention,
            provider=self.settings.provider,
        )
        try:
            self.invocation.history.put_check(record, only_if_absent=True)
        except Exception:
            logger.exception("the failed check could not be recorded either", extra={"account": self.account})

    def _duplicate(self, state: AlertState) -> CheckSummary:
        at = format_timestamp(self.checked_at)
        logger.info("check already done; redelivered event ignored", extra={"at": at, "account": self.account})
        self.invocation.recorder.count("DuplicateEvents")
        return CheckSummary(self.account, self.checked_at, result="duplicate", status=state.status)

    def _move_state(
        self, state: AlertState, record: CheckRecord
    ) -> tuple[CheckRecord, CheckSummary, Mapping[str, Estimate]] | None:
        """Decide, publish what is due, record. None when another invocation moved the state first."""
        try:
            evaluation = self._evaluate(state, record.observation)
        except Exception as exc:
            # The alert logic failed on this reading: keep the reading, count a failed check,
            # so that the state still moves (and, if it lasts, says the monitor is failing).
            logger.exception("the alert logic failed on this check", extra={"account": self.account})
            failed = Observation(CheckOutcome.FAILED, record.observation.report, unexpected(exc))
            record = replace(record, observation=failed)
            evaluation = self._evaluate(state, failed)
        notification, held, held_by = evaluation.notification, evaluation.held, evaluation.held_by
        kind = notification.kind if notification else None
        decided = replace(
            record,
            status=evaluation.state.status,
            notification=kind,
            events=evaluation.events,
            held=held.kind if held else None,
            silenced_by=held_by.id if held_by else None,
        )
        history, owner = self.invocation.history, self.invocation.owner
        now = int(self.clock().timestamp())
        if notification:
            lease_until = now + self.invocation.lease_seconds
            if not history.claim_notification(self.account, state.version, owner, lease_until, now):
                return None
            # Loaded here, where an alert is sent: a healthy check never renders one (docs/performance.md).
            from balance_monitor.alert_messages import render_alert

            message = render_alert(
                notification,
                account=self.account,
                thresholds=self.settings.thresholds,
                critical_thresholds=self.settings.critical_thresholds,
                provider_name=self.settings.provider,
                language=self.settings.language,
            )
            self._publish(message, decided)
        if not history.commit(decided, evaluation.state, owner=owner if notification else None, now=now):
            if notification:
                raise HistoryStoreError("the alert state changed while this check held its lease")
            return None
        if held and held_by:
            logger.info(
                "a silence held this notification back",
                extra={"account": self.account, "kind": held.kind, "state": held.status, "silence": held_by.id},
            )
            self.invocation.recorder.count("NotificationsHeld")
        status = evaluation.state.status
        summary = CheckSummary(self.account, self.checked_at, "checked", status, record.observation.outcome, kind)
        return decided, summary, evaluation.estimates

    def _evaluate(self, state: AlertState, observation: Observation) -> Evaluation:
        return evaluate(
            state,
            observation,
            checked_at=self.checked_at,
            thresholds=self.settings.thresholds,
            critical_thresholds=self.settings.critical_thresholds,
            reminder_interval=self.settings.reminder_interval,
            runway_alert_days=self.settings.runway_alert_days,
            spike_factor=self.settings.spike_factor,
        )

    def _publish(self, message: AlertMessage, record: CheckRecord) -> None:
        try:
            message_id = self.invocation.alerts.publish(message)
        except AlertDeliveryError as exc:
            # Record the check, leave the state unmoved and let the claim go: the next attempt sends it.
            self.invocation.history.put_check(replace(record, status=None, alert_error=str(exc)))
            try:
                self.invocation.history.release_claim(self.account, self.invocation.owner)
            except HistoryStoreError:
                logger.warning("could not release the alert claim; it expires by itself")
            logger.error("alert could not be published", extra={"error": str(exc), **message.attributes})
            self.invocation.recorder.count("AlertDeliveryFailed")
            raise
        logger.info(
            "alert published", extra={"message_id": message_id, "subject": message.subject, **message.attributes}
        )
        self.invocation.recorder.count("AlertsPublished")


def _finish(
    record: CheckRecord,
    summary: CheckSummary,
    estimates: Mapping[str, Estimate],
    recorder: MetricsRecorder,
    *,
    raise_failure: bool,
) -> CheckSummary:
    """Metrics and the log line for a recorded check; a failed one is raised, when asked, so
    that Lambda counts an error and retries."""
    observation = record.observation
    succeeded = observation.outcome is CheckOutcome.OK
    recorder.count("CheckSucceeded", int(succeeded))
    recorder.count("CheckFailed", int(not succeeded))
    recorder.figure("CheckSucceeded", Decimal(int(succeeded)), account=record.account, provider=record.provider)
    if observation.report:
        for currency, balance in observation.report.balances.items():
            known = estimates.get(currency, Estimate(None, None, None))
            figures = {
                "Balance": balance.total,
                "BurnRatePerDay": known.rate_per_day,
                "RunwayDays": known.runway_days,
            }
            for name, value in figures.items():
                if value is not None:
                    recorder.figure(name, value, account=record.account, provider=record.provider, currency=currency)
    fields = {**summary.as_dict(), "provider": record.provider}
    if observation.outcome is CheckOutcome.MISCONFIGURED:
        logger.error("the monitor's configuration is unusable", extra={"error": observation.error, **fields})
        return summary
    if observation.outcome is not CheckOutcome.FAILED:
        logger.info("balance checked", extra=fields)
        return summary
    logger.error("balance check failed", extra={"error": observation.error, **fields})
    if raise_failure:
        raise CheckFailedError(f"balance check failed: {observation.error}")
    return summary
