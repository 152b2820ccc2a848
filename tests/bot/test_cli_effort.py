"""``cxbot metrics ops``: the effort lines and their JSON, on a real database file."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from storage.db import open_db
from storage.timestamps import to_db
from tests.bot.cli_run import run
from tests.effort_data import seed_effort


def seeded(tmp_path):
    path = tmp_path / "effort.db"
    db = open_db(path)
    now = datetime.now(UTC)
    seed_effort(db, now, now - timedelta(days=30))
    db.close()
    return path


def test_metrics_ops_prints_the_effort_lines(tmp_path):
    path = seeded(tmp_path)
    result = run("metrics", "ops", "--db", str(path), "--team", "technical", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Median handle time: 20m 00s (previous period 35m 00s) · n = 3 (previous 2)" in out
    assert "Mean handle time: 26m 40s (previous period 35m 00s) · n = 3 (previous 2)" in out
    assert "Contacts per resolution: 2.5 (previous period 2) · n = 4 (previous 2)" in out
    assert "One-touch resolution: 50% (previous period 0%) · n = 4 (previous 2)" in out
    assert "CSAT by number of contacts" in out
    assert "• 4+ contacts: 0% (n = 1; previous period —, n = 0)" in out


def test_metrics_ops_json_has_the_effort_figures(tmp_path):
    path = seeded(tmp_path)
    args = ("metrics", "ops", "--db", str(path), "--team", "technical", "--json")
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    effort, before = data["effort"], data["previous_effort"]
    assert (
        effort["median_handle_time_seconds"] == 1200 and effort["mean_handle_time_seconds"] == 1600
    )
    assert (effort["handle_time_n"], effort["contacts_n"], effort["one_touch_n"]) == (3, 4, 4)
    assert (effort["contacts_per_resolution"], effort["one_touch_rate"]) == (2.5, 50)
    by_contacts = {b["contacts"]: (b["score"], b["n"]) for b in effort["by_contacts"]}
    assert by_contacts == {"1": (100, 1), "2": (50, 2), "3": (None, 0), "4+": (0, 1)}
    assert (before["median_handle_time_seconds"], before["one_touch_rate"]) == (2100, 0)


def test_metrics_ops_says_no_data_without_figures(tmp_path):
    path = tmp_path / "bare.db"
    db = open_db(path)
    db.execute(
        "INSERT INTO tickets (source, external_id, closed_at, status, updated_at) "
        "VALUES ('zendesk', '1', ?, 'closed', 'x')",
        [to_db(datetime.now(UTC) - timedelta(days=1))],
    )
    db.conn.commit()
    db.close()
    result = run("metrics", "ops", "--db", str(path), "--json", cwd=tmp_path)
    data = json.loads(result.stdout)
    effort = data["effort"]
    assert data["tickets_closed"] == 1  # the ticket counts; it just has no figures
    assert (
        effort["median_handle_time_seconds"] is None and effort["contacts_per_resolution"] is None
    )
    assert effort["one_touch_rate"] is None and effort["handle_time_n"] == 0
    text = run("metrics", "ops", "--db", str(path), cwd=tmp_path).stdout
    assert "Median handle time: — · n = 0" in text and "One-touch resolution: — · n = 0" in text
