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
    "xray_traces": 100_000,
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
    gb_seconds = lambda_gb_seconds(check.seconds)
    kms_requests = CHECKS_PER_MONTH * (check.secret_reads + 1)  # the secret's decryption, the table's key
    log_gb = CHECKS_PER_MONTH * (check.log_bytes + RUNTIME_LOG_BYTES) / 1e9
    stored_gb = CHECKS_PER_MONTH / 30.4 * retention_days * (check.check_item_bytes + ITEM_OVERHEAD_BYTES) / 1e9
    lines = [
        (
            "Lambda, compute",
            f"{gb_seconds:,.0f} GB-s at 128 MB",
            gb_seconds * LAMBDA_GB_SECOND,
            max(0, gb_seconds - FREE["lambda_gb_seconds"]) * LAMBDA_GB_SECOND,
        ),
        (
            "Lambda, requests",
            f"{CHECKS_PER_MONTH:,}",
            CHECKS_PER_MONTH * LAMBDA_REQUEST,
            max(0, CHECKS_PER_MONTH - FREE["lambda_requests"]) * LAMBDA_REQUEST,
        ),
        (
            "DynamoDB, requests",
            f"{CHECKS_PER_MONTH * check.dynamodb_write_units:,.0f} write, "
            f"{CHECKS_PER_MONTH * check.dynamodb_read_units:,.0f} read units",
            CHECKS_PER_MONTH
            * (check.dynamodb_write_units * DYNAMODB_WRITE_UNIT + check.dynamodb_read_units * DYNAMODB_READ_UNIT),
            None,
        ),
        (
            "DynamoDB, storage and backups",
            f"{stored_gb * 1000:.1f} MB ({retention_days} days of history)",
            stored_gb * DYNAMODB_GB_MONTH,
            None,
        ),
        (
            "Secrets Manager",
            f"{resources['secrets']} secret, {CHECKS_PER_MONTH * check.secret_reads:,} reads",
            resources["secrets"] * SECRET_MONTH + CHECKS_PER_MONTH * check.secret_reads * SECRET_CALL,
            None,
        ),
        (
            "KMS",
            f"{resources['keys']} key, {kms_requests:,} requests",
            resources["keys"] * KMS_KEY_MONTH + kms_requests * KMS_REQUEST,
            resources["keys"] * KMS_KEY_MONTH + max(0, kms_requests - FREE["kms_requests"]) * KMS_REQUEST,
        ),
        (
            "CloudWatch, metrics",
            f"{check.metric_series} metrics",
            check.metric_series * METRIC_MONTH,
            max(0, check.metric_series - FREE["metrics"]) * METRIC_MONTH,
        ),
        (
            "CloudWatch, alarms",
            f"{resources['alarms']} alarms",
            resources["alarms"] * ALARM_MONTH,
            max(0, resources["alarms"] - FREE["alarms"]) * ALARM_MONTH,
        ),
        (
            "CloudWatch, dashboard",
            f"{resources['dashboards']} dashboard",
            resources["dashboards"] * DASHBOARD_MONTH,
            max(0, resources["dashboards"] - FREE["dashboards"]) * DASHBOARD_MONTH,
        ),
        (
            "CloudWatch, logs",
            f"{log_gb * 1000:.1f} MB",
            log_gb * LOG_INGESTED_GB,
            max(0, log_gb - FREE["log_gb"]) * LOG_INGESTED_GB,
        ),
        (
            "X-Ray",
            f"{CHECKS_PER_MONTH:,} traces",
            CHECKS_PER_MONTH * XRAY_TRACE,
            max(0, CHECKS_PER_MONTH - FREE["xray_traces"]) * XRAY_TRACE,
        ),
        ("SNS, EventBridge schedule", "alerts only; scheduled rules are free", 0.0, None),
    ]
    rows = [
        [item, quantity, _dollars(price), _dollars(price if free is None else free)]
        for item, quantity, price, free in lines
    ]
    total = sum(price for _, _, price, _ in lines)
    total_free = sum(price if free is None else free for _, _, price, free in lines)
    server = HOURS_PER_MONTH * EC2_T4G_NANO_HOUR + 8 * EBS_GP3_GB_MONTH
    rows.append(["**This monitor, a month**", "", f"**{_dollars(total)}**", f"**{_dollars(total_free)}**"])
    rows.append(
        ["An always-on t4g.nano with an 8 GB disk, for comparison", "730 hours", _dollars(server), _dollars(server)]
    )
    return rows


def _resource_counts() -> dict[str, int]:
    """What the stack keeps whatever it does, from template.yaml (Slack and Chatbot off)."""
    from sandbox.aws import load_template

    resources = load_template(TEMPLATE)["Resources"].values()
    optional = ("HasSlack", "HasChatbot")
    kinds = [resource["Type"] for resource in resources if resource.get("Condition") not in optional]
    return {
        "secrets": kinds.count("AWS::SecretsManager::Secret"),
        "keys": kinds.count("AWS::KMS::Key"),
        "alarms": kinds.count("AWS::CloudWatch::Alarm"),
        "dashboards": kinds.count("AWS::CloudWatch::Dashboard"),
    }


def _dollars(amount: float) -> str:
    return f"${amount:.2f}" if amount >= 0.01 or amount == 0 else f"${amount:.4f}"
