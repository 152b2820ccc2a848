"""A background thread that repeats one job every few seconds until stopped.

The outbox and the comment classifier both run this way inside ``cxbot serve``;
each has its own database connection, opened on its own thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlite_utils import Database

log = logging.getLogger("cxbot.workers")


class PeriodicWorker:
    def __init__(self, name: str, connect: Callable[[], Database], interval: float = 1.0):
        self.name, self._connect, self._interval = name, connect, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"cxbot-{name}", daemon=True)

    def start(self) -> PeriodicWorker:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def prepare(self) -> None:
        """Slow set-up done once on the worker's thread (e.g. loading a model)."""

    def run_once(self, db: Database) -> None:
        raise NotImplementedError

    def _loop(self) -> None:
        db = self._connect()
        try:
            self.prepare()
            while not self._stop.is_set():
                try:
                    self.run_once(db)
                except Exception:  # one bad pass must not stop the worker for good
                    log.exception("%s pass failed; retrying", self.name)
                self._stop.wait(self._interval)
        finally:
            db.close()
