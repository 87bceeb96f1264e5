"""A Slack incoming webhook on 127.0.0.1: answers "ok" like Slack, keeps every payload
posted to it, and returns 429, 5xx or Slack's own refusals on cue."""

from __future__ import annotations

import json
from typing import Any

from sandbox.loopback_http import LoopbackServer, Reply, SeenRequest

WEBHOOK_PATH = "/services/T0000000/B0000000/s3cr3tW3bh00kT0k3n"


class FakeSlackWebhook(LoopbackServer):
    @property
    def webhook_url(self) -> str:
        return self.base_url + WEBHOOK_PATH

    @property
    def payloads(self) -> list[dict[str, Any]]:
        """What Slack accepted, in order."""
        return [json.loads(request.body) for request, status in self._answered if status == 200]

    def __init__(self) -> None:
        super().__init__()
        self._answered: list[tuple[SeenRequest, int]] = []

    def __enter__(self) -> FakeSlackWebhook:
        super().__enter__()
        return self

    def answer(self, request: SeenRequest) -> Reply:
        if request.method != "POST" or request.path != WEBHOOK_PATH:
            reply = Reply(404, b"no_service", {"Content-Type": "text/plain"})
        else:
            reply = self.scripted_reply() or Reply(200, b"ok", {"Content-Type": "text/plain"})
        self._answered.append((request, reply.status))
        return reply
