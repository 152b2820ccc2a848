"""Skipped surveys are visible (issue 15 item 4): ``/healthz`` counts the last 7 days by
reason code and ``cxbot surveys --state skipped`` lists them with counts by reason, from
what a real ``cxbot serve`` stored and skipped."""

from __future__ import annotations

from bot.serve_process import wait_until
from storage.db import open_db
from tests.bot.cli_run import run as cli
from tests.scenarios.harness import RunningServer, closed, http
from tests.webhooks.zendesk_fixtures import SOLVED_EVENT, encode, zendesk_headers

NO_CUSTOMER = (
    "requester has no email in the payload (Zendesk events carry only detail.requester_id): "
    "set CXBOT_ZENDESK_URL, CXBOT_ZENDESK_EMAIL and CXBOT_ZENDESK_TOKEN to look it up"
)
NOT_IN_SLACK = (
    "no Slack account for the customer's email at @example.com in this workspace: "
    "cxbot surveys in Slack only (invite them as a guest or through Slack Connect)"
)


def states(db_path) -> list[tuple]:
    db = open_db(db_path, migrate=False)
    try:
        return db.execute("SELECT state, skip_code FROM surveys ORDER BY id").fetchall()
    finally:
        db.close()


def test_healthz_and_the_cli_count_skipped_surveys_by_reason(settings_for, tmp_path):
    running = RunningServer(settings_for()).start()
    try:
        body = encode(SOLVED_EVENT)  # no Zendesk API credentials: skipped at intake
        secret = running.settings.source_secret("zendesk") or ""
        zendesk = http(
            "POST", f"{running.url}/webhooks/zendesk", body, zendesk_headers(body, secret)
        )
        assert zendesk.status == 202 and zendesk.json()["status"] == "skipped"
        for ticket in ("N1", "N2"):  # customers Slack does not know: skipped by the surveys job
            reply = running.webhook(closed(ticket, customer={"email": f"{ticket}@example.com"}))
            assert reply.status == 202 and reply.json()["status"] == "scheduled"
        expected = [
            ("skipped", "no_customer"),
            ("skipped", "not_in_slack"),
            ("skipped", "not_in_slack"),
        ]
        wait_until(lambda: states(running.settings.db_path) == expected, what="three skips")
        health = http("GET", f"{running.url}/healthz").json()
    finally:
        running.stop()
    assert health["skipped_7d"] == {"not_in_slack": 2, "no_customer": 1}
    assert health["queue"] == {"due": 0, "oldest_due_age_seconds": 0.0}

    path = str(running.settings.db_path)
    listed = cli("surveys", "--state", "skipped", "--db", path, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    lines = [" ".join(line.split()) for line in listed.stdout.splitlines()]
    assert "3 surveys, newest first · times in UTC" in listed.stdout
    assert "Skipped surveys by reason (all time)" in listed.stdout
    table = listed.stdout[listed.stdout.index("Skipped surveys by reason") :]
    flat = " ".join(table.split())
    assert "not_in_slack 2 " + NOT_IN_SLACK in flat
    assert "no_customer 1 " + NO_CUSTOMER in flat
    assert any(line.startswith("1 skipped csat") and "zendesk:5158" in line for line in lines)
    # The failed-only listing has no skip counts.
    assert (
        "Skipped surveys"
        not in cli("surveys", "--state", "failed", "--db", path, cwd=tmp_path).stdout
    )
