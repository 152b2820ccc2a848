"""Schema versioning: fresh files, older files upgraded with data kept, newer files refused."""

from __future__ import annotations

import pytest

from storage.db import SchemaTooNewError, connect, open_db, schema_status
from storage.migrations import known_migrations, migrations


def test_new_file_gets_every_migration_and_safe_pragmas(db):
    assert schema_status(db)["applied"] == known_migrations()
    assert schema_status(db)["pending"] == []
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert {"tickets", "surveys", "responses", "classifications", "comment_themes"} <= set(
        db.table_names()
    )


def test_older_file_is_upgraded_and_keeps_its_data(db_path):
    old = connect(db_path)
    migrations.apply(old, stop_before="0002_comment_classifications")
    old.execute(
        "INSERT INTO responses (dedupe_key, survey_type, score, comment, answered_at, created_at) "
        "VALUES ('k1', 'nps', 9, 'שירות מעולה', '2026-11-01T10:00:00.000Z', '2026-11-01T10:00:00.000Z')"
    )
    old.close()

    upgraded = open_db(db_path)
    assert schema_status(upgraded)["applied"] == known_migrations()
    assert upgraded.execute("SELECT score, comment FROM responses").fetchall() == [
        (9, "שירות מעולה")
    ]
    assert "classifications" in upgraded.table_names()
    assert "ix_responses_time" in {ix.name for ix in upgraded["responses"].indexes}


def test_opening_twice_applies_nothing_twice(db_path):
    open_db(db_path).close()
    again = open_db(db_path)
    names = [row[0] for row in again.execute("SELECT name FROM _sqlite_migrations")]
    assert names == known_migrations()


def test_newer_file_is_refused_with_a_clear_message(db_path):
    handle = open_db(db_path)
    handle["_sqlite_migrations"].insert(
        {"migration_set": "cxbot", "name": "0099_from_the_future", "applied_at": "2030-01-01"}
    )
    handle.close()
    with pytest.raises(SchemaTooNewError, match="newer version of cxbot.*0099_from_the_future"):
        open_db(db_path)


def test_constraints_reject_impossible_rows(db):
    with pytest.raises(Exception, match="CHECK"):
        db.execute(
            "INSERT INTO responses (dedupe_key, survey_type, score, answered_at, created_at) "
            "VALUES ('x', 'csat', 6, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')"
        )
    with pytest.raises(Exception, match="FOREIGN KEY"):
        db.execute(
            "INSERT INTO surveys (ticket_id, survey_type, recipient, due_at, created_at) "
            "VALUES (999, 'nps', 'U1', 'x', 'x')"
        )
