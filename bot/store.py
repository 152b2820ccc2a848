"""Database access for async code: one SQLite connection per worker thread.

sqlite3 connections must not be shared across threads mid-statement, and the
event loop must not block on disk; ``Store.run`` runs a storage function on
a worker thread with that thread's own connection.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlite_utils import Database

from storage.db import open_db

T = TypeVar("T")


class Store:
    def __init__(self, path: str | Path):
        self.path = str(path)
        open_db(self.path).close()  # create and migrate once, up front
        self._local = threading.local()

    def db(self) -> Database:
        """This thread's connection (opened on first use)."""
        handle = getattr(self._local, "db", None)
        if handle is None:
            handle = open_db(self.path, migrate=False)
            self._local.db = handle
        return handle

    def connect(self) -> Database:
        """A fresh connection for a long-lived thread (each background job has one)."""
        return open_db(self.path, migrate=False)

    async def run(self, function: Callable[..., T], *args: object, **kwargs: object) -> T:
        return await asyncio.to_thread(lambda: function(self.db(), *args, **kwargs))
