"""`deepseek-balance report`: balance over time per currency, with top-ups, alert moments and
the threshold marked, as PNG (and SVG); plus burn rate and runway when known."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from balance_monitor.alert_lifecycle import AlertState, NotificationKind
from balance_monitor.alert_messages import format_amount, format_rate, format_time
from balance_monitor.balance import Thresholds
from balance_monitor.history import CheckRecord
from balance_monitor.spend import estimate

_ALERT_COLOURS = {
    NotificationKind.ALERT: "#d72b3f",
    NotificationKind.REMINDER: "#f2a33a",
    NotificationKind.RECOVERY: "#2eb886",
}


@dataclass
class Chart:
    """What was drawn, so that it can be checked against the rows read."""

    png: Path
    svg: Path | None = None
    series: dict[str, list[tuple[datetime, Decimal]]] = field(default_factory=dict)
    top_ups: list[tuple[datetime, str, Decimal]] = field(default_factory=list)
    alerts: list[tuple[datetime, NotificationKind]] = field(default_factory=list)


def draw(records: list[CheckRecord], thresholds: Thresholds, title: str, png: Path, *, svg: bool = False) -> Chart:
    import matplotlib

    matplotlib.use("Agg")  # files only, no screen
    from matplotlib import pyplot

    chart = Chart(png=png, svg=png.with_suffix(".svg") if svg else None)
    for record in records:
        report = record.observation.report
        for currency, balance in report.balances.items() if report else []:
            if balance.total is not None:
                chart.series.setdefault(currency, []).append((record.checked_at, balance.total))
        chart.top_ups += [
            (record.checked_at, event.currency, event.amount) for event in record.events if event.kind == "top_up"
        ]
        if record.notification:
            chart.alerts.append((record.checked_at, record.notification))

    figure, axes = pyplot.subplots(figsize=(11, 5), dpi=100)
    for currency, points in sorted(chart.series.items()):
        times = [moment for moment, _ in points]
        (line,) = axes.plot(times, [float(total) for _, total in points], label=f"{currency} balance", linewidth=1.8)
        threshold = thresholds.for_currency(currency)
        if threshold is not None:
            axes.axhline(
                float(threshold),
                color=line.get_color(),
                linestyle="--",
                linewidth=1,
                label=f"{currency} threshold {format_amount(threshold)}",
            )
        top_ups = [
            (moment, total)
            for moment, total in points
            if any(t == moment and c == currency for t, c, _ in chart.top_ups)
        ]
        if top_ups:
            axes.scatter(
                [moment for moment, _ in top_ups],
                [float(total) for _, total in top_ups],
                marker="^",
                s=90,
                color="#2eb886",
                zorder=3,
                label=f"{currency} top-up",
            )
    for moment, kind in chart.alerts:
        axes.axvline(moment, color=_ALERT_COLOURS[kind], linestyle=":", linewidth=1.2)
    for kind, colour in _ALERT_COLOURS.items():
        if any(alert_kind is kind for _, alert_kind in chart.alerts):
            axes.plot([], [], color=colour, linestyle=":", label=f"{kind.value} sent")
    axes.set_title(title)
    axes.set_ylabel("balance")
    axes.grid(alpha=0.3)
    axes.legend(loc="upper right", fontsize=8)
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(png)
    if chart.svg:
        figure.savefig(chart.svg)
    pyplot.close(figure)
    return chart


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
