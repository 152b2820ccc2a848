"""A dead bot token (issue 16): ``account_inactive`` means the app was uninstalled, not that one
customer is gone. Sending stops, every survey stays queued, ``/healthz`` and the log say so; a
deactivated customer (``user_disabled``, ``deleted: true``) is that one survey, skipped with why."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot.jobs.surveys import SendSurveys
from bot.serve_process import wait_until
from bot.slack_client import TokenHealth, delivery_client
from storage.db import open_db
from tests.scenarios.harness import RunningServer, closed, http, slack_pass
from tests.scenarios.test_delivery import POLICY, schedule, state

DEACTIVATED = (
    "the customer's Slack account is deactivated (user_disabled): "
    "nothing to send unless a Slack admin reactivates it"
)


@pytest.fixture
def setup(settings_for):
    settings = settings_for()
    db = open_db(settings.db_path)
    yield db, delivery_client(settings, timeout=2)
    db.close()


@pytest.mark.parametrize("method", ["users.info", "conversations.open", "chat.postMessage"])
def test_account_inactive_stops_sending_and_keeps_every_survey_queued(setup, emulator, method):
    db, client = setup
    customers = ["U0ENGLISH", "U0HEBREW1", "U0CHINESE"]
    ids = [schedule(db, f"T{n}", customer_slack_id=user) for n, user in enumerate(customers)]
    emulator.fail(method, mode="slack_error", error="account_inactive")
    token = TokenHealth()
    assert SendSurveys(client, POLICY, token=token).run(db, datetime.now(UTC)) == {}
    assert len(emulator.calls(method)) == 1  # the first refusal stops the pass
    rows = [state(db, survey_id) for survey_id in ids]
    assert [(r["state"], r["attempts"], r["claimed_at"]) for r in rows] == [
        ("scheduled", 0, None)
    ] * 3
    assert "account_inactive" in rows[0]["last_error"]
    assert token.error == "account_inactive"
    emulator.clear_faults()
    assert slack_pass(client, db, POLICY) == {"sent": 3}


def test_a_dead_token_pauses_until_auth_test_passes_again(setup, emulator, caplog):
    db, client = setup
    schedule(db, "T1")
    clock = [0.0]
    token = TokenHealth(probe_every=60, clock=lambda: clock[0])
    job = SendSurveys(client, POLICY, token=token)
    emulator.fail("chat.postMessage", mode="slack_error", error="account_inactive", count=1)
    with caplog.at_level(logging.INFO, logger="cxbot.slack"):
        assert job.run(db, datetime.now(UTC)) == {}
        clock[0] = 30.0
        assert job.run(db, datetime.now(UTC)) == {}  # no probe yet, nothing sent
        assert emulator.calls("auth.test") == []
        clock[0] = 61.0
        assert job.run(db, datetime.now(UTC)) == {"sent": 1}
    assert len(emulator.calls("auth.test")) == 1
    [dead] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "account_inactive" in dead.getMessage() and "reinstall cxbot" in dead.getMessage()
    assert any("works again" in r.getMessage() for r in caplog.records)


def test_healthz_says_the_token_is_dead_while_surveys_wait(settings_for, emulator):
    emulator.fail("users.info", mode="slack_error", error="account_inactive")
    running = RunningServer(settings_for()).start()
    try:
        assert running.webhook(closed("H1")).json()["status"] == "scheduled"
        wait_until(
            lambda: http("GET", f"{running.url}/healthz").json()["slack_token"] != "ok",
            what="the dead token in /healthz",
        )
        health = http("GET", f"{running.url}/healthz").json()
        db = open_db(running.settings.db_path, migrate=False)
        [[survey_state]] = db.execute("SELECT state FROM surveys").fetchall()
        db.close()
    finally:
        running.stop()
    assert health["status"] == "degraded" and survey_state == "scheduled"
    assert health["slack_token"].startswith(
        "the Slack bot token no longer works (account_inactive)"
    )
    assert "SLACK_BOT_TOKEN" in health["slack_token"]


def test_healthy_token_in_healthz(server):
    health = http("GET", f"{server.url}/healthz").json()
    assert (health["status"], health["slack_token"]) == ("ok", "ok")


def test_user_disabled_skips_that_survey_with_the_reason(setup, emulator):
    db, client = setup
    disabled, fine = schedule(db, "D1"), schedule(db, "D2", customer_slack_id="U0HEBREW1")
    emulator.fail("conversations.open", mode="slack_error", error="user_disabled", count=1)
    assert slack_pass(client, db, POLICY) == {"skipped": 1, "sent": 1}
    row = state(db, disabled)
    assert (row["state"], row["skip_code"], row["skip_reason"]) == (
        "skipped",
        "deactivated",
        DEACTIVATED,
    )
    assert state(db, fine)["state"] == "sent"


def test_a_deleted_user_is_skipped_as_deactivated(setup, emulator):
    db, client = setup
    emulator.state.users["U0ENGLISH"]["deleted"] = True
    survey_id = schedule(db, "D3")
    assert slack_pass(client, db, POLICY, now=datetime.now(UTC) + timedelta(seconds=1)) == {
        "skipped": 1
    }
    row = state(db, survey_id)
    assert (row["skip_code"], row["skip_reason"]) == ("deactivated", DEACTIVATED)
    assert emulator.calls("chat.postMessage") == []
