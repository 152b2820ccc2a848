"""A detractor score and its alert are one write: a crash cannot keep one and lose the other.

And a customer who corrects a detractor score before anyone acted withdraws
the alert: its Slack message says so and it stops counting as a follow-up.
Both through the real app over HTTP against the Slack emulator.
"""

from __future__ import annotations

import json

import pytest

from bot.serve_process import wait_until
from storage.alerts import follow_up_stats, open_follow_ups
from storage.db import open_db
from tests.scenarios.harness import RunningServer, closed, score_click

ALERTS = "C0ALERTS1"
CUSTOMER = "U0ENGLISH"
# Stands in for the process dying after the score is written and before its
# alert is: any write to the alerts table fails, as a kill at that point would.
CRASH_BEFORE_THE_ALERT = (
    "CREATE TRIGGER crash_before_the_alert BEFORE INSERT ON alerts "
    "BEGIN SELECT RAISE(ABORT, 'killed before the alert was queued'); END"
)


@pytest.fixture
def settings(settings_for):
    return settings_for(alert_channel=ALERTS)


def sent_survey(server: RunningServer, ticket: str) -> dict:
    survey_id = server.webhook(closed(ticket, survey="nps")).json()["survey_id"]
    db = open_db(server.settings.db_path, migrate=False)
    try:
        return wait_until(
            lambda: (row := db["surveys"].get(survey_id))["slack_ts"] and row, what="survey sent"
        )
    finally:
        db.close()


def click_score(server: RunningServer, emulator, survey: dict, score: int) -> int:
    """The customer clicks ``score``; returns the HTTP status Slack got for the click."""
    payload = score_click(
        CUSTOMER, survey["id"], score, survey["slack_channel"], survey["slack_ts"],
        emulator.response_url(),
    )  # fmt: skip
    return server.interaction(payload).status


def alerts_posted(emulator) -> list[dict]:
    return [c for c in emulator.calls("chat.postMessage") if c["params"]["channel"] == ALERTS]


def test_a_crash_between_the_score_and_its_alert_loses_neither(settings, emulator):
    server = RunningServer(settings).start()
    try:
        survey = sent_survey(server, "T-crash")
        db = open_db(settings.db_path, migrate=False)
        db.execute(CRASH_BEFORE_THE_ALERT)
        click_score(server, emulator, survey, 2)
        # Whatever the click got back, no detractor score may be stored without its alert.
        orphans = db.execute(
            "SELECT count(*) FROM responses r LEFT JOIN alerts a ON a.response_id = r.id "
            "WHERE a.id IS NULL"
        ).fetchone()[0]
        assert orphans == 0
    finally:
        server.stop()

    # cxbot restarts; the customer, whose click was not acknowledged, clicks again.
    db.execute("DROP TRIGGER crash_before_the_alert")
    db.close()
    restarted = RunningServer(settings).start()
    try:
        assert click_score(restarted, emulator, survey, 2) == 200
        alert = emulator.wait_for(
            "chat.postMessage", lambda c: c["params"]["channel"] == ALERTS, timeout=10
        )
        assert "Detractor: NPS 2 on ticket T-crash" in alert["params"]["text"]
    finally:
        restarted.stop()


def test_correcting_a_detractor_score_before_anyone_acted_withdraws_the_alert(settings, emulator):
    server = RunningServer(settings).start()
    try:
        survey = sent_survey(server, "T-oops")
        assert click_score(server, emulator, survey, 2) == 200
        db = open_db(settings.db_path, migrate=False)
        alert_id = wait_until(
            lambda: db.execute("SELECT id FROM alerts WHERE slack_ts IS NOT NULL").fetchone(),
            what="alert posted",
        )[0]
        assert [f["id"] for f in open_follow_ups(db, [CUSTOMER])] == [alert_id]
        assert follow_up_stats(db, None).detractors == 1

        assert click_score(server, emulator, survey, 9) == 200  # "I meant 9"
        update = emulator.wait_for(
            "chat.update",
            lambda c: c["params"]["channel"] == ALERTS and "no follow-up" in c["params"]["text"],
        )
        shown = json.dumps(update["params"]["blocks"], ensure_ascii=False)
        assert "changed their NPS score to 9" in shown
        assert "cx_alert_take" not in shown and "cx_alert_resolve" not in shown
        assert open_follow_ups(db, [CUSTOMER]) == []
        assert follow_up_stats(db, None).detractors == 0
        assert len(alerts_posted(emulator)) == 1  # updated in place, not posted again
    finally:
        server.stop()
