"""The one place where the Powertools Logger, Metrics and Tracer are made."""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.shared.functions import strtobool

SERVICE = "deepseek-balance-monitor"
METRICS_NAMESPACE = "DeepSeekBalanceMonitor"
# Set by the stack's XRayTracing parameter, and read by Powertools too.
TRACING_DISABLED_VARIABLE = "POWERTOOLS_TRACE_DISABLED"


class Untraced:
    """What the functions use of a Tracer, when tracing is off. A Powertools Tracer imports
    the X-Ray SDK even when disabled; with the patching and segments that follow, tracing
    costs a cold check about 30 ms (docs/performance.md)."""

    def capture_lambda_handler(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        return handler

    def put_annotation(self, key: str, value: str) -> None:
        pass


def make_tracer(environ: Mapping[str, str]) -> Tracer | Untraced:
    if strtobool(environ.get(TRACING_DISABLED_VARIABLE) or "false"):
        return Untraced()
    # Only what the function calls: patching every library X-Ray knows imports each of them.
    return Tracer(service=SERVICE, patch_modules=("botocore", "requests"))


logger = Logger(service=SERVICE)
metrics = Metrics(namespace=METRICS_NAMESPACE, service=SERVICE)
tracer = make_tracer(os.environ)


class MetricsRecorder:
    """Collects one invocation's metrics from the threads that check accounts, and writes
    them once, from the invocation's own thread: counts summed (CloudWatch takes at most 100
    values a metric in one record), figures one record each, never interleaved."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._figures: list[tuple[str, Decimal, dict[str, str]]] = []

    def count(self, name: str, value: int = 1) -> None:
        with self._lock:
            self._counts[name] += value

    def figure(self, name: str, value: Decimal, **dimensions: str) -> None:
        with self._lock:
            self._figures.append((name, value, dimensions))

    def flush(self) -> None:
        with self._lock:
            counts, figures = dict(self._counts), list(self._figures)
            self._counts.clear()
            self._figures.clear()
        for name, total in sorted(counts.items()):
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=total)
        for name, value, dimensions in figures:
            # CloudWatch stores doubles; the exact Decimal stays in history and alerts.
            with single_metric(
                name=name, unit=MetricUnit.NoUnit, value=float(value), namespace=METRICS_NAMESPACE
            ) as metric:
                for dimension, dimension_value in dimensions.items():
                    metric.add_dimension(name=dimension, value=dimension_value)
