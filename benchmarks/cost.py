"""A month of the monitor on its default schedule, priced from measured figures, next to a
checker on the smallest always-on server. Prices are AWS's us-east-1 list prices; the free
tier column takes off what AWS's always-free tier covers for an account running nothing else.
Check https://aws.amazon.com/pricing/ before relying on a figure."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

PRICES_AS_OF = "November 2026"
HOURS_PER_MONTH = 730
CHECKS_PER_MONTH = HOURS_PER_MONTH * 4  # rate(15 minutes)
MEMORY_GB = 128 / 1024
RUNTIME_LOG_BYTES = 400  # Lambda's own START, END and REPORT lines per invocation
ITEM_OVERHEAD_BYTES = 100  # DynamoDB bills 100 bytes of indexing per item stored
TEMPLATE = Path(__file__).resolve().parents[1] / "template.yaml"

LAMBDA_GB_SECOND = 0.0000133334  # arm64
LAMBDA_REQUEST = 0.20 / 1e6
DYNAMODB_WRITE_UNIT = 0.625 / 1e6  # on-demand
DYNAMODB_READ_UNIT = 0.125 / 1e6
DYNAMODB_GB_MONTH = 0.25 + 0.20  # storage, and point-in-time recovery
SECRET_MONTH = 0.40
SECRET_CALL = 0.05 / 10_000
KMS_KEY_MONTH = 1.00
KMS_REQUEST = 0.03 / 10_000
METRIC_MONTH = 0.30
ALARM_MONTH = 0.10
DASHBOARD_MONTH = 3.00
LOG_INGESTED_GB = 0.50
XRAY_TRACE = 5.00 / 1e6
EC2_T4G_NANO_HOUR = 0.0042
EBS_GP3_GB_MONTH = 0.08

FREE = {  # AWS's always-free tier, per month
    "lambda_gb_seconds": 400_000,
    "lambda_requests": 1_000_000,
    "kms_requests": 20_000,
    "metrics": 10,
    "alarms": 10,
    "dashboards": 3,
    "log_gb": 5,
}


@dataclass(frozen=True)
class PerCheck:
    seconds: float  # billed duration of a cold check: init and invocation
    dynamodb_read_units: float
    dynamodb_write_units: float
    secret_reads: int  # Secrets Manager requests of a cold check
    log_bytes: float
    metric_series: int  # distinct CloudWatch metrics the function keeps emitting
    check_item_bytes: int  # one check's record in the history table


def lambda_gb_seconds(seconds_per_check: float) -> float:
    """A month's compute; Lambda bills each invocation, its init included, by the millisecond."""
    return CHECKS_PER_MONTH * math.ceil(seconds_per_check * 1000) / 1000 * MEMORY_GB


def monthly(check: PerCheck, retention_days: int = 90) -> list[list[str]]:
    """Rows: item, quantity a month, list price, price after the always-free tier. Every
    check is taken as cold (at a 15-minute rate, Lambda rarely keeps the container)."""
    resources = _resource_counts()
    checks = CHECKS_PER_MONTH
    gb_seconds = lambda_gb_seconds(check.seconds)
    kms_requests = checks * (check.secret_reads + 1)  # the secret's decryption, the table's key
    log_gb = checks * (check.log_bytes + RUNTIME_LOG_BYTES) / 1e9
    stored_gb = checks / 30.4 * retention_days * (check.check_item_bytes + ITEM_OVERHEAD_BYTES) / 1e9
    write_units, read_units = checks * check.dynamodb_write_units, checks * check.dynamodb_read_units
    secret_reads = checks * check.secret_reads
    lines = [
        _metered(
            "Lambda, compute",
            f"{gb_seconds:,.0f} GB-s at 128 MB",
            gb_seconds,
            LAMBDA_GB_SECOND,
            free=FREE["lambda_gb_seconds"],
        ),
        _metered("Lambda, requests", f"{checks:,}", checks, LAMBDA_REQUEST, free=FREE["lambda_requests"]),
        _metered(
            "DynamoDB, requests",
            f"{write_units:,.0f} write, {read_units:,.0f} read units",
            1,
            write_units * DYNAMODB_WRITE_UNIT + read_units * DYNAMODB_READ_UNIT,
        ),
        _metered(
            "DynamoDB, storage and backups",
            f"{stored_gb * 1000:.1f} MB ({retention_days} days of history)",
            stored_gb,
            DYNAMODB_GB_MONTH,
        ),
        _metered(
            "Secrets Manager",
            f"{resources['secrets']} secret, {secret_reads:,} reads",
            secret_reads,
            SECRET_CALL,
            fixed=resources["secrets"] * SECRET_MONTH,
        ),
        _metered(
            "KMS",
            f"{resources['keys']} key, {kms_requests:,} requests",
            kms_requests,
            KMS_REQUEST,
            free=FREE["kms_requests"],
            fixed=resources["keys"] * KMS_KEY_MONTH,
        ),
        _metered(
            "CloudWatch, metrics",
            f"{check.metric_series} metrics",
            check.metric_series,
            METRIC_MONTH,
            free=FREE["metrics"],
        ),
        _metered(
            "CloudWatch, alarms", f"{resources['alarms']} alarms", resources["alarms"], ALARM_MONTH, free=FREE["alarms"]
        ),
        _metered(
            "CloudWatch, dashboard",
            f"{resources['dashboards']} dashboard",
            resources["dashboards"],
            DASHBOARD_MONTH,
            free=FREE["dashboards"],
        ),
        _metered("CloudWatch, logs", f"{log_gb * 1000:.1f} MB", log_gb, LOG_INGESTED_GB, free=FREE["log_gb"]),
        # Tracing is off by default (XRayTracing); on, it is a trace a check, within the free tier.
        _metered("X-Ray", f"none (with XRayTracing=Active, {checks:,} traces: ${checks * XRAY_TRACE:.2f})", 0, 0.0),
        _metered("SNS, EventBridge schedule", "alerts only; scheduled rules are free", 0, 0.0),
    ]
    rows = [[item, quantity, _dollars(price), _dollars(after_free)] for item, quantity, price, after_free in lines]
    total, total_after_free = sum(line[2] for line in lines), sum(line[3] for line in lines)
    server = HOURS_PER_MONTH * EC2_T4G_NANO_HOUR + 8 * EBS_GP3_GB_MONTH
    rows.append(["**This monitor, a month**", "", f"**{_dollars(total)}**", f"**{_dollars(total_after_free)}**"])
    rows.append(
        ["An always-on t4g.nano with an 8 GB disk, for comparison", "730 hours", _dollars(server), _dollars(server)]
    )
    return rows


def _metered(
    item: str, described: str, quantity: float, unit_price: float, *, free: float = 0, fixed: float = 0
) -> tuple[str, str, float, float]:
    """Item, quantity described, list price, and price once `free` units are taken off."""
    return item, described, fixed + quantity * unit_price, fixed + max(0, quantity - free) * unit_price


def _resource_counts() -> dict[str, int]:
    """What the stack keeps whatever it does, from template.yaml (Slack, other destinations and
    Chatbot off, as by default)."""
    from sandbox.aws import load_template

    resources = load_template(TEMPLATE)["Resources"].values()
    optional = ("HasSlack", "HasSnooze", "HasNotifier", "HasChatbot")
    kinds = [resource["Type"] for resource in resources if resource.get("Condition") not in optional]
    return {
        "secrets": kinds.count("AWS::SecretsManager::Secret"),
        "keys": kinds.count("AWS::KMS::Key"),
        "alarms": kinds.count("AWS::CloudWatch::Alarm"),
        "dashboards": kinds.count("AWS::CloudWatch::Dashboard"),
    }


def _dollars(amount: float) -> str:
    return f"${amount:.2f}" if amount >= 0.01 or amount == 0 else f"${amount:.4f}"
