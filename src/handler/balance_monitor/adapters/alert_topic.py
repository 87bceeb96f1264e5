"""The SNS topic alerts are published to; message attributes let subscribers filter."""

from __future__ import annotations

from typing import Any

from balance_monitor.adapters.aws_errors import AWS_ERRORS, error_code
from balance_monitor.alert_messages import AlertMessage
from balance_monitor.errors import AlertDeliveryError


class AlertTopic:
    def __init__(self, client: Any, topic_arn: str) -> None:
        self._client = client
        self._topic_arn = topic_arn

    def publish(self, message: AlertMessage) -> str:
        try:
            response = self._client.publish(
                TopicArn=self._topic_arn,
                Subject=message.subject,
                Message=message.body,
                MessageAttributes={
                    name: {"DataType": "String", "StringValue": value} for name, value in message.attributes.items()
                },
            )
        except AWS_ERRORS as exc:
            raise AlertDeliveryError(f"could not publish the alert ({error_code(exc)})") from exc
        return str(response["MessageId"])
