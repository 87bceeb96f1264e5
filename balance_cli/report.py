"""`deepseek-balance report`: balance over time, one panel per currency, with its threshold
(dashed) and critical level (dotted), top-ups, the alerts sent (marked by the problem they were
about) and the checks that read no balance, as PNG (and SVG); plus burn rate and runway when known."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from balance_monitor.alert_lifecycle import AlertState, NotificationKind, Status
from balance_monitor.alert_messages import TITLES, format_amount, format_rate, format_time
from balance_monitor.balance import Thresholds
from balance_monitor.history import CheckRecord
from balance_monitor.spend import estimate

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Colour and marker of each problem's alerts (reminders: the same marker, hollow); healthy is a recovery.
_STATE_STYLES = {
    Status.LOW: ("#d72b3f", "v"),
    Status.CRITICALLY_LOW: ("#8b0016", "d"),
    Status.SPEND_SPIKE: ("#8e44ad", "*"),
    Status.RUNWAY_SHORT: ("#f28e2b", "D"),
    Status.UNAVAILABLE: ("#7b2d26", "X"),
    Status.KEY_REJECTED: ("#1f5fbf", "s"),
    Status.MISCONFIGURED: ("#2c7da0", "h"),
    Status.FAILING: ("#555555", "P"),
    Status.HEALTHY: ("#2eb886", "o"),
}
_TOP_UP_COLOUR = "#17a2b8"
# The rows of the strip under the balances; row 0 holds the checks that read no balance.
_ROWS = {NotificationKind.ALERT: 2, NotificationKind.REMINDER: 2, NotificationKind.RECOVERY: 1}
_DATE_FORMATS = ["%Y", "%b", "%a %d", "%H:%M", "%H:%M", "%S.%f"]


@dataclass
class Chart:
    """What was drawn, so that it can be checked against the rows read."""

    png: Path
    svg: Path | None = None
    series: dict[str, list[tuple[datetime, Decimal]]] = field(default_factory=dict)
    top_ups: list[tuple[datetime, str, Decimal]] = field(default_factory=list)
    # Notifications sent: when, the state they were about (healthy for a recovery), and their kind.
    alerts: list[tuple[datetime, Status, NotificationKind]] = field(default_factory=list)
    failed_checks: list[datetime] = field(default_factory=list)  # checks that read no balance
    panels: list[str] = field(default_factory=list)  # the currencies, top to bottom
    figure: Figure | None = None


def draw(
    records: list[CheckRecord],
    thresholds: Thresholds,
    title: str,
    png: Path,
    *,
    svg: bool = False,
    critical_thresholds: Thresholds | None = None,
) -> Chart:
    from matplotlib import dates
    from matplotlib.figure import Figure

    chart = _collect(records, Chart(png=png, svg=png.with_suffix(".svg") if svg else None))
    chart.panels = sorted(chart.series)
    figure = Figure(figsize=(11, 5), dpi=100, layout="constrained")
    *panels, strip = figure.subplots(
        len(chart.panels) + 1, 1, sharex=True, squeeze=False, height_ratios=[3] * len(chart.panels) + [1.3]
    )[:, 0]
    critical = critical_thresholds or Thresholds()
    for index, (currency, axes) in enumerate(zip(chart.panels, panels, strict=True)):
        levels = (thresholds.for_currency(currency), critical.for_currency(currency))
        _draw_balances(axes, chart, currency, levels, f"C{index}")
    _draw_events(strip, chart)
    locator = dates.AutoDateLocator(tz=UTC)
    strip.xaxis.set_major_locator(locator)
    strip.xaxis.set_major_formatter(dates.ConciseDateFormatter(locator, tz=UTC, formats=_DATE_FORMATS))
    strip.set_xlabel("time (UTC)")
    figure.suptitle(title)
    figure.legend(loc="outside right upper", fontsize=8)
    figure.savefig(png)
    if chart.svg:
        figure.savefig(chart.svg)
    chart.figure = figure
    return chart


def _collect(records: Sequence[CheckRecord], chart: Chart) -> Chart:
    for record in records:
        report = record.observation.report
        if report is None:
            chart.failed_checks.append(record.checked_at)
        for currency, balance in report.balances.items() if report else []:
            if balance.total is not None:
                chart.series.setdefault(currency, []).append((record.checked_at, balance.total))
        chart.top_ups += [
            (record.checked_at, event.currency, event.amount) for event in record.events if event.kind == "top_up"
        ]
        # A notification that could not be published leaves no state behind: it was not sent.
        if record.notification and record.status and not record.alert_error:
            chart.alerts.append((record.checked_at, record.status, record.notification))
    return chart


def _draw_balances(
    axes: Axes, chart: Chart, currency: str, levels: tuple[Decimal | None, Decimal | None], colour: str
) -> None:
    """The balance, its warning level (dashed) and its critical level (dotted), and the events."""
    points = chart.series[currency]
    times, totals = zip(*points, strict=True)
    axes.plot(times, [float(total) for total in totals], color=colour, linewidth=1.8, label=f"{currency} balance")
    for level, name, style in zip(levels, ("threshold", "critical"), ("--", ":"), strict=True):
        if level is not None:
            label = f"{currency} {name} {format_amount(level)}"
            axes.axhline(float(level), color=colour, linestyle=style, linewidth=1, label=label)
    top_ups = {moment for moment, top_up_currency, _ in chart.top_ups if top_up_currency == currency}
    topped = [(moment, float(total)) for moment, total in points if moment in top_ups]
    if topped:
        axes.plot(*zip(*topped, strict=True), "^", markersize=10, color=_TOP_UP_COLOUR, label=f"{currency} top-up")
    for moment, status, kind in chart.alerts:
        if kind is not NotificationKind.REMINDER:
            axes.axvline(moment, color=_STATE_STYLES[status][0], linewidth=0.8, alpha=0.5)
    axes.set_ylabel(f"balance ({currency})")
    axes.margins(y=0.1)  # room for the top-up marker
    axes.grid(alpha=0.3)


def _draw_events(axes: Axes, chart: Chart) -> None:
    """A strip under the balances: alerts and reminders, recoveries, and the checks that read no balance."""
    moments: dict[tuple[Status, NotificationKind], list[datetime]] = {}
    for at, status, kind in chart.alerts:
        moments.setdefault((status, kind), []).append(at)
    for (status, kind), times in moments.items():
        colour, marker = _STATE_STYLES[status]
        axes.plot(
            times,
            [_ROWS[kind]] * len(times),
            marker,
            markersize=9,
            color=colour,
            markerfacecolor="white" if kind is NotificationKind.REMINDER else colour,
            label="recovery" if kind is NotificationKind.RECOVERY else f"{TITLES[status]} {kind.value}",
        )
    if chart.failed_checks:
        failed = chart.failed_checks
        axes.plot(
            failed, [0] * len(failed), "|", markersize=12, markeredgewidth=2, color="black", label="no balance read"
        )
    axes.set_yticks([0, 1, 2], ["no balance", "recoveries", "alerts"], fontsize=8)
    axes.set_ylim(-0.7, 2.7)
    axes.grid(alpha=0.3, axis="x")


def spend_lines(state: AlertState, at: datetime, spike_factor: Decimal = Decimal(3)) -> list[str]:
    """Burn rate and runway per currency, from the state the function keeps."""
    lines = []
    for currency, aggregates in sorted(state.spend.items()):
        known = estimate(aggregates, at, spike_factor=spike_factor)
        if known.rate_per_day is None:
            lines.append(f"{currency}: burn rate and runway not yet known (under 6 hours of checks)")
        elif known.runway_days is None:
            runway = "nothing to run out" if known.rate_per_day == 0 else "runway over ten years"
            lines.append(f"{currency}: burning {format_rate(known.rate_per_day)}/day, {runway}")
        else:
            until = format_time(known.runway_until) if known.runway_until else "?"
            lines.append(
                f"{currency}: burning {format_rate(known.rate_per_day)}/day, "
                f"runway {known.runway_days} days (until {until})"
            )
    return lines
