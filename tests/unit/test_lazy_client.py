"""An AWS client that a healthy check never calls is never made (cold starts stay short)."""

import threading
from typing import Any

from balance_monitor.adapters import aws
from balance_monitor.adapters.aws import LazyClient


class FakeSNS:
    def publish(self, **request: Any) -> dict[str, str]:
        return {"MessageId": "m-1"}


def test_the_client_is_made_at_its_first_call_and_once_across_threads(monkeypatch):
    made: list[str] = []

    def make(service: str) -> FakeSNS:
        made.append(service)
        return FakeSNS()

    monkeypatch.setattr(aws, "aws_client", make)
    client = LazyClient("sns")
    assert made == []

    threads = [threading.Thread(target=lambda: client.publish(TopicArn="t", Message="m")) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert made == ["sns"]
    assert client.publish(TopicArn="t", Message="m") == {"MessageId": "m-1"}
