"""A DeepSeek stand-in on 127.0.0.1: `GET /user/balance` in both documented shapes, and
every misbehaviour the monitor must survive, on cue."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LIVE_SHAPE = "live"  # what api.deepseek.com returns: strings, granted / topped-up / total
SPEC_SHAPE = "spec"  # the OpenAPI specification: {"type", "amount" (a number), "currency"}


@dataclass
class Wallet:
    granted: Decimal = Decimal("0.00")
    topped_up: Decimal = Decimal("0.00")

    @property
    def total(self) -> Decimal:
        return self.granted + self.topped_up


@dataclass
class Reply:
    """One scripted answer, served instead of the balance for the next request."""

    status: int = 200
    body: bytes | None = None  # None: the current balance
    headers: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0  # before the status line: a hang
    trickle_seconds: float = 0.0  # between bytes of the body: a slow drip
    declared_length: int | None = None  # Content-Length to claim, for truncated bodies


@dataclass
class SeenRequest:
    path: str
    authorization: str | None
    accept: str | None


class DeepSeekSimulator:
    def __init__(self, api_key: str, *, shape: str = LIVE_SHAPE) -> None:
        self.api_key = api_key
        self.shape = shape
        self.is_available = True
        self.wallets: dict[str, Wallet] = {"CNY": Wallet(Decimal("10.00"), Decimal("100.00"))}
        self.requests: list[SeenRequest] = []
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._served = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> DeepSeekSimulator:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def set_balance(self, currency: str, *, granted: str = "0.00", topped_up: str = "0.00") -> None:
        self.wallets[currency] = Wallet(Decimal(granted), Decimal(topped_up))

    def spend(self, currency: str, amount: str) -> None:
        """Spend granted credit first, as DeepSeek does."""
        wallet, left = self.wallets[currency], Decimal(amount)
        from_granted = min(wallet.granted, left)
        wallet.granted -= from_granted
        wallet.topped_up = max(Decimal("0.00"), wallet.topped_up - (left - from_granted))

    def top_up(self, currency: str, amount: str) -> None:
        self.wallets.setdefault(currency, Wallet()).topped_up += Decimal(amount)

    def then(self, *replies: Reply) -> None:
        """Serve these replies, in order, before going back to the balance."""
        with self._lock:
            self._script.extend(replies)

    def balance_document(self) -> dict[str, Any]:
        entries = [self._entry(currency, wallet) for currency, wallet in self.wallets.items()]
        with self._lock:
            self._served += 1
            if self._served % 2 == 0:
                entries.reverse()  # the live service does not keep the order of currencies
        return {"is_available": self.is_available, "balance_infos": entries}

    def _entry(self, currency: str, wallet: Wallet) -> dict[str, Any]:
        if self.shape == SPEC_SHAPE:
            # The specification types `amount` as a JSON number; json writes numbers from floats.
            return {"type": "credits", "amount": float(wallet.total), "currency": currency}
        return {
            "currency": currency,
            "total_balance": f"{wallet.total:.2f}",
            "granted_balance": f"{wallet.granted:.2f}",
            "topped_up_balance": f"{wallet.topped_up:.2f}",
        }

    def _next_reply(self) -> Reply | None:
        with self._lock:
            return self._script.popleft() if self._script else None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        simulator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                simulator.requests.append(
                    SeenRequest(self.path, self.headers.get("Authorization"), self.headers.get("Accept"))
                )
                if self.path != "/user/balance":
                    self._send(Reply(404, b'{"error": {"message": "Not Found"}}'))
                elif self.headers.get("Authorization") != f"Bearer {simulator.api_key}":
                    # Worst case for leaks: the error quotes the key it was given.
                    given = self.headers.get("Authorization", "")
                    self._send(Reply(401, _error_body(f"Authentication Fails, Your api key: {given} is invalid")))
                else:
                    reply = simulator._next_reply() or Reply()
                    if reply.status == 200 and reply.body is None:
                        reply.body = json.dumps(simulator.balance_document()).encode()
                    self._send(reply)

            def _send(self, reply: Reply) -> None:
                time.sleep(reply.delay_seconds)
                body = reply.body or b""
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.headers.pop("Content-Type", "application/json"))
                    self.send_header("Content-Length", str(reply.declared_length or len(body)))
                    for name, value in reply.headers.items():
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


def _error_body(message: str) -> bytes:
    return json.dumps({"error": {"message": message, "type": "authentication_error"}}).encode()
