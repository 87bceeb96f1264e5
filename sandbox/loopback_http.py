"""An HTTP server on 127.0.0.1, in a thread, that records every request and answers either
from a script of replies (to misbehave on cue) or by its subclass's own rule."""

from __future__ import annotations

import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: bytes | None = None  # None: the server's normal answer
    headers: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0  # before the status line: a hang
    trickle_seconds: float = 0.0  # between bytes of the body: a slow drip
    declared_length: int | None = None  # Content-Length to claim, for truncated bodies


@dataclass
class SeenRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def authorization(self) -> str | None:
        return self.headers.get("Authorization")

    @property
    def accept(self) -> str | None:
        return self.headers.get("Accept")


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up (as the monitor does on a drip, or at its deadline) is no error to print."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class LoopbackServer:
    def __init__(self) -> None:
        self.requests: list[SeenRequest] = []
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def then(self, *replies: Reply) -> None:
        """Serve these replies, in order, before going back to the normal answer."""
        with self._lock:
            self._script.extend(replies)

    def scripted_reply(self) -> Reply | None:
        with self._lock:
            return self._script.popleft() if self._script else None

    def answer(self, request: SeenRequest) -> Reply:
        """The reply to a request; subclasses decide."""
        raise NotImplementedError

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._respond()

            def do_POST(self) -> None:
                self._respond()

            def _respond(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = SeenRequest(self.command, self.path, dict(self.headers), self.rfile.read(length))
                server.requests.append(request)
                self._send(server.answer(request))

            def _send(self, reply: Reply) -> None:
                time.sleep(reply.delay_seconds)
                body = reply.body or b""
                headers = dict(reply.headers)
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", headers.pop("Content-Type", "application/json"))
                    self.send_header("Content-Length", str(reply.declared_length or len(body)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    if reply.trickle_seconds:
                        for byte in body:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(reply.trickle_seconds)
                    else:
                        self.wfile.write(body)
                    if reply.declared_length:
                        self.close_connection = True
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up, as it should on a drip

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep tests quiet
                pass

        return Handler
