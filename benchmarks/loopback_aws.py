"""AWS emulated by a moto server on 127.0.0.1, in a process of its own (server_process.py),
counting every request by service and operation, and the DynamoDB capacity each would
consume, from the items it carries.

    python benchmarks/loopback_aws.py     (prints its base URL, then serves)
"""

from __future__ import annotations

import io
import json
import math
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from benchmarks.server_process import ServerProcess

KIB = 1024
COUNTS_PATH = "/_loopback/counts"  # GET: the tallies; DELETE: start them again


@dataclass(frozen=True)
class Counts:
    requests: Counter[tuple[str, str]]  # (service, operation) -> requests
    capacity: Counter[str]  # DynamoDB on-demand read and write units
    serving_seconds: float  # the emulator's own time answering them

    def by_service(self) -> Counter[str]:
        services: Counter[str] = Counter()
        for (service, _), count in self.requests.items():
            services[service] += count
        return services


class LoopbackAWS(ServerProcess):
    """The moto server's process; `counts()` tallies what it was asked since `reset()`."""

    def __init__(self) -> None:
        super().__init__(Path(__file__))

    @property
    def endpoint_url(self) -> str:
        return self.base_url

    def reset(self) -> None:
        urllib.request.urlopen(urllib.request.Request(self.base_url + COUNTS_PATH, method="DELETE"))  # noqa: S310

    def counts(self) -> Counts:
        with urllib.request.urlopen(self.base_url + COUNTS_PATH) as answer:  # noqa: S310
            tallies = json.load(answer)
        requests = Counter({(service, operation): count for service, operation, count in tallies["requests"]})
        return Counts(requests, Counter(tallies["capacity"]), tallies["serving_seconds"])


class CountingMoto:
    """moto's WSGI application, tallying each request before it answers."""

    def __init__(self) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        self._moto = DomainDispatcherApplication(create_backend_app)
        self._lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self.requests: Counter[tuple[str, str]] = Counter()
        self.capacity: Counter[str] = Counter({"read": 0, "write": 0})
        self.serving_seconds = 0.0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ["PATH_INFO"] == COUNTS_PATH:
            return self._counts(environ["REQUEST_METHOD"], start_response)
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        service = _signing_service(environ.get("HTTP_AUTHORIZATION", ""))
        operation = _operation(environ, body)
        started = time.perf_counter()
        response = b"".join(self._moto(environ, start_response))
        serving = time.perf_counter() - started
        with self._lock:
            self.serving_seconds += serving
            self.requests[(service, operation)] += 1
            if service == "dynamodb":
                self.capacity.update(_capacity(operation, json.loads(body), json.loads(response or b"{}")))
        return [response]

    def _counts(self, method: str, start_response: Callable[..., Any]) -> Iterable[bytes]:
        with self._lock:
            if method == "DELETE":
                self._reset()
            tallies = {
                "requests": [[*key, count] for key, count in self.requests.items()],
                "capacity": dict(self.capacity),
                "serving_seconds": self.serving_seconds,
            }
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(tallies).encode()]


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


def serve() -> None:
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    class QuietRequestHandler(MotoRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            pass

    server = make_server("127.0.0.1", 0, CountingMoto(), threaded=True, request_handler=QuietRequestHandler)
    host, port = server.server_address[:2]
    print(f"http://{host}:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    serve()
