"""What an alert says. Pure functions over plain data.

Every notification becomes one versioned document (docs/alerts.md, "Alert document"), the single
source for each rendering: the subject (under 100 characters), the email a person reads at
a glance, the JSON machine subscribers get, the message attributes subscribers filter on,
and the chat messages in chat_messages.py.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from balance_monitor.alert_lifecycle import (
    SEVERITY,
    CheckOutcome,
    Notification,
    NotificationKind,
    Status,
    currencies_below_threshold,
)
from balance_monitor.balance import BalanceReport, Thresholds
from balance_monitor.history import format_timestamp
from balance_monitor.providers import DEFAULT_PROVIDER, Provider, provider
from balance_monitor.spend import RUNWAY_HORIZON_DAYS, Estimate
from balance_monitor.texts import CATALOGUE, DEFAULT_LANGUAGE, ENGLISH, language_of, say

SCHEMA = "deepseek-balance-monitor/alert"
SCHEMA_VERSION = 1
SUBJECT_LIMIT = 99  # SNS rejects subjects of 100 characters or more
# The SNS message attributes every alert, test notification and digest carries, for filter policies.
MESSAGE_ATTRIBUTES = ("account", "provider", "state", "severity", "kind")

# Control characters and line or paragraph separators: SNS refuses them in a subject.
_NOT_IN_A_SUBJECT = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def title(status: Status | str, language: str = DEFAULT_LANGUAGE) -> str:
    """A state as people name it: `balance low`, `余额不足`."""
    return say(language, f"state.{Status(status).value}")


def severity_title(severity: str, language: str = DEFAULT_LANGUAGE) -> str:
    return say(language, f"severity.{severity}")


TITLES = {status: title(status) for status in Status}  # in English


@dataclass(frozen=True)
class AlertMessage:
    subject: str
    body: str  # the email, for people
    attributes: dict[str, str]  # SNS message attributes, for subscription filter policies
    document: dict[str, Any]  # the versioned JSON document, for machines and chat

    @classmethod
    def of(cls, document: dict[str, Any], body: str) -> AlertMessage:
        """A document as the topic publishes it: its subject, the body for email, and the
        attributes filter policies route by."""
        return cls(document["subject"], body, {name: document[name] for name in MESSAGE_ATTRIBUTES}, document)


def render_alert(
    notification: Notification,
    *,
    account: str,
    thresholds: Thresholds,
    critical_thresholds: Thresholds | None = None,
    provider_name: str = DEFAULT_PROVIDER,
    language: str = DEFAULT_LANGUAGE,
) -> AlertMessage:
    """The notification's document, and the message the alert topic publishes of it."""
    critical_thresholds = critical_thresholds or Thresholds()
    source = provider(provider_name)
    observation = notification.observation
    report = observation.report
    reason = None
    if observation.outcome is CheckOutcome.INSUFFICIENT_BALANCE:
        reason = say(language, "reason.402", label=source.label)
    elif report and not report.is_available:
        reason = say(language, "reason.unavailable", label=source.label, reason=_unavailable_reason(source, language))
    action_text, action_url = _action(notification, source, language)
    document = {
        "schema": SCHEMA,
        "version": SCHEMA_VERSION,
        "account": account,
        "provider": provider_name,
        "kind": notification.kind.value,
        "state": notification.status.value,
        "previous_state": notification.previous_status.value,
        "severity": SEVERITY[notification.status],
        "title": _headline(notification, account, language),
        "subject": _subject(notification, account, thresholds, critical_thresholds, source.label, language),
        "language": language,
        "since": format_timestamp(notification.since),
        "episode_since": notification.episode_since and format_timestamp(notification.episode_since),
        "checked_at": format_timestamp(notification.checked_at),
        "is_available": report.is_available if report else None,
        "reason": reason,
        "error": observation.error,
        "consecutive_failures": notification.consecutive_failures,
        "balances": _balances(report, thresholds, critical_thresholds, notification.estimates) if report else None,
        "top_ups": [
            {"currency": event.currency, "amount": exact_amount(event.amount)}
            for event in notification.events
            if event.kind == "top_up"
        ],
        "action": {"text": action_text, "url": action_url},
    }
    return AlertMessage.of(document, email_text(document))


def test_alert(*, account: str, sent_at: datetime, provider_name: str, language: str) -> AlertMessage:
    """A notification that only shows where alerts arrive: the same document, kind `test`."""
    document: dict[str, Any] = {
        "schema": SCHEMA,
        "version": SCHEMA_VERSION,
        "account": account,
        "provider": provider_name,
        "kind": NotificationKind.TEST.value,
        "state": Status.HEALTHY.value,
        "previous_state": Status.HEALTHY.value,
        "severity": SEVERITY[Status.HEALTHY],
        "title": say(language, "headline.test", account=account),
        "subject": subject_line(
            say(language, "subject.test", account=account), provider(provider_name).label, language
        ),
        "language": language,
        "since": format_timestamp(sent_at),
        "episode_since": None,
        "checked_at": format_timestamp(sent_at),
        "is_available": None,
        "reason": None,
        "error": None,
        "consecutive_failures": 0,
        "balances": None,
        "top_ups": [],
        "action": {"text": say(language, "action.test"), "url": None},
    }
    return AlertMessage.of(document, email_text(document))


def email_text(document: dict[str, Any]) -> str:
    language = language_of(document)
    lines = [
        document["title"],
        "",
        say(language, "email.account", account=document["account"]),
        say(language, "email.state", since=format_time(document["since"]), **state_values(document)),
        say(language, "email.checked", checked=format_time(document["checked_at"])),
    ]
    if document["reason"]:
        label = provider_label(document)
        reason = document["reason"].removeprefix(label + " ")
        lines.append(say(language, "email.reason", label=label + say(language, "colon"), reason=reason))
    if document["error"]:
        lines.append(say(language, "email.error", error=document["error"]))
    if document["state"] == Status.FAILING:
        lines.append(say(language, "email.failures", count=document["consecutive_failures"]))
    if document["kind"] != NotificationKind.TEST:
        lines += ["", say(language, "email.balances")]
    if document["balances"] is None and document["kind"] != NotificationKind.TEST:
        lines.append(say(language, "email.balance_unknown"))
    for balance in document["balances"] or []:
        total = _amount_text(balance["total"], language)
        lines.append(f"  {balance['currency']} {total:>12}   {_versus(balance, language)}")
        lines += [f"{'':18}{note}" for note in _spend_notes(balance, language)]
    for top_up in document["top_ups"]:
        amount = _amount_text(top_up["amount"], language)
        lines.append(say(language, "email.top_up", currency=top_up["currency"], amount=amount))
    action = document["action"]
    lines += ["", say(language, "email.what_to_do"), f"  {action['text']}"]
    if action["url"]:
        lines.append(f"  {action['url']}")
    return "\n".join(lines) + "\n"


def exact_amount(value: Decimal | None) -> str | None:
    """An amount as an exact decimal string for JSON, where a number would be read as a float."""
    return None if value is None else format(value, "f")


def format_amount(value: Decimal) -> str:
    """Two decimals like DeepSeek's own figures, unless that would hide digits."""
    cents = value.quantize(Decimal("0.01"))
    return f"{cents:,.2f}" if cents == value else f"{value:,f}"


def format_rate(rate: Decimal | str) -> str:
    """A burn rate per day, to the cent: its later digits are noise, not money."""
    return format_amount(Decimal(rate).quantize(Decimal("0.01")))


def format_time(moment: datetime | str) -> str:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def balance_line(balance: dict[str, Any], language: str = DEFAULT_LANGUAGE) -> str:
    """`CNY 40.00  BELOW threshold 50.00  (granted 0.00, topped up 40.00)`, then burn rate and
    runway, for chat."""
    notes = "".join(say(language, "balance.notes", note=note) for note in _spend_notes(balance, language))
    return f"{balance['currency']} {_amount_text(balance['total'], language)}  {_versus(balance, language)}{notes}"


def state_values(document: dict[str, Any]) -> dict[str, str]:
    """The state and severity of a document, as codes and as titles in its language, for a text."""
    language = language_of(document)
    return {
        "state": document["state"],
        "severity": document["severity"],
        "state_title": title(document["state"], language),
        "severity_title": severity_title(document["severity"], language),
    }


def _headline(notification: Notification, account: str, language: str) -> str:
    status_title = title(notification.status, language)
    if notification.kind is NotificationKind.RECOVERY:
        previous = title(notification.previous_status, language)
        return say(language, "headline.recovery", account=account, previous=previous)
    if notification.kind is NotificationKind.REMINDER:
        return say(language, "headline.reminder", account=account, title=status_title)
    if notification.previous_status is Status.CRITICALLY_LOW and notification.status is Status.LOW:
        return say(language, "headline.eased", account=account, title=status_title)
    return say(language, "headline.alert", account=account, title=status_title)


def _subject(
    notification: Notification, account: str, thresholds: Thresholds, critical: Thresholds, label: str, language: str
) -> str:
    report = notification.observation.report
    status = notification.status
    joined = say(language, "list").join
    if notification.kind is NotificationKind.RECOVERY:
        text = say(language, "subject.recovery", account=account)
        if report:
            text += say(language, "subject.totals", totals=_totals(report, report.balances, None, language))
    else:
        status_title = title(status, language)
        kind = "subject.reminder" if notification.kind is NotificationKind.REMINDER else "subject.alert"
        text = say(
            language, kind, account=account, title=status_title, Title=status_title[0].upper() + status_title[1:]
        )
        details = ""
        if status is Status.LOW and report:
            details = _totals(report, currencies_below_threshold(report, thresholds), thresholds, language)
        elif status is Status.CRITICALLY_LOW and report:
            details = _totals(report, currencies_below_threshold(report, critical), critical, language)
        elif status is Status.RUNWAY_SHORT:
            details = joined(
                say(language, "subject.runway", currency=currency, days=known.runway_days)
                for currency, known in notification.estimates.items()
                if known.runway_days is not None
            )
        elif status is Status.SPEND_SPIKE:
            details = joined(
                say(language, "subject.spike", currency=currency, rate=format_rate(known.spike.recent_rate_per_day))
                for currency, known in notification.estimates.items()
                if known.spike
            )
        elif status is Status.FAILING:
            details = say(language, "subject.failing", count=notification.consecutive_failures)
        if details:
            text += say(language, "subject.details", details=details)
    return subject_line(text, label, language)


def subject_line(text: str, label: str = "DeepSeek", language: str = DEFAULT_LANGUAGE) -> str:
    """An SNS subject: the provider's tag, then one line of text without control characters,
    shortened to SNS's limit (counted in characters). ASCII for English, as it always was;
    SNS takes UTF-8, so other languages keep their own script."""
    subject = "".join(
        " " if unicodedata.category(character) in _NOT_IN_A_SUBJECT else character for character in f"[{label}] {text}"
    )
    if language == ENGLISH:
        subject = subject.encode("ascii", "replace").decode()
    ellipsis = "..." if language == ENGLISH else "…"
    return subject if len(subject) <= SUBJECT_LIMIT else subject[: SUBJECT_LIMIT - len(ellipsis)] + ellipsis


def untagged(subject: str) -> str:
    """A subject without its leading "[Provider] " tag, for a title under the provider's name."""
    return re.sub(r"^\[[^\]]*\] ", "", subject, count=1)


def provider_label(document: dict[str, Any]) -> str:
    """The provider an alert or digest document is about, as people name it."""
    return provider(document.get("provider", DEFAULT_PROVIDER)).label


def _totals(
    report: BalanceReport,
    currencies: Iterable[str],
    thresholds: Thresholds | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> str:
    parts = []
    for currency in currencies:
        total = report.balances[currency].total
        if total is None:
            continue
        part = f"{currency} {format_amount(total)}"
        threshold = thresholds.for_currency(currency) if thresholds else None
        if threshold is not None:
            part += f" < {format_amount(threshold)}"
        parts.append(part)
    return say(language, "list").join(parts)


def _balances(
    report: BalanceReport, thresholds: Thresholds, critical: Thresholds, estimates: Mapping[str, Estimate]
) -> list[dict[str, Any]]:
    below = set(currencies_below_threshold(report, thresholds))
    below_critical = set(currencies_below_threshold(report, critical))
    unknown = Estimate(None, None, None)
    balances = []
    for currency, balance in report.balances.items():
        known = estimates.get(currency, unknown)
        spike = known.spike
        balances.append(
            {
                "currency": currency,
                "total": exact_amount(balance.total),
                "granted": exact_amount(balance.granted),
                "topped_up": exact_amount(balance.topped_up),
                "threshold": exact_amount(thresholds.for_currency(currency)),
                "below_threshold": currency in below,
                "critical_threshold": exact_amount(critical.for_currency(currency)),
                "below_critical_threshold": currency in below_critical,
                "burn_rate_per_day": exact_amount(known.rate_per_day),
                "runway_days": exact_amount(known.runway_days),
                "runway_until": format_timestamp(known.runway_until) if known.runway_until else None,
                "spike": spike
                and {
                    "recent_rate_per_day": exact_amount(spike.recent_rate_per_day),
                    "expected_rate_per_day": exact_amount(spike.expected_rate_per_day),
                    "usual_rate_per_day": exact_amount(spike.usual_rate_per_day),
                    "factor": exact_amount(spike.factor),
                },
            }
        )
    return balances


def _spend_notes(balance: dict[str, Any], language: str = DEFAULT_LANGUAGE) -> list[str]:
    """Burn rate and runway when known, and a spike with the numbers that raised it."""
    if balance.get("burn_rate_per_day") is None:
        return [say(language, "spend.unknown")]
    currency = balance["currency"]
    notes = [say(language, "spend.burning", currency=currency, rate=format_rate(balance["burn_rate_per_day"]))]
    if balance["runway_days"] is not None:
        until = format_time(balance["runway_until"])
        notes[0] += say(language, "spend.runway", days=balance["runway_days"], until=until)
    elif Decimal(balance["burn_rate_per_day"]) > 0:
        notes[0] += say(language, "spend.runway_long", years=RUNWAY_HORIZON_DAYS // 365)
    spike = balance["spike"]
    if spike:
        notes.append(
            say(
                language,
                "spend.spike",
                currency=currency,
                recent=format_rate(spike["recent_rate_per_day"]),
                expected=format_rate(spike["expected_rate_per_day"]),
                usual=format_rate(spike["usual_rate_per_day"]),
            )
        )
    return notes


def _amount_text(amount: str | None, language: str = DEFAULT_LANGUAGE) -> str:
    return say(language, "balance.unknown") if amount is None else format_amount(Decimal(amount))


def _versus(balance: dict[str, Any], language: str = DEFAULT_LANGUAGE) -> str:
    if balance["threshold"] is None:
        versus = say(language, "balance.no_threshold")
    else:
        word = "balance.below_threshold" if balance["below_threshold"] else "balance.threshold"
        versus = say(language, word, amount=_amount_text(balance["threshold"], language))
    if balance.get("critical_threshold") is not None:
        word = "balance.below_critical" if balance["below_critical_threshold"] else "balance.critical"
        versus += say(language, word, amount=_amount_text(balance["critical_threshold"], language))
    parts = [
        say(language, f"balance.{key}", amount=_amount_text(balance[key], language))
        for key in ("granted", "topped_up")
        if balance[key] is not None
    ]
    return versus + (say(language, "balance.parts", parts=say(language, "list").join(parts)) if parts else "")


def _unavailable_reason(source: Provider, language: str) -> str:
    """Why the provider's answer means the account cannot serve API calls, after its label."""
    key = f"reason.unavailable.{source.name}"
    return say(language, key if key in CATALOGUE else "reason.unavailable.generic", reason=source.unavailable_reason)


def _action(notification: Notification, source: Provider, language: str) -> tuple[str, str | None]:
    """What the reader should do, and where."""
    label = source.label
    if notification.kind is NotificationKind.RECOVERY:
        return say(language, "action.recovery"), None
    if notification.status is Status.KEY_REJECTED:
        return say(language, "action.key_rejected", label=label), source.api_keys_url
    if notification.status is Status.MISCONFIGURED:
        return say(language, "action.misconfigured"), None
    if notification.status is Status.SPEND_SPIKE:
        return say(language, "action.spend_spike", label=label), source.api_keys_url
    if notification.status is Status.FAILING:
        return say(language, "action.failing", label=label), None
    return say(language, "action.top_up", label=label), source.top_up_url
