"""What an alert says. Pure functions over plain data.

Every notification becomes one versioned document (docs/alerts.md, "Alert document"), the single
source for each rendering: the subject (under 100 characters), the email a person reads at
a glance, the JSON machine subscribers get, the message attributes subscribers filter on,
and the chat messages in chat_messages.py.
"""

from __future__ import annotations

import re
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

SCHEMA = "deepseek-balance-monitor/alert"
SCHEMA_VERSION = 1
SUBJECT_LIMIT = 99  # SNS rejects subjects of 100 characters or more
# The SNS message attributes every alert, test notification and digest carries, for filter policies.
MESSAGE_ATTRIBUTES = ("account", "provider", "state", "severity", "kind")

TITLES = {
    Status.HEALTHY: "healthy",
    Status.LOW: "balance low",
    Status.CRITICALLY_LOW: "balance critically low",
    Status.RUNWAY_SHORT: "runway short",
    Status.SPEND_SPIKE: "spend spike",
    Status.UNAVAILABLE: "account unavailable",
    Status.KEY_REJECTED: "API key rejected",
    Status.MISCONFIGURED: "monitor misconfigured",
    Status.FAILING: "monitor failing",
}


@dataclass(frozen=True)
class AlertMessage:
    subject: str
    body: str  # the email, for people
    attributes: dict[str, str]  # SNS message attributes, for subscription filter policies
    document: dict[str, Any]  # the versioned JSON document, for machines and chat


def render_alert(
    notification: Notification,
    *,
    account: str,
    thresholds: Thresholds,
    critical_thresholds: Thresholds | None = None,
    provider_name: str = DEFAULT_PROVIDER,
) -> AlertMessage:
    document = alert_document(
        notification,
        account=account,
        thresholds=thresholds,
        critical_thresholds=critical_thresholds,
        provider_name=provider_name,
    )
    return AlertMessage(
        subject=document["subject"],
        body=email_text(document),
        attributes={name: document[name] for name in MESSAGE_ATTRIBUTES},
        document=document,
    )


def alert_document(
    notification: Notification,
    *,
    account: str,
    thresholds: Thresholds,
    critical_thresholds: Thresholds | None = None,
    provider_name: str = DEFAULT_PROVIDER,
) -> dict[str, Any]:
    critical_thresholds = critical_thresholds or Thresholds()
    source = provider(provider_name)
    observation = notification.observation
    report = observation.report
    reason = None
    if observation.outcome is CheckOutcome.INSUFFICIENT_BALANCE:
        reason = f"{source.label} answered 402 Insufficient Balance"
    elif report and not report.is_available:
        reason = f"{source.label} {source.unavailable_reason}"
    action_text, action_url = _action(notification, source)
    return {
        "schema": SCHEMA,
        "version": SCHEMA_VERSION,
        "account": account,
        "provider": provider_name,
        "kind": notification.kind.value,
        "state": notification.status.value,
        "previous_state": notification.previous_status.value,
        "severity": SEVERITY[notification.status],
        "title": _headline(notification, account),
        "subject": _subject(notification, account, thresholds, critical_thresholds, source.label),
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


def test_alert(*, account: str, sent_at: datetime, provider_name: str) -> AlertMessage:
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
        "title": f"TEST: alerts for account {account} reach you here. Nothing is wrong.",
        "subject": subject_line(f"Test notification for account {account}", provider(provider_name).label),
        "since": format_timestamp(sent_at),
        "episode_since": None,
        "checked_at": format_timestamp(sent_at),
        "is_available": None,
        "reason": None,
        "error": None,
        "consecutive_failures": 0,
        "balances": None,
        "top_ups": [],
        "action": {
            "text": "Nothing: this was sent with `deepseek-balance test-alert` to try the subscriptions.",
            "url": None,
        },
    }
    return AlertMessage(
        subject=document["subject"][:SUBJECT_LIMIT],
        body=email_text(document),
        attributes={name: document[name] for name in MESSAGE_ATTRIBUTES},
        document=document,
    )


def email_text(document: dict[str, Any]) -> str:
    lines = [
        document["title"],
        "",
        f"Account:   {document['account']}",
        f"State:     {document['state']} ({document['severity']}), since {format_time(document['since'])}",
        f"Checked:   {format_time(document['checked_at'])}",
    ]
    if document["reason"]:
        label = provider_label(document)
        lines.append(f"{label + ':':<10} {document['reason'].removeprefix(label + ' ')}")
    if document["error"]:
        lines.append(f"Error:     {document['error']}")
    if document["state"] == Status.FAILING:
        lines.append(f"Failures:  {document['consecutive_failures']} checks in a row")
    if document["kind"] != NotificationKind.TEST:
        lines += ["", "Balances:"]
    if document["balances"] is None and document["kind"] != NotificationKind.TEST:
        lines.append("  unknown: this check could not read the balance")
    for balance in document["balances"] or []:
        lines.append(f"  {balance['currency']} {_amount_text(balance['total']):>12}   {_versus(balance)}")
        lines += [f"{'':18}{note}" for note in _spend_notes(balance)]
    for top_up in document["top_ups"]:
        lines.append(f"  Topped up: {top_up['currency']} {_amount_text(top_up['amount'])}")
    action = document["action"]
    lines += ["", "What to do:", f"  {action['text']}"]
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


def balance_line(balance: dict[str, Any]) -> str:
    """`CNY 40.00  BELOW threshold 50.00  (granted 0.00, topped up 40.00)`, then burn rate and
    runway, for chat."""
    notes = "".join(f"; {note}" for note in _spend_notes(balance))
    return f"{balance['currency']} {_amount_text(balance['total'])}  {_versus(balance)}{notes}"


def _headline(notification: Notification, account: str) -> str:
    title = TITLES[notification.status]
    if notification.kind is NotificationKind.RECOVERY:
        return f"RESOLVED: account {account} is healthy again (was {TITLES[notification.previous_status]})."
    if notification.kind is NotificationKind.REMINDER:
        return f"REMINDER: {title} for account {account}, still unresolved."
    if notification.previous_status is Status.CRITICALLY_LOW and notification.status is Status.LOW:
        return f"ALERT: {title} for account {account}, no longer critically low."
    return f"ALERT: {title} for account {account}."


def _subject(notification: Notification, account: str, thresholds: Thresholds, critical: Thresholds, label: str) -> str:
    report = notification.observation.report
    status = notification.status
    if notification.kind is NotificationKind.RECOVERY:
        text = f"Resolved: account {account} is healthy"
        if report:
            text += ", " + _totals(report, report.balances)
    else:
        title = TITLES[status]
        text = f"{title[0].upper()}{title[1:]} for account {account}"
        if notification.kind is NotificationKind.REMINDER:
            text = f"Reminder: {title} for account {account}"
        details = ""
        if status is Status.LOW and report:
            details = _totals(report, currencies_below_threshold(report, thresholds), thresholds)
        elif status is Status.CRITICALLY_LOW and report:
            details = _totals(report, currencies_below_threshold(report, critical), critical)
        elif status is Status.RUNWAY_SHORT:
            details = ", ".join(
                f"{currency} {known.runway_days} days left"
                for currency, known in notification.estimates.items()
                if known.runway_days is not None
            )
        elif status is Status.SPEND_SPIKE:
            details = ", ".join(
                f"{currency} {format_rate(known.spike.recent_rate_per_day)}/day"
                for currency, known in notification.estimates.items()
                if known.spike
            )
        elif status is Status.FAILING:
            details = f"{notification.consecutive_failures} checks failed"
        if details:
            text += f": {details}"
    return subject_line(text, label)


def subject_line(text: str, label: str = "DeepSeek") -> str:
    """An SNS subject: the provider's tag, ASCII, shortened with "..." to SNS's limit."""
    subject = f"[{label}] {text}".encode("ascii", "replace").decode()
    return subject if len(subject) <= SUBJECT_LIMIT else subject[: SUBJECT_LIMIT - 3] + "..."


def untagged(subject: str) -> str:
    """A subject without its leading "[Provider] " tag, for a title under the provider's name."""
    return re.sub(r"^\[[^\]]*\] ", "", subject, count=1)


def provider_label(document: dict[str, Any]) -> str:
    """The provider an alert or digest document is about, as people name it."""
    return provider(document.get("provider", DEFAULT_PROVIDER)).label


def _totals(report: BalanceReport, currencies: Iterable[str], thresholds: Thresholds | None = None) -> str:
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
    return ", ".join(parts)


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


def _spend_notes(balance: dict[str, Any]) -> list[str]:
    """Burn rate and runway when known, and a spike with the numbers that raised it."""
    if balance.get("burn_rate_per_day") is None:
        return ["burn rate and runway not yet known"]
    notes = [f"burning {format_rate(balance['burn_rate_per_day'])}/day"]
    if balance["runway_days"] is not None:
        notes[0] += f", runway {balance['runway_days']} days (until {format_time(balance['runway_until'])})"
    elif Decimal(balance["burn_rate_per_day"]) > 0:
        notes[0] += f", runway over {RUNWAY_HORIZON_DAYS // 365} years"
    spike = balance["spike"]
    if spike:
        notes.append(
            f"spend spike: {format_rate(spike['recent_rate_per_day'])}/day over the last hour; "
            f"this time of day spent at most {format_rate(spike['expected_rate_per_day'])}/day in the past week, "
            f"and the week averaged {format_rate(spike['usual_rate_per_day'])}/day"
        )
    return notes


def _amount_text(amount: str | None) -> str:
    return "unknown" if amount is None else format_amount(Decimal(amount))


def _versus(balance: dict[str, Any]) -> str:
    if balance["threshold"] is None:
        versus = "no threshold"
    else:
        word = "BELOW threshold" if balance["below_threshold"] else "threshold"
        versus = f"{word} {_amount_text(balance['threshold'])}"
    if balance.get("critical_threshold") is not None:
        word = "BELOW critical" if balance["below_critical_threshold"] else "critical"
        versus += f", {word} {_amount_text(balance['critical_threshold'])}"
    parts = [
        f"{name} {_amount_text(balance[key])}"
        for name, key in (("granted", "granted"), ("topped up", "topped_up"))
        if balance[key] is not None
    ]
    return versus + (f"  ({', '.join(parts)})" if parts else "")


def _action(notification: Notification, source: Provider) -> tuple[str, str | None]:
    """What the reader should do, and where."""
    label = source.label
    if notification.kind is NotificationKind.RECOVERY:
        return "Nothing: the account can serve API calls and every balance is above its threshold.", None
    if notification.status is Status.KEY_REJECTED:
        return (
            f"{label} rejected the monitor's API key, or the secret holds none: the monitor is misconfigured. "
            f"Create or rotate a key on {label}'s platform and put it in the monitor's secret "
            "(`deepseek-balance setup --stack NAME`; README, 'The API key').",
            source.api_keys_url,
        )
    if notification.status is Status.MISCONFIGURED:
        return (
            "The monitor cannot use its configuration, so it did not read the balance. Fix what the error "
            "above names: a stack parameter (sam deploy --parameter-overrides Name=value), or a field of the "
            "API key secret (docs/many-accounts.md). The first check after the fix says it is resolved.",
            None,
        )
    if notification.status is Status.SPEND_SPIKE:
        return (
            "Spend jumped far above its usual rate. Check for a leaked key or a runaway job; "
            f"rotate the key on {label}'s platform if in doubt.",
            source.api_keys_url,
        )
    if notification.status is Status.FAILING:
        return (
            "The monitor cannot read the balance, so it cannot warn you of a low one. "
            f"Check the error above, {label}'s status page and the function's logs.",
            None,
        )
    return f"Top up the account on {label}'s platform before API calls start failing.", source.top_up_url
