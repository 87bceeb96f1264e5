"""What an alert says: a subject under 100 characters, a body a person reads at a glance,
and the message attributes subscribers filter on. Pure functions over plain data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from balance_monitor.alert_lifecycle import (
    SEVERITY,
    CheckOutcome,
    Notification,
    NotificationKind,
    Status,
    currencies_below_threshold,
)
from balance_monitor.balance import BalanceReport, Thresholds

TOP_UP_URL = "https://platform.deepseek.com/top_up"
API_KEYS_URL = "https://platform.deepseek.com/api_keys"
SUBJECT_LIMIT = 99  # SNS rejects subjects of 100 characters or more

_TITLES = {
    Status.HEALTHY: "healthy",
    Status.LOW: "balance low",
    Status.UNAVAILABLE: "account unavailable",
    Status.KEY_REJECTED: "API key rejected",
    Status.FAILING: "monitor failing",
}


@dataclass(frozen=True)
class AlertMessage:
    subject: str
    body: str
    attributes: dict[str, str]


def render_alert(notification: Notification, *, account: str, thresholds: Thresholds) -> AlertMessage:
    severity = SEVERITY[notification.status]
    return AlertMessage(
        subject=_subject(notification, account, thresholds),
        body=_body(notification, account, thresholds),
        attributes={
            "account": account,
            "state": notification.status.value,
            "severity": severity,
            "kind": notification.kind.value,
        },
    )


def format_amount(value: Decimal) -> str:
    """Two decimals like DeepSeek's own figures, unless that would hide digits."""
    cents = value.quantize(Decimal("0.01"))
    return f"{cents:,.2f}" if cents == value else f"{value:,f}"


def format_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _subject(notification: Notification, account: str, thresholds: Thresholds) -> str:
    report = notification.observation.report
    status = notification.status
    if notification.kind is NotificationKind.RECOVERY:
        text = f"Resolved: account {account} is healthy"
        if report:
            text += ", " + _totals(report, report.balances)
    else:
        title = _TITLES[status]
        text = f"{title[0].upper()}{title[1:]} for account {account}"
        if notification.kind is NotificationKind.REMINDER:
            text = f"Reminder: {_TITLES[status]} for account {account}"
        if status is Status.LOW and report:
            below = currencies_below_threshold(report, thresholds)
            text += ": " + _totals(report, below, thresholds)
        elif status is Status.FAILING:
            text += f": {notification.consecutive_failures} checks failed"
    subject = f"[DeepSeek] {text}".encode("ascii", "replace").decode()
    return subject if len(subject) <= SUBJECT_LIMIT else subject[: SUBJECT_LIMIT - 3] + "..."


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


def _body(notification: Notification, account: str, thresholds: Thresholds) -> str:
    status = notification.status
    observation = notification.observation
    if notification.kind is NotificationKind.RECOVERY:
        headline = f"RESOLVED: account {account} is healthy again (was {_TITLES[notification.previous_status]})."
    elif notification.kind is NotificationKind.REMINDER:
        headline = f"REMINDER: {_TITLES[status]} for account {account}, still unresolved."
    else:
        headline = f"ALERT: {_TITLES[status]} for account {account}."

    lines = [
        headline,
        "",
        f"Account:   {account}",
        f"State:     {status.value} ({SEVERITY[status]}), since {format_time(notification.since)}",
        f"Checked:   {format_time(notification.checked_at)}",
    ]
    if observation.outcome is CheckOutcome.INSUFFICIENT_BALANCE:
        lines.append("DeepSeek:  answered 402 Insufficient Balance")
    elif observation.report and not observation.report.is_available:
        lines.append("DeepSeek:  reports the account cannot serve API calls (is_available: false)")
    if observation.error:
        lines.append(f"Error:     {observation.error}")
    if status is Status.FAILING:
        lines.append(f"Failures:  {notification.consecutive_failures} checks in a row")

    lines += ["", "Balances:"]
    if observation.report:
        lines += _balance_lines(observation.report, thresholds)
    else:
        lines.append("  unknown: this check could not read the balance")
    lines += ["", "What to do:", *_advice(notification)]
    return "\n".join(lines) + "\n"


def _balance_lines(report: BalanceReport, thresholds: Thresholds) -> list[str]:
    lines = []
    below = set(currencies_below_threshold(report, thresholds))
    for currency, balance in report.balances.items():
        total = format_amount(balance.total) if balance.total is not None else "unknown"
        threshold = thresholds.for_currency(currency)
        if threshold is None:
            versus = "no threshold"
        else:
            word = "BELOW threshold" if currency in below else "threshold"
            versus = f"{word} {format_amount(threshold)}"
        parts = [
            f"{name} {format_amount(amount)}"
            for name, amount in (("granted", balance.granted), ("topped up", balance.topped_up))
            if amount is not None
        ]
        detail = f"  ({', '.join(parts)})" if parts else ""
        lines.append(f"  {currency} {total:>12}   {versus}{detail}")
    return lines


def _advice(notification: Notification) -> list[str]:
    status = notification.status
    if notification.kind is NotificationKind.RECOVERY:
        return ["  Nothing: the account can serve API calls and every balance is above its threshold."]
    if status is Status.KEY_REJECTED:
        return [
            "  DeepSeek rejected the monitor's API key (or the secret holds none).",
            f"  Create a key at {API_KEYS_URL} and store it in the monitor's secret",
            "  (README, 'Configure the API key'). The monitor itself is misconfigured.",
        ]
    if status is Status.FAILING:
        return [
            "  The monitor cannot read the balance, so it cannot warn you of a low one.",
            "  Check the error above, DeepSeek's status page and the function's logs.",
        ]
    return [f"  Top up the account at {TOP_UP_URL} before API calls start failing."]
