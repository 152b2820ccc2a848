"""The CLI on real files: in-process through typer's CliRunner, and through the installed script.

Most tests run the commands in-process (``tests.bot.cli_run.run``, a fresh
working directory and environment per call); the ones about the installed
``cxbot`` command itself (it starts, it exits 2 on bad input without a
traceback) start the real console script.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from storage.db import open_db
from storage.responses import insert_responses
from storage.timestamps import parse_timestamp
from tests.bot.cli_run import CXBOT, installed, run
from tests.helpers import add_scores, answer


@pytest.fixture
def seeded(tmp_path):
    path = tmp_path / "seeded.db"
    db = open_db(path)
    now = datetime.now(UTC)
    # last 30 days: promoters 10,9,9 · passives 8,7 · detractors 6,0,3 → NPS 0
    add_scores(
        db, "nps", [10, 9, 9, 8, 7, 6, 0, 3], now - timedelta(days=2), team="billing", agent="dana"
    )
    # the 30 days before: 1 promoter, 2 detractors → NPS −33
    add_scores(db, "nps", [10, 2, 1], now - timedelta(days=40), team="billing", agent="dana")
    add_scores(
        db,
        "csat",
        [5, 4, 4, 1],
        now - timedelta(days=1),
        team="technical",
        agent="omar",
        tags=("bug",),
    )
    db.close()
    return path


def test_entry_point_is_installed(tmp_path):
    assert CXBOT.exists(), "pip install -e . must install the cxbot console script"
    result = installed("--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert all(command in result.stdout for command in ("metrics", "import", "serve", "nlp"))


def test_metrics_json(seeded, tmp_path):
    result = run("metrics", "nps", "--db", str(seeded), "--period", "30d", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["metric"], data["score"], data["n"]) == ("nps", 0, 8)
    assert (data["promoters"], data["passives"], data["detractors"]) == (3, 2, 3)
    assert (data["previous_score"], data["delta"]) == (-33, 33)
    assert data["ci_low"] < 0 < data["ci_high"]
    assert data["small_sample"] is True


def test_team_option_ignores_case_and_notes_an_unknown_team(seeded, tmp_path):
    args = ("metrics", "nps", "--db", str(seeded), "--period", "30d", "--json")
    mixed = run(*args, "--team", "Billing", cwd=tmp_path)
    assert json.loads(mixed.stdout)["n"] == 8 and mixed.stderr == ""
    unknown = run(*args, "--team", "biling", cwd=tmp_path)
    assert unknown.returncode == 0 and json.loads(unknown.stdout)["n"] == 0
    assert "no tickets or answers from team 'biling'; teams: billing, technical" in unknown.stderr


def test_metrics_text_shows_headline_delta_and_warning(seeded, tmp_path):
    result = run("metrics", "csat", "--db", str(seeded), "--team", "technical", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "CSAT 75%" in result.stdout
    assert "Small sample" in result.stdout
    assert "team=technical" in result.stdout


def test_no_data_shows_a_dash(seeded, tmp_path):
    result = run("metrics", "ces", "--db", str(seeded), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "CES —" in result.stdout
    assert (
        json.loads(run("metrics", "ces", "--db", str(seeded), "--json", cwd=tmp_path).stdout)[
            "score"
        ]
        is None
    )


def test_period_all_and_breakdown(seeded, tmp_path):
    result = run(
        "metrics",
        "nps",
        "--db",
        str(seeded),
        "--period",
        "all",
        "--by",
        "agent",
        "--json",
        cwd=tmp_path,
    )
    rows = json.loads(result.stdout)
    assert [(r["key"], r["n"]) for r in rows] == [("dana", 11)]


def test_bad_period_is_a_clear_error_not_a_traceback(seeded, tmp_path):
    result = installed("metrics", "nps", "--db", str(seeded), "--period", "fortnight", cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown period 'fortnight'" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_bad_setting_stops_with_its_name(seeded, tmp_path):
    result = run(
        "metrics", "nps", "--db", str(seeded), cwd=tmp_path, env={"CXBOT_TIMEZONE": "Mars/Olympus"}
    )
    assert result.returncode == 2
    assert "CXBOT_TIMEZONE" in result.stderr
    assert "Traceback" not in result.stderr


def test_database_from_dotenv(seeded, tmp_path):
    (tmp_path / ".env").write_text(f"CXBOT_DB={seeded}\n")
    result = run("metrics", "nps", "--json", cwd=tmp_path)
    assert json.loads(result.stdout)["n"] == 8


def test_db_init_info_and_newer_schema_refused(tmp_path):
    path = tmp_path / "new.db"
    assert run("db", "init", "--db", str(path), cwd=tmp_path).returncode == 0
    info = json.loads(run("db", "info", "--db", str(path), "--json", cwd=tmp_path).stdout)
    assert info["pending_migrations"] == [] and info["journal_mode"] == "wal"
    assert info["tables"]["responses"] == 0
    db = open_db(path)
    db["_sqlite_migrations"].insert(
        {"migration_set": "cxbot", "name": "0999_future", "applied_at": "x"}
    )
    db.close()
    result = run("db", "info", "--db", str(path), cwd=tmp_path)
    assert result.returncode == 2
    assert "newer version of cxbot" in result.stderr


def test_import_reports_bad_rows_and_is_idempotent(tmp_path):
    csv_file = tmp_path / "history.csv"
    csv_file.write_text(
        "ticket_id,survey,score,comment,answered_at,team,agent,tags,channel\n"
        "T1,nps,10,שירות מעולה,2026-11-01T10:00:00Z,billing,dana,vip,email\n"
        "T2,nps,12,,2026-11-01T10:00:00Z,,,,\n"
        "T3,csat,4,,2026-11-02T10:00:00Z,,,,\n",
        encoding="utf-8",
    )
    db = tmp_path / "imp.db"
    first = run("import", str(csv_file), "--db", str(db), cwd=tmp_path)
    assert first.returncode == 1, first.stderr  # good rows stored, the bad one reported
    assert "line 3: score: 12 is outside the nps scale 0–10" in first.stderr
    assert "Imported 2 new answers from 3 rows" in first.stdout
    second = run("import", str(csv_file), "--db", str(db), cwd=tmp_path)
    assert "Imported 0 new answers" in second.stdout
    assert "2 already present" in second.stdout


def test_import_of_a_file_without_required_columns_fails(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("ticket_id,comment\nT1,hello\n")
    result = run("import", str(bad), "--db", str(tmp_path / "x.db"), cwd=tmp_path)
    assert result.returncode == 2
    assert "required column" in result.stderr


def test_export_json_round_trips_through_import(seeded, tmp_path):
    out = tmp_path / "export.json"
    assert (
        run(
            "export", "--format", "json", "--output", str(out), "--db", str(seeded), cwd=tmp_path
        ).returncode
        == 0
    )
    records = json.loads(out.read_text(encoding="utf-8"))
    assert len(records) == 15
    fresh = tmp_path / "fresh.db"
    result = run("import", str(out), "--db", str(fresh), cwd=tmp_path)
    assert "Imported 15 new answers" in result.stdout and result.returncode == 0
    csv_a = run("export", "--db", str(seeded), cwd=tmp_path).stdout
    csv_b = run("export", "--db", str(fresh), cwd=tmp_path).stdout
    assert csv_a == csv_b and csv_a.startswith("ticket_id,survey,score,comment,answered_at")


def test_quick_start_sample_creates_its_own_database(tmp_path):
    result = run("metrics", "nps", "--sample", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "cxbot-sample" / "cxbot.db").exists()
    assert "NPS " in result.stdout and "NPS —" not in result.stdout
    assert "Response rate" in result.stdout


def test_surveys_list_and_retry(tmp_path):
    from storage.tickets import SurveyRules, TicketEvent, record_ticket_event

    path = tmp_path / "s.db"
    db = open_db(path)
    event = TicketEvent(
        source="generic", kind="closed", external_id="F1", customer_email="x@example.com"
    )
    survey_id = record_ticket_event(db, event, SurveyRules(), datetime.now(UTC)).survey_id
    db.execute(
        "UPDATE surveys SET state = 'failed', last_error = 'users_not_found' WHERE id = ?",
        [survey_id],
    )
    db.close()
    listed = json.loads(
        run("surveys", "--state", "failed", "--json", "--db", str(path), cwd=tmp_path).stdout
    )
    assert [(r["id"], r["reason"], r["ticket"]) for r in listed] == [
        (survey_id, "users_not_found", "F1")
    ]
    table = run(
        "surveys", "--state", "failed", "--db", str(path), cwd=tmp_path,
        env={"CXBOT_TIMEZONE": "Asia/Tehran"},
    ).stdout  # fmt: skip
    due = open_db(path)["surveys"].get(survey_id)["due_at"]
    local = parse_timestamp(due).astimezone(ZoneInfo("Asia/Tehran"))
    assert "1 survey, newest first · times in Asia/Tehran" in table
    assert f"{local:%Y-%m-%d %H:%M}" in table and "users_not_found" in table
    assert run("surveys", "--state", "bogus", "--db", str(path), cwd=tmp_path).returncode == 2
    assert run("surveys", "retry", str(survey_id), "--db", str(path), cwd=tmp_path).returncode == 0
    assert open_db(path)["surveys"].get(survey_id)["state"] == "scheduled"
    again = run("surveys", "retry", str(survey_id), "--db", str(path), cwd=tmp_path)
    assert again.returncode == 1 and "not failed/skipped" in again.stderr


def test_serve_refuses_to_start_without_slack_credentials(tmp_path):
    result = run("serve", "--port", "0", cwd=tmp_path)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr and "SLACK_SIGNING_SECRET" in result.stderr


def test_forget_through_the_cli(tmp_path):
    from storage.responses import ResponseRow, insert_responses

    path = tmp_path / "f.db"
    db = open_db(path)
    insert_responses(db, [ResponseRow("csat", 1, "2026-11-01T10:00:00.000Z", ticket_ref="A", comment="call me 0721 123 456", customer="x@example.com"),
                          ResponseRow("csat", 5, "2026-11-01T11:00:00.000Z", ticket_ref="B", comment="great", customer="y@example.com")])  # fmt: skip
    db.close()
    result = run("forget", "--customer", "x@example.com", "--db", str(path), cwd=tmp_path)
    assert result.returncode == 0 and "1 answers, 1 comments deleted" in result.stdout
    assert [r[0] for r in open_db(path).execute("SELECT customer FROM responses")] == [
        "y@example.com"
    ]


def test_digest_list_preview_and_send_now(tmp_path):
    from bot.emulator import SlackEmulator
    from storage.subscriptions import subscribe

    path = tmp_path / "d.db"
    db = open_db(path)
    now = datetime.now(UTC)
    add_scores(db, "nps", [10, 9, 2], now - timedelta(days=7), team="billing")
    subscription = subscribe(
        db, "U01ALICE", "C02FEEDBACK", 0, "09:00", "Europe/Bucharest", "billing", now
    )
    db.close()
    listed = run("digest", "list", "--db", str(path), cwd=tmp_path)
    assert (
        f"#{subscription}: every Mon at 09:00 (Europe/Bucharest)" in listed.stdout
        and "last sent never" in listed.stdout
    )
    preview = run("digest", "preview", "--team", "billing", "--db", str(path), cwd=tmp_path)
    assert (
        preview.returncode == 0
        and "Weekly CX digest" in preview.stdout
        and "team=billing" in preview.stdout
    )
    assert (
        run("digest", "send", "--db", str(path), cwd=tmp_path).returncode == 2
    )  # --now is required
    with SlackEmulator() as emulator:
        emulator.invite("C02FEEDBACK")  # the digest channel, as an admin would
        env = {"SLACK_BOT_TOKEN": emulator.token, "SLACK_API_URL": emulator.base_url}
        sent = run(
            "digest",
            "send",
            "--now",
            "--subscription",
            str(subscription),
            "--db",
            str(path),
            cwd=tmp_path,
            env=env,
        )
        assert sent.returncode == 0, sent.stderr
        [message] = [
            m for m in emulator.messages("C02FEEDBACK") if "Weekly CX digest" in m.get("text", "")
        ]
        assert any(f["content"][:4] == b"\x89PNG" for f in emulator.files())
    assert (
        open_db(path).execute("SELECT sent_week FROM digest_subscriptions").fetchone()[0]
        is not None
    )


def test_text_from_customers_is_printed_as_written_not_as_markup(tmp_path):
    """Comments and team names come from outside: '[/tmp]' crashed rich, '[bold]' vanished."""
    path = tmp_path / "m.db"
    db = open_db(path)
    last_week = datetime.now(UTC) - timedelta(days=7)
    comment = "Export fails with [/tmp] full & the [bold] <b> button does nothing"
    insert_responses(db, [answer("nps", 2, last_week, ticket="T1", comment=comment, team="[ops]")])
    response_id = db.execute("SELECT id FROM responses").fetchone()[0]
    db.execute(
        "INSERT INTO classifications (response_id, sentiment, model_version, classified_at) "
        "VALUES (?, 'negative', 't', 'x')",
        [response_id],
    )
    db.conn.commit()
    db.close()
    preview = run("digest", "preview", "--db", str(path), cwd=tmp_path)
    assert preview.returncode == 0, preview.stderr
    assert comment in preview.stdout
    by_team = run(
        "metrics", "nps", "--db", str(path), "--period", "30d", "--by", "team", cwd=tmp_path
    )
    assert by_team.returncode == 0, by_team.stderr
    assert "[ops]" in by_team.stdout
    assert "NPS by team · 30d · all teams" in by_team.stdout  # the title says what it covers
