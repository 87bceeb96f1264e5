"""The floor: the least Lambda function that does a balance check's I/O, and nothing else. It
reads the API key from Secrets Manager, asks DeepSeek for the balance once and writes the
answer to the history table once: no parsing of the balance, no alerting, no logging, no
metrics, no tracing. cold_check.py invokes it as it invokes the real handler.

    python benchmarks/cold_check.py floor 2026-11-25T08:00:00Z     (environment as the function's)
"""

import json
import os
from typing import Any

import boto3
import requests


def lambda_handler(event: dict[str, Any], context: Any) -> None:
    secret = boto3.client("secretsmanager").get_secret_value(SecretId=os.environ["API_KEY_SECRET_ID"])
    api_key = json.loads(secret["SecretString"])["api_key"]
    balance = requests.get(
        f"{os.environ['DEEPSEEK_BASE_URL']}/user/balance", headers={"Authorization": f"Bearer {api_key}"}, timeout=10
    )
    balance.raise_for_status()
    boto3.client("dynamodb").put_item(
        TableName=os.environ["TABLE_NAME"],
        Item={"account": {"S": "floor"}, "record": {"S": f"check#{event['time']}"}, "balance": {"S": balance.text}},
    )
