"""HTTP front end: one server, every vendor under its own path prefix.

Routes:
  /zendesk/...  /freshdesk/...  /jira/...  /intercom/...   the vendors' REST APIs
  /_emulator/...                                            control API (see control.py)

Per vendor request, in order: a matching fault answers (or delays) it; otherwise the
credentials are checked (401 in the vendor's shape), the route is found (404) and the
handler runs under the state lock. Every call is recorded, faulted ones too.
"""

from __future__ import annotations

import copy
import json
import logging
import time
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote

from bot.local_server import LocalServer

from . import control
from .faults import Fault
from .routing import Answer, BadJson, Request, Vendor
from .vendors import VENDOR_APIS

if TYPE_CHECKING:
    from .emulator import HelpdeskEmulator

logger = logging.getLogger(__name__)

_FAULT_MESSAGES = {
    429: "Rate limit exceeded",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
}


class HelpdeskServer(LocalServer):
    """The helpdesk emulator's server: routes to the emulator it belongs to."""

    def __init__(self, address: tuple[str, int], emulator: HelpdeskEmulator) -> None:
        self.emulator = emulator
        super().__init__(address, _Handler)


def _body_for_log(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")


class _Handler(BaseHTTPRequestHandler):
    server: HelpdeskServer
    server_version = "HelpdeskEmulator/1.0"
    protocol_version = "HTTP/1.1"  # keep-alive, as httpx clients expect from real APIs

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        logger.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    # ---- plumbing ------------------------------------------------------------
    def _dispatch(self) -> None:
        received = time.time()
        path, _, query = self.path.partition("?")
        try:
            body = self._read_body()
            vendor_name, _, rest = path.lstrip("/").partition("/")
            if vendor_name == "_emulator":
                status, payload = control.handle(
                    self.server.emulator, self.command, rest, query, body
                )
                self._send(status, payload)
            elif vendor_name in VENDOR_APIS:
                self._vendor(VENDOR_APIS[vendor_name], "/" + rest, query, body, received)
            else:
                self._send(404, "no such helpdesk; try /zendesk, /freshdesk, /jira or /intercom")
        except (BrokenPipeError, ConnectionResetError):
            logger.debug("client went away before the answer (e.g. its timeout fired)")

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            self.rfile.readline()
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        if payload is None:
            data, content_type = b"", None
        elif isinstance(payload, str):
            data, content_type = payload.encode(), "text/plain; charset=utf-8"
        else:
            data, content_type = json.dumps(payload).encode(), "application/json; charset=utf-8"
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    # ---- vendor APIs ---------------------------------------------------------
    def _vendor(self, vendor: Vendor, path: str, query: str, body: bytes, received: float) -> None:
        emulator = self.server.emulator
        route_path = vendor.normalise_path(unquote(path))
        fault = emulator.faults.take(vendor.name, self.command, route_path)
        request = Request(
            vendor=vendor.name,
            method=self.command,
            path=route_path,
            query=dict(parse_qsl(query, keep_blank_values=True)),
            headers={name: value for name, value in self.headers.items()},
            body=body,
            emulator=emulator,
        )
        if fault is not None and not fault.slow_only:
            status, payload, headers = self._fault_answer(vendor, fault)
        else:
            status, payload, headers = self._answer(vendor, request)
        used = self._record(request, path, received, status, payload, fault)
        if not (fault is not None and not fault.slow_only and fault.status == 429):
            headers = {**vendor.every_response_headers(emulator, used), **headers}
        if fault is not None and fault.delay and self.server.stopping.wait(fault.delay):
            return  # shutting down: drop the request like a dead server would
        self._send(status, payload, headers)

    def _fault_answer(self, vendor: Vendor, fault: Fault) -> Answer:
        assert fault.status is not None  # not slow_only
        status = fault.status
        payload = vendor.error(status, _FAULT_MESSAGES.get(status, "Injected fault"))
        headers: dict[str, str] = {}
        if status == 429:
            headers = vendor.rate_limit_headers(self.server.emulator, fault.retry_after, 0)
        elif fault.retry_after is not None:
            headers = {"Retry-After": str(fault.retry_after)}
        return status, payload, headers

    def _answer(self, vendor: Vendor, request: Request) -> Answer:
        if not vendor.authorized(request):
            return 401, vendor.error(401, "unauthorized"), {}
        found = vendor.resolve(request.method, request.path)
        if found is None:
            return 404, vendor.error(404, f"No route for {request.method} {request.path}"), {}
        route, request.params = found
        state = request.state
        with state.lock:
            try:
                status, payload, headers = route.handler(request)
            except BadJson as exc:
                return 400, vendor.error(400, f"Request body is not valid JSON: {exc}"), {}
            except Exception as exc:  # an emulator bug: answer (and record) it, don't hang up
                logger.exception(
                    "helpdesk emulator handler for %s %s crashed", vendor.name, request.path
                )
                return 500, {"emulator_error": repr(exc)}, {}
            if request.method != "GET" and status < 300:
                state.save()
            # Copy under the lock: the payload may reference live state other threads mutate.
            return status, copy.deepcopy(payload), headers

    def _record(
        self,
        request: Request,
        raw_path: str,
        received: float,
        status: int,
        payload: Any,
        fault: Fault | None,
    ) -> int:
        """Log the call; returns how many calls this vendor got in the last minute."""
        state = request.state
        with state.lock:
            used = 1 + sum(
                1
                for c in state.calls
                if c["vendor"] == request.vendor and c["time"] > received - 60
            )
            state.record_call(
                {
                    "vendor": request.vendor,
                    "method": request.method,
                    "path": raw_path,
                    "query": request.query,
                    "headers": dict(request.headers),
                    "body": _body_for_log(request.body),
                    "status": status,
                    "response": copy.deepcopy(payload),
                    "time": received,
                    "fault": fault.id if fault else None,
                }
            )
        return used
