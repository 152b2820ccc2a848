"""Helpdesk-provided text and literal ``< > &`` reach Slack escaped (issue 16).

Every ``/cx`` subcommand, an alert, a survey, its reminder and its expiry run through the real
app against the emulator with a ticket id, team, agent and comment full of mrkdwn control
characters; nothing sent may hold them outside Slack's codes. (The root conftest scans every
other test's traffic the same way.)
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.slack_client import delivery_client
from storage.alerts import queue_alert
from storage.db import open_db
from storage.responses import ResponseRow, insert_responses
from storage.tickets import SurveyRules, TicketEvent, record_ticket_event
from storage.timestamps import to_db
from tests.mrkdwn_scan import problems
from tests.scenarios.harness import RunningServer, slack_pass, slash
from tests.scenarios.test_delivery import POLICY

ADMIN = "U0ADMIN01"
TICKET = "ZD<1>&2"
SUBCOMMANDS = [
    "", "help", "nps 30d", "csat 30d", "ces 30d", "comments 30d", "themes 30d", "agents 30d",
    "teams 30d", "at-risk 30d", "ops 30d", "customer emma@example.com", "trend 12", "digest preview",
    "digest list", "npx", "comments theme=shipping", "nps team=R&D", "customer", "nps fortnight",
]  # fmt: skip


def seed(db_path) -> list[int]:
    db = open_db(db_path)
    now = datetime.now(UTC)
    rows = [
        ResponseRow(
            "nps",
            score,
            to_db(now - timedelta(days=2, minutes=i)),
            ticket_ref=f"{TICKET}-{i}",
            comment="<!channel> R&D > sales",
            team="R&D",
            agent="A<b>",
            customer="emma@example.com",
        )  # fmt: skip
        for i, score in enumerate((2, 1, 9))
    ]
    insert_responses(db, rows)
    db.execute(
        "INSERT INTO tickets (source, external_id, agent_name, team, customer_email, status, "
        "updated_at) VALUES ('zendesk', ?, 'A<b>', 'R&D', 'emma@example.com', 'closed', 'x')",
        [TICKET],
    )
    ids = [r[0] for r in db.execute("SELECT id FROM responses WHERE score <= 6")]
    db.close()
    return ids


@pytest.fixture
def cx(settings_for, emulator):
    settings = settings_for(admins=ADMIN)
    detractors = seed(settings.db_path)
    running = RunningServer(settings).start()

    def run(text: str) -> dict:
        reply = running.slack(
            slash(text, ADMIN, emulator.response_url(), "C01GENERAL"),
            "application/x-www-form-urlencoded",
        )
        assert reply.status == 200, reply.body
        return reply.json() if reply.body else {}

    run.settings, run.detractors = settings, detractors
    yield run
    running.stop()


def test_every_subcommand_escapes_what_it_shows(cx, emulator):
    replies = [{"method": "ack", "params": {"body": cx(text)}} for text in SUBCOMMANDS]
    time_for_late_answers = emulator.calls()  # trend's chart and any late respond()
    assert problems(replies + time_for_late_answers) == []
    shown = json.dumps([r["params"]["body"] for r in replies])
    assert "ZD&lt;1&gt;&amp;2" in shown  # the hostile id was shown, escaped
    assert "email | @user" in shown and "&lt;email | @user&gt;" in shown
    assert "&lt; 30" in shown  # the small-sample warning


def test_alerts_surveys_reminders_and_expiries_escape_ticket_ids(cx, emulator):
    db = open_db(cx.settings.db_path)
    client = delivery_client(cx.settings, timeout=2)
    for response_id in cx.detractors:
        queue_alert(db, response_id, "C02FEEDBACK", datetime.now(UTC))
    event = TicketEvent(
        source="generic", kind="closed", external_id=TICKET, customer_slack_id="U0ENGLISH",
        survey_type="nps",
    )  # fmt: skip
    record_ticket_event(
        db, event, SurveyRules(delay=timedelta(0)), datetime.now(UTC) - timedelta(seconds=1)
    )
    now = datetime.now(UTC)
    assert slack_pass(client, db, POLICY, now=now).get("sent") == 1
    assert slack_pass(client, db, POLICY, now=now + timedelta(hours=25)).get("reminded") == 1
    assert slack_pass(client, db, POLICY, now=now + timedelta(days=8)).get("expired") == 1
    sent = emulator.calls("chat.postMessage") + emulator.calls("chat.update")
    assert problems(sent) == []
    texts = json.dumps([c["params"] for c in sent])
    assert texts.count("ZD&lt;1&gt;&amp;2") >= 4  # alerts, survey, reminder, expiry
    db.close()
