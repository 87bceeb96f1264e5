"""The SNS topic alerts are published to. Each protocol gets its own rendering
(MessageStructure=json): people the email text, machines the versioned alert document,
AWS Chatbot its custom-notification format. Message attributes let subscribers filter."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from balance_monitor.adapters.aws import AWS_ERRORS, error_code
from balance_monitor.errors import AlertDeliveryError

if TYPE_CHECKING:
    from balance_monitor.alert_messages import AlertMessage


def sns_message(message: AlertMessage) -> str:
    """The per-protocol message SNS delivers; "default" serves any protocol not named."""
    # Loaded at the first alert: a healthy check never publishes (docs/performance.md).
    from balance_monitor.chat_messages import chatbot_notification

    document = json.dumps(message.document)
    chatbot = json.dumps(chatbot_notification(message.document))
    return json.dumps(
        {
            "default": message.body,
            "email": message.body,
            "email-json": document,
            "sqs": document,
            "lambda": document,
            "firehose": document,
            "https": chatbot,  # AWS Chatbot subscribes over HTTPS
            "http": chatbot,
        }
    )


class AlertTopic:
    def __init__(self, client: Any, topic_arn: str) -> None:
        self._client = client
        self._topic_arn = topic_arn

    def publish(self, message: AlertMessage) -> str:
        try:
            response = self._client.publish(
                TopicArn=self._topic_arn,
                Subject=message.subject,
                Message=sns_message(message),
                MessageStructure="json",
                MessageAttributes={
                    name: {"DataType": "String", "StringValue": value} for name, value in message.attributes.items()
                },
            )
        except AWS_ERRORS as exc:
            raise AlertDeliveryError(f"could not publish the alert ({error_code(exc)})") from exc
        return str(response["MessageId"])
