"""AWS emulated by a moto server on 127.0.0.1, counting every request by service and
operation, and the DynamoDB capacity each would consume, from the items it carries."""

from __future__ import annotations

import io
import json
import math
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

KIB = 1024


class _QuietRequestHandler(MotoRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class LoopbackAWS:
    """A moto server on 127.0.0.1, in a thread of this process; `requests` and `capacity`
    tally what it was asked since the last `reset()`."""

    def __init__(self) -> None:
        self._moto = DomainDispatcherApplication(create_backend_app)
        self._server = make_server("127.0.0.1", 0, self._count, threaded=True, request_handler=_QuietRequestHandler)
        self._lock = threading.Lock()
        self.requests: Counter[tuple[str, str]] = Counter()  # (service, operation) -> requests
        self.capacity: Counter[str] = Counter({"read": 0, "write": 0})  # DynamoDB on-demand units
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def endpoint_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self._server.shutdown()

    def reset(self) -> None:
        with self._lock:
            self.requests = Counter()
            self.capacity = Counter({"read": 0, "write": 0})

    def by_service(self) -> Counter[str]:
        with self._lock:
            services: Counter[str] = Counter()
            for (service, _), count in self.requests.items():
                services[service] += count
            return services

    def _count(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        service = _signing_service(environ.get("HTTP_AUTHORIZATION", ""))
        operation = _operation(environ, body)
        response = b"".join(self._moto(environ, start_response))
        with self._lock:
            self.requests[(service, operation)] += 1
            if service == "dynamodb":
                self.capacity.update(_capacity(operation, json.loads(body), json.loads(response or b"{}")))
        return [response]


def _signing_service(authorization: str) -> str:
    # AWS4-HMAC-SHA256 Credential=KEY/20261125/us-east-1/dynamodb/aws4_request, ...
    scope = authorization.partition("Credential=")[2].split(",")[0].split("/")
    return scope[3] if len(scope) > 3 else "unsigned"


def _operation(environ: dict[str, Any], body: bytes) -> str:
    target = environ.get("HTTP_X_AMZ_TARGET")  # JSON protocols: "DynamoDB_20120810.GetItem"
    if target:
        return str(target).rsplit(".", 1)[-1]
    return parse_qs(body.decode()).get("Action", ["?"])[0]  # query protocol (SNS): Action=Publish


def _capacity(operation: str, request: dict[str, Any], response: dict[str, Any]) -> Counter[str]:
    """Units as DynamoDB on-demand bills them: a write unit per KiB written (two in a
    transaction), a read unit per 4 KiB read strongly consistently (half eventually); a Query
    page adds up its items' sizes before rounding."""
    if operation == "GetItem":
        units = math.ceil(item_bytes(response.get("Item", {})) / (4 * KIB)) or 1
        return Counter(read=units if request.get("ConsistentRead") else units / 2)
    if operation == "Query":  # a page: the items it read, together, in 4 KiB units
        units = math.ceil(sum(item_bytes(item) for item in response.get("Items", [])) / (4 * KIB)) or 1
        return Counter(read=units if request.get("ConsistentRead") else units / 2)
    if operation == "PutItem":
        return Counter(write=math.ceil(item_bytes(request["Item"]) / KIB))
    if operation == "TransactWriteItems":
        written = [action["Put"]["Item"] for action in request["TransactItems"] if "Put" in action]
        return Counter(write=sum(2 * math.ceil(item_bytes(item) / KIB) for item in written))
    return Counter()


def item_bytes(item: dict[str, Any]) -> int:
    """An item's size by DynamoDB's rules: attribute names and values in UTF-8, numbers a
    byte per two significant digits plus one, maps and lists 3 bytes plus a byte an element."""
    return sum(len(name.encode()) + _value_bytes(value) for name, value in item.items())


def _value_bytes(value: dict[str, Any]) -> int:
    [(kind, content)] = value.items()
    if kind == "S":
        return len(content.encode())
    if kind == "N":
        digits = Decimal(content).normalize().as_tuple().digits
        return math.ceil(len(digits) / 2) + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(name.encode()) + _value_bytes(inner) + 1 for name, inner in content.items())
    if kind == "L":
        return 3 + sum(_value_bytes(inner) + 1 for inner in content)
    return len(str(content).encode())  # binary and sets: near enough for items this monitor writes
