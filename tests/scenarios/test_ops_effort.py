"""``/cx ops`` effort lines through the real app: signed slash commands over HTTP, real SQLite."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.formatting import NO_DATA
from storage.db import open_db
from tests.effort_data import CURRENT, add_ticket, seed_effort
from tests.scenarios.harness import RunningServer, slash

ADMIN = "U0ADMIN01"


@pytest.fixture
def ops(settings_for, emulator):
    settings = settings_for(admins=ADMIN)
    running = RunningServer(settings).start()

    def run(text: str) -> str:
        reply = running.slack(
            slash(text, ADMIN, emulator.response_url(), "C01GENERAL"),
            "application/x-www-form-urlencoded",
        )
        assert reply.status == 200, reply.body
        message = reply.json()
        return json.dumps(message.get("blocks", []), ensure_ascii=False) + message.get("text", "")

    run.db_path = settings.db_path
    yield run
    running.stop()


def seeded(db_path, seed) -> None:
    db = open_db(db_path)
    try:
        seed(db)
    finally:
        db.close()


def test_ops_shows_handle_time_contacts_one_touch_and_csat_by_contacts(ops):
    now = datetime.now(UTC)
    seeded(ops.db_path, lambda db: seed_effort(db, now, now - timedelta(days=30)))
    body = ops("ops 30d team=technical")
    assert "Tickets closed: *5 (previous period 2)*" in body
    assert "Median handle time: *20m 00s (previous period 35m 00s)* · n = 3 (previous 2)" in body
    assert "Mean handle time: *26m 40s (previous period 35m 00s)* · n = 3 (previous 2)" in body
    assert "Contacts per resolution: *2.5 (previous period 2)* · n = 4 (previous 2)" in body
    assert "One-touch resolution: *50% (previous period 0%)* · n = 4 (previous 2)" in body
    assert "CSAT by number of contacts" in body
    assert "• 1 contact: 100% (n = 1; previous period 100%, n = 1)" in body
    assert "• 2 contacts: 50% (n = 2; previous period —, n = 0)" in body
    assert "• 3 contacts: — (n = 0; previous period 0%, n = 1)" in body
    assert "• 4+ contacts: 0% (n = 1; previous period —, n = 0)" in body


def test_ops_without_a_previous_period_and_across_teams(ops):
    now = datetime.now(UTC)
    seeded(ops.db_path, lambda db: seed_effort(db, now, now - timedelta(days=30)))
    body = ops("ops 7d")  # the current tickets only; nothing closed in the 7 days before
    # E1..E5 and B1: 600, 1200, 3000, 99999 → median 2100 s; contacts 1,2,5,2,10 → 4
    assert "Median handle time: *35m 00s* · n = 4" in body
    assert "Contacts per resolution: *4* · n = 5" in body
    assert "One-touch resolution: *40%* · n = 5" in body
    assert "previous period" not in body.split("Effort", 1)[1]


def test_no_data_when_the_source_never_gives_a_figure(ops):
    now = datetime.now(UTC)

    def bare(db) -> None:  # closed tickets with answers, but no figure at all
        for days, (ref, team, *_rest, csat) in enumerate(CURRENT[:3], start=1):
            add_ticket(db, (ref, team, None, None, None, 0, csat), now - timedelta(days=days))
        db.conn.commit()

    seeded(ops.db_path, bare)
    body = ops("ops 30d")
    assert "Tickets closed: *3" in body
    for name in ("Median handle time", "Mean handle time", "Contacts per resolution"):
        assert f"{name}: *{NO_DATA}* · n = 0" in body
    assert f"One-touch resolution: *{NO_DATA}* · n = 0" in body
    assert f"CSAT by number of contacts*\\n{NO_DATA}" in body
    assert "0s" not in body and "0%" not in body.split("Effort", 1)[1]
