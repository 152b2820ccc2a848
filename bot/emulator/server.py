"""HTTP front end: routes Slack-shaped requests to handlers, faults and the control API.

Routes:
  /api/<method>        Web API (POST or GET; form, multipart or JSON bodies)
  /upload/<file_id>    upload URL handed out by files.getUploadURLExternal
  /response/<id>       response_url target (Bolt's respond())
  /_emulator/...       inspection/fault control for out-of-process users (see control.py)
"""

from __future__ import annotations

import copy
import json
import logging
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

from bot.local_server import LocalServer

from . import control
from .methods import METHODS, SlackError
from .parsing import BadRequest, media_type, parse_body, parse_multipart
from .scopes import needed_scopes

if TYPE_CHECKING:
    from .emulator import SlackEmulator

logger = logging.getLogger(__name__)

# (HTTP status, JSON-able body or plain text, extra headers)
Answer = tuple[int, Any, dict[str, str]]


def _error(error: str, **details: str) -> Answer:
    """Slack reports API-level failures as HTTP 200 with ok:false (``missing_scope`` adds
    ``needed``/``provided``)."""
    return 200, {"ok": False, "error": error, **details}, {}


class EmulatorServer(LocalServer):
    """The Slack emulator's server: routes to the emulator it belongs to."""

    def __init__(self, address: tuple[str, int], emulator: SlackEmulator) -> None:
        self.emulator = emulator
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: EmulatorServer
    server_version = "SlackEmulator/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        logger.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    # ---- plumbing ------------------------------------------------------------
    def _dispatch(self) -> None:
        received = time.time()
        path, _, query = self.path.partition("?")
        try:
            body = self._read_body()
            if path.startswith("/api/"):
                self._api(path.removeprefix("/api/"), query, body, received)
            elif path.startswith("/upload/"):
                self._upload(path.removeprefix("/upload/"), body, received)
            elif path.startswith("/response/"):
                self._response_url(path.removeprefix("/response/"), body, received)
            elif path.startswith("/_emulator/"):
                status, payload = control.handle(
                    self.server.emulator,
                    self.command,
                    path.removeprefix("/_emulator/"),
                    query,
                    body,
                )
                self._send(status, payload)
            else:
                self._send(404, {"ok": False, "error": "not_found"})
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
        if isinstance(payload, str):
            data, content_type = payload.encode(), "text/plain; charset=utf-8"
        else:
            data, content_type = json.dumps(payload).encode(), "application/json; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _recorded(
        self, method: str, params: dict[str, Any], received: float, answer: Callable[[], Answer]
    ) -> None:
        """Apply a fault or compute the real answer, record the call, then reply."""
        emulator = self.server.emulator
        fault = emulator.faults.take(method)
        if fault is not None:
            assert fault.status is not None  # Fault.__post_init__ fills it from the mode
            status, payload, headers, delay = (
                fault.status,
                fault.body(),
                fault.headers(),
                fault.delay,
            )
        else:
            (status, payload, headers), delay = answer(), 0.0
        emulator.state.record_call(
            {
                "method": method,
                "params": copy.deepcopy(params),
                "time": received,
                "http_method": self.command,
                "status": status,
                "response": payload,
                "fault": fault.mode if fault else None,
            }
        )
        if delay and self.server.stopping.wait(delay):
            return  # shutting down: drop the request like a dead server would
        self._send(status, payload, headers)

    # ---- endpoints -------------------------------------------------------------
    def _api(self, method: str, query: str, body: bytes, received: float) -> None:
        parse_error = None
        try:
            params, _ = parse_body(self.headers.get("Content-Type"), body, query)
        except BadRequest as exc:
            params, parse_error = {}, str(exc)
        token = params.pop("token", None)
        authorization = self.headers.get("Authorization", "")
        if authorization.lower().startswith("bearer "):
            token = authorization[len("bearer ") :].strip()
        self._recorded(
            method, params, received, lambda: self._scoped(method, params, token, parse_error)
        )

    def _scoped(
        self, method: str, params: dict[str, Any], token: str | None, parse_error: str | None
    ) -> Answer:
        """The answer plus the scope headers real Slack sends on every Web API reply."""
        status, payload, headers = self._call_method(method, params, token, parse_error)
        headers = {"x-oauth-scopes": ",".join(self.server.emulator.scopes), **headers}
        return status, payload, headers

    def _missing_scope(self, method: str, params: dict[str, Any]) -> Answer | None:
        """``missing_scope`` when the token holds none of the scopes the method accepts."""
        emulator = self.server.emulator
        state = emulator.state
        with state.lock:
            channel_id = state.resolve_channel(params.get("channel"))
            needed = needed_scopes(method, state.channels.get(channel_id or ""))
        if not needed or set(needed) & set(emulator.scopes):
            return None
        provided = ",".join(emulator.scopes)
        return _error("missing_scope", needed=",".join(needed), provided=provided)

    def _call_method(
        self, method: str, params: dict[str, Any], token: str | None, parse_error: str | None
    ) -> Answer:
        spec = METHODS.get(method)
        if spec is None:
            return _error("unknown_method")
        if not token:
            return _error("not_authed")
        emulator = self.server.emulator
        if token not in (emulator.token, emulator.app_token):
            return _error("invalid_auth")
        if token != (emulator.app_token if spec.app_token else emulator.token):
            return _error("not_allowed_token_type")
        if parse_error:
            return _error(parse_error)
        if not spec.app_token and (refused := self._missing_scope(method, params)):
            return refused
        state = self.server.emulator.state
        with state.lock:
            try:
                result = spec.handler(state, params)
            except SlackError as exc:
                return _error(exc.error)
            except Exception as exc:  # an emulator bug: answer (and record) it, don't hang up
                logger.exception("emulator handler for %s crashed", method)
                return 500, {"ok": False, "error": "internal_error", "detail": repr(exc)}, {}
            if spec.writes:
                state.save()
            # Copy under the lock: the result references live state other threads mutate.
            return 200, copy.deepcopy({"ok": True, **result}), {}

    def _upload(self, file_id: str, body: bytes, received: float) -> None:
        """The upload URL takes raw bytes (slack_sdk) or a multipart file part (curl -F)."""
        content_type = self.headers.get("Content-Type") or ""
        content = body
        if media_type(content_type) == "multipart/form-data":
            try:
                _, parts = parse_multipart(content_type, body)
            except BadRequest:
                parts = []
            content = parts[0].content if parts else b""
        params = {"file_id": file_id, "size": len(content)}
        self._recorded("upload", params, received, lambda: self._store_upload(file_id, content))

    def _store_upload(self, file_id: str, content: bytes) -> Answer:
        state = self.server.emulator.state
        with state.lock:
            meta = state.files.get(file_id)
            if meta is None:
                return 404, "file not found", {}
            meta.update(content=content, size=len(content), uploaded=True)
            state.save()
        return 200, f"OK - {len(content)}", {}

    def _response_url(self, key: str, body: bytes, received: float) -> None:
        try:
            payload: Any = json.loads(body) if body else {}
        except ValueError:
            payload = body.decode("utf-8", "replace")
        params = {"id": key, "body": payload}
        self._recorded(
            "response_url", params, received, lambda: self._store_response(key, payload, received)
        )

    def _store_response(self, key: str, payload: Any, received: float) -> Answer:
        state = self.server.emulator.state
        with state.lock:
            state.responses.append({"id": key, "body": payload, "time": received})
            state.save()
        return 200, {"ok": True}, {}
