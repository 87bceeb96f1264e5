"""The one place where the Powertools Logger, Metrics and Tracer are made."""

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "deepseek-balance-monitor"
METRICS_NAMESPACE = "DeepSeekBalanceMonitor"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=METRICS_NAMESPACE, service=SERVICE)
tracer = Tracer(service=SERVICE)
