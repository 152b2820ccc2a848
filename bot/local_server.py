"""Serving a local ``http.server`` on a daemon thread: what both emulators share.

The Slack emulator and the helpdesk API emulator each bind a threaded server on
127.0.0.1, serve it until stopped, and free the port on exit; only what they
serve differs, so the lifecycle is written once here.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class LocalServer(ThreadingHTTPServer):
    """Threaded server (daemon threads, so a request stuck in a fault never blocks exit)."""

    daemon_threads = True
    # socketserver's default backlog of 5 makes concurrent clients stall ~1 s on SYN retries.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        self.stopping = threading.Event()  # wakes requests sleeping in a timeout fault
        super().__init__(address, handler)


class ServedOnThread:
    """``start()`` binds (port 0 = any free port) and serves; ``stop()`` frees the port."""

    thread_name = "local-server"
    host: str
    _requested_port: int
    _server: LocalServer | None = None
    _thread: threading.Thread | None = None

    def _make_server(self) -> LocalServer:
        raise NotImplementedError

    def _started(self, server: LocalServer) -> None:
        """Called once the port is bound, before the first request is served."""

    def start(self) -> Self:
        """Bind and serve on a daemon thread; a second call does nothing."""
        if self._server is not None:
            return self
        self._server = self._make_server()
        self._started(self._server)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # how long stop() may wait for the loop to notice
            name=self.thread_name,
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port; requests sleeping in a fault are abandoned."""
        server, self._server = self._server, None
        if server is None:
            return
        server.stopping.set()
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not running; call start() first")
        return int(self._server.server_address[1])
