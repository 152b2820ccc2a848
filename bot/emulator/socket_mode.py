"""Slack's Socket Mode side: a WebSocket server that pushes envelopes and collects acks.

With Socket Mode the app opens the connection: it calls ``apps.connections.open``
with its app-level token (``xapp-…``), gets a ``wss://`` URL and listens there.
Slack then pushes each slash command, interaction or event as an *envelope*
``{"envelope_id", "type", "payload", "accepts_response_payload"}`` and the app
acknowledges it by sending ``{"envelope_id", "payload"?}`` back within three
seconds; whatever the ack carries (the ``/cx`` answer) is what the user sees.

``SocketModeHub`` plays that server on a local ``ws://`` URL with aiohttp (its
own event loop on a daemon thread), so the real slack_bolt / slack_sdk Socket
Mode client can be exercised end to end.
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from concurrent.futures import Future
from typing import Any

from aiohttp import WSMsgType, web

from .state import APP_ID

ENVELOPE_TYPES = frozenset({"slash_commands", "interactive", "events_api"})


class SocketModeHub:
    """A local Socket Mode endpoint: ``send()`` pushes an envelope and returns the app's ack."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="slack-socket-mode")
        self._thread.daemon = True
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._sockets: list[web.WebSocketResponse] = []
        self._acks: dict[str, asyncio.Future] = {}
        self.unmatched_acks: list[dict[str, Any]] = []

    # ---- lifecycle -----------------------------------------------------------
    def start(self) -> SocketModeHub:
        self._thread.start()
        self._call(self._serve()).result(timeout=10)
        return self

    def stop(self) -> None:
        if self._runner is not None:
            self._call(self._shutdown()).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        """What ``apps.connections.open`` hands out."""
        return f"ws://{self.host}:{self._port}/link"

    @property
    def connections(self) -> int:
        """Open app connections (the app may hold several, as Slack allows)."""
        return sum(not ws.closed for ws in self._sockets)

    # ---- pushing envelopes ---------------------------------------------------
    def send(self, envelope_type: str, payload: dict[str, Any], timeout: float = 5.0) -> dict:
        """Push one envelope to a connected app and return its ack's payload (``{}`` if bare).

        Raises ``TimeoutError`` when no ack comes within ``timeout`` — in real
        Slack the user would see "dispatch_failed" / "operation_timeout".
        """
        if envelope_type not in ENVELOPE_TYPES:
            raise ValueError(f"unknown envelope type {envelope_type!r}")
        envelope = {
            "envelope_id": str(uuid.uuid4()),
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": envelope_type != "events_api",
            "retry_attempt": 0,
            "retry_reason": "",
        }
        future = self._call(self._push(envelope, timeout))
        try:
            return future.result(timeout + 1)
        except TimeoutError:
            raise TimeoutError(
                f"no ack for {envelope_type} envelope within {timeout:g} s"
            ) from None

    # ---- inside the loop -----------------------------------------------------
    def _call(self, coroutine) -> Future:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_get("/link", self._link)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, 0).start()
        self._port = self._runner.addresses[0][1]

    async def _shutdown(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        await self._runner.cleanup()  # type: ignore[union-attr]

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": self.connections,
                "connection_info": {"app_id": APP_ID},
                "debug_info": {"host": "cxbot-emulator", "approximate_connection_time": 3600},
            }
        )
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                self._acknowledged(json.loads(message.data))
        self._sockets.remove(ws)
        return ws

    def _acknowledged(self, ack: dict[str, Any]) -> None:
        waiting = self._acks.pop(str(ack.get("envelope_id")), None)
        if waiting is None or waiting.done():
            self.unmatched_acks.append(ack)
            return
        waiting.set_result(ack.get("payload") or {})

    async def _push(self, envelope: dict[str, Any], timeout: float) -> dict:
        open_sockets = [ws for ws in self._sockets if not ws.closed]
        if not open_sockets:
            raise ConnectionError("no app is connected over Socket Mode")
        waiting = self._loop.create_future()
        self._acks[envelope["envelope_id"]] = waiting
        await open_sockets[-1].send_json(envelope)
        try:
            return await asyncio.wait_for(waiting, timeout)
        finally:
            self._acks.pop(envelope["envelope_id"], None)
