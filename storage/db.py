"""Opening the SQLite database: configured, migrated, ready for concurrent use.

WAL lets the Slack listeners read metrics while a webhook or an import writes;
the busy timeout makes a writer wait for another instead of failing with
"database is locked"; foreign keys keep surveys from outliving their tickets.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from storage.migrations import MIGRATION_SET, known_migrations, migrations

BUSY_TIMEOUT_SECONDS = 30.0


class SchemaTooNewError(RuntimeError):
    """The file was migrated by a newer cxbot; writing to it could corrupt it."""


def connect(path: str | Path) -> Database:
    """Open a configured connection without touching the schema."""
    target = str(path)
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(target, timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False)
    db = Database(conn)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
    db.execute("PRAGMA foreign_keys = ON")
    # FULL: a webhook answered 202 must survive a power cut, not only a crash.
    db.execute("PRAGMA synchronous = FULL")
    # 64 MB page cache: random-order index inserts (bulk import) stay in memory.
    db.execute("PRAGMA cache_size = -65536")
    return db


def open_db(path: str | Path, *, migrate: bool = True) -> Database:
    """Open the database, refusing newer schemas and applying pending migrations."""
    db = connect(path)
    check_not_newer(db)
    if migrate:
        migrations.apply(db)
    return db


def check_not_newer(db: Database) -> None:
    """Refuse a database that has migrations this version does not know."""
    known = set(known_migrations())
    unknown = [m.name for m in migrations.applied(db) if m.name not in known]
    if unknown:
        db.close()
        raise SchemaTooNewError(
            "this database was created by a newer version of cxbot "
            f"(unknown migrations: {', '.join(unknown)}); upgrade cxbot to open it"
        )


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """A write transaction that takes the write lock up front (BEGIN IMMEDIATE).

    A deferred transaction that reads and then writes can fail at once with
    "database is locked" when another connection wrote in between; taking the
    lock first makes concurrent writers queue on the busy timeout instead.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def schema_status(db: Database) -> dict[str, list[str]]:
    """Applied and pending migration names, for `cxbot db info`."""
    return {
        "set": [MIGRATION_SET],
        "applied": [m.name for m in migrations.applied(db)],
        "pending": [m.name for m in migrations.pending(db)],
    }
