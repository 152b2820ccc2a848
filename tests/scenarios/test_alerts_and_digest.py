"""Detractor alerts, their buttons and modals, and /cx digest — through the real app over HTTP."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.emulator.payloads import view_submission
from bot.serve_process import wait_until
from bot.slack_client import delivery_client
from storage.db import open_db
from tests.helpers import add_scores
from tests.scenarios.harness import RunningServer, click, score_click, slack_pass, slash

ALERTS = "C0ALERTS1"
MANAGER = "U01ALICE"


@pytest.fixture
def alerting(settings_for, emulator):
    settings = settings_for(
        alert_channel=ALERTS, ticket_url="https://help.example.com/tickets/{id}"
    )
    running = RunningServer(settings).start()
    yield running
    running.stop()


def answered_detractor(
    server, emulator, ticket="T-det", customer: dict | None = None
) -> tuple[int, dict]:
    body = {
        "event": "ticket.closed",
        "ticket_id": ticket,
        "customer": customer or {"slack_user_id": "U0ENGLISH"},
        "survey": "nps",
        "agent": {"name": "Dana"},
        "team": "billing",
    }
    survey_id = server.webhook(body).json()["survey_id"]
    db = open_db(server.settings.db_path, migrate=False)
    sent = wait_until(
        lambda: db["surveys"].get(survey_id)["slack_ts"] and db["surveys"].get(survey_id),
        what="survey sent",
    )
    server.interaction(
        score_click(
            "U0ENGLISH",
            survey_id,
            2,
            sent["slack_channel"],
            sent["slack_ts"],
            emulator.response_url(),
        )
    )
    return survey_id, sent


def test_detractor_alert_with_comment_and_each_button(alerting, emulator):
    server = alerting
    survey_id, sent = answered_detractor(server, emulator)
    alert = emulator.wait_for("chat.postMessage", lambda c: c["params"]["channel"] == ALERTS)
    text = json.dumps(alert["params"]["blocks"], ensure_ascii=False)
    assert (
        "Detractor: NPS 2" in text
        and "Agent Dana" in text
        and "<https://help.example.com/tickets/T-det|T-det>" in text
    )
    assert "U0ENGLISH" in text and "I'll follow up" in text
    db = open_db(server.settings.db_path, migrate=False)
    alert_id = db.execute("SELECT id FROM alerts").fetchone()[0]
    alert_ts = wait_until(lambda: db["alerts"].get(alert_id)["slack_ts"], what="alert ts")

    # the customer's comment arrives: the alert is updated with it
    event = {
        "type": "message",
        "channel": sent["slack_channel"],
        "channel_type": "im",
        "user": "U0ENGLISH",
        "text": "Nobody answered for a week",
        "ts": "1800000000.000500",
        "thread_ts": sent["slack_ts"],
    }
    server.event(event, "EvAlert1")
    emulator.wait_for(
        "chat.update",
        lambda c: (
            c["params"]["channel"] == ALERTS
            and "Nobody answered" in json.dumps(c["params"]["blocks"])
        ),
    )

    # "I'll follow up": owner recorded, the alert shows it, a second taker is told
    server.interaction(
        {
            **click(
                MANAGER, "cx_alert_take", str(alert_id), ALERTS, alert_ts, emulator.response_url()
            )
        }
    )
    assert wait_until(lambda: db["alerts"].get(alert_id)["owner"]) == MANAGER
    emulator.wait_for(
        "chat.update",
        lambda c: f"<@{MANAGER}> is following up" in json.dumps(c["params"]["blocks"]),
    )
    server.interaction(
        click("U02BOB", "cx_alert_take", str(alert_id), ALERTS, alert_ts, emulator.response_url())
    )
    emulator.wait_for(
        "chat.postEphemeral",
        lambda c: c["params"]["user"] == "U02BOB" and "already following up" in c["params"]["text"],
    )
    assert db["alerts"].get(alert_id)["owner"] == MANAGER

    # "Resolved": modal, outcome and note recorded
    server.interaction(
        click(MANAGER, "cx_alert_resolve", str(alert_id), ALERTS, alert_ts, emulator.response_url())
    )
    emulator.wait_for(
        "views.open", lambda c: c["params"]["view"]["callback_id"] == "cx_alert_resolve_modal"
    )
    values = {
        "outcome": {"value": {"type": "static_select", "selected_option": {"value": "contacted"}}},
        "note": {
            "value": {"type": "plain_text_input", "value": "Called, apologised, gave a credit"}
        },
    }
    assert (
        server.interaction(
            view_submission(MANAGER, "cx_alert_resolve_modal", str(alert_id), values)
        ).status
        == 200
    )
    row = db["alerts"].get(alert_id)
    assert (row["outcome"], row["note"], row["resolved_by"]) == (
        "contacted",
        "Called, apologised, gave a credit",
        MANAGER,
    )
    emulator.wait_for("chat.update", lambda c: "Resolved by" in json.dumps(c["params"]["blocks"]))

    # "Wrong theme": the correction is stored for retraining and replaces the labels
    server.interaction(
        click(MANAGER, "cx_alert_relabel", str(alert_id), ALERTS, alert_ts, emulator.response_url())
    )
    emulator.wait_for(
        "views.open", lambda c: c["params"]["view"]["callback_id"] == "cx_alert_relabel_modal"
    )
    values = {
        "themes": {
            "value": {
                "type": "checkboxes",
                "selected_options": [{"value": "response_speed"}, {"value": "communication"}],
            }
        },
        "sentiment": {"value": {"type": "static_select", "selected_option": {"value": "negative"}}},
    }
    server.interaction(view_submission(MANAGER, "cx_alert_relabel_modal", str(alert_id), values))
    response_id = db["alerts"].get(alert_id)["response_id"]
    correction = db.execute(
        "SELECT themes, sentiment, corrected_by FROM corrections WHERE response_id = ?",
        [response_id],
    ).fetchone()
    assert correction == ('["communication", "response_speed"]', "negative", MANAGER)
    assert sorted(
        r[0]
        for r in db.execute("SELECT theme FROM comment_themes WHERE response_id = ?", [response_id])
    ) == ["communication", "response_speed"]

    # close-the-loop figures in /cx nps
    reply = server.slack(
        slash("nps 30d", MANAGER, emulator.response_url()), "application/x-www-form-urlencoded"
    ).json()
    shown = json.dumps(reply, ensure_ascii=False)
    assert "Closing the loop: 1 of 1 NPS detractor alert followed up (100%)" in shown
    assert "; 1 resolved" in shown


def test_a_reply_with_slack_codes_is_stored_as_typed_and_cannot_ping_the_alert_channel(
    alerting, emulator
):
    server = alerting
    survey_id, sent = answered_detractor(server, emulator, ticket="T-ping")
    db = open_db(server.settings.db_path, migrate=False)
    # the alert is up before the comment comes, so the comment arrives as its update
    wait_until(
        lambda: db.execute("SELECT 1 FROM alerts WHERE slack_ts IS NOT NULL").fetchone(),
        what="alert posted",
    )
    # what Slack sends when the customer types "@channel", a link and "&"
    slack_text = "<!channel> refund &amp; apology <https://evil.example/x|your invoice>"
    event = {
        "type": "message",
        "channel": sent["slack_channel"],
        "channel_type": "im",
        "user": "U0ENGLISH",
        "text": slack_text,
        "ts": "1800000000.000700",
        "thread_ts": sent["slack_ts"],
    }
    server.event(event, "EvPing1")
    update = emulator.wait_for(
        "chat.update",
        lambda c: (
            c["params"]["channel"] == ALERTS and "refund" in json.dumps(c["params"]["blocks"])
        ),
    )
    shown = json.dumps(update["params"]["blocks"], ensure_ascii=False)
    assert "<!channel>" not in shown and "<https://evil" not in shown
    assert "@channel refund &amp; apology your invoice (https://evil.example/x)" in shown
    stored = db.execute(
        "SELECT comment FROM responses WHERE survey_id = ?", [survey_id]
    ).fetchone()[0]
    assert stored == "@channel refund & apology your invoice (https://evil.example/x)"


@pytest.mark.parametrize(
    ("customer", "shown"),
    [
        ({"slack_user_id": "U0ENGLISH"}, "Customer <@U0ENGLISH>"),
        ({"email": "emma@example.com"}, "Customer <@U0ENGLISH>"),  # looked up by email
    ],
)
def test_the_alert_names_the_customer_as_a_mention(alerting, emulator, customer, shown):
    """Issue 16: the alert showed a raw id (or only the email) where Slack can show the person."""
    answered_detractor(alerting, emulator, customer=customer)
    alert = emulator.wait_for("chat.postMessage", lambda c: c["params"]["channel"] == ALERTS)
    assert shown in json.dumps(alert["params"]["blocks"], ensure_ascii=False)


def test_promoters_raise_no_alert(alerting, emulator):
    body = {
        "event": "ticket.closed",
        "ticket_id": "T-pro",
        "customer": {"slack_user_id": "U0ENGLISH"},
        "survey": "csat",
    }
    survey_id = alerting.webhook(body).json()["survey_id"]
    db = open_db(alerting.settings.db_path, migrate=False)
    sent = wait_until(
        lambda: db["surveys"].get(survey_id)["slack_ts"] and db["surveys"].get(survey_id)
    )
    alerting.interaction(
        score_click(
            "U0ENGLISH",
            survey_id,
            5,
            sent["slack_channel"],
            sent["slack_ts"],
            emulator.response_url(),
        )
    )
    emulator.wait_for("chat.update")
    time.sleep(0.3)
    assert db["alerts"].count == 0


def test_alert_survives_a_slack_outage(settings_for, emulator):
    settings = settings_for(alert_channel=ALERTS)
    db = open_db(settings.db_path)
    from storage.alerts import queue_alert
    from storage.responses import ResponseRow, insert_responses
    from storage.timestamps import to_db

    insert_responses(db, [ResponseRow("nps", 1, to_db(datetime.now(UTC)), ticket_ref="X")])
    queue_alert(db, db.execute("SELECT id FROM responses").fetchone()[0], ALERTS, datetime.now(UTC))
    client = delivery_client(settings, timeout=2)
    emulator.fail("chat.postMessage", status=503)
    slack_pass(client, db)
    row = db.execute("SELECT slack_ts, needs_update, attempts, last_error FROM alerts").fetchone()
    assert row[0] is None and row[1] == 1 and row[2] == 1 and row[3]
    emulator.clear_faults()
    assert slack_pass(client, db) == {"alerts": 1}


def test_digest_subscribe_list_preview_unsubscribe(settings_for, emulator):
    settings = settings_for()
    running = RunningServer(settings).start()
    try:

        def cx(text):
            return running.slack(
                slash(text, MANAGER, emulator.response_url()), "application/x-www-form-urlencoded"
            ).json()

        reply = cx("digest subscribe <#C02FEEDBACK|cx-feedback> day=mon time=09:00 team=billing")
        # the subscriber's Slack time zone is the default
        assert (
            "every Mon at 09:00 (Europe/Bucharest) to <#C02FEEDBACK>, team billing" in reply["text"]
        )
        assert "Europe/Bucharest" in cx("digest list")["text"]
        # once answers name teams, a team is matched to them: case ignored, typos refused
        add_scores(open_db(settings.db_path), "nps", [9], datetime.now(UTC), team="billing")
        assert "team billing" in cx("digest subscribe team=Billing")["text"]
        typo = cx("digest subscribe team=biling")["text"]
        assert (
            "no tickets or answers from team='biling'; teams: billing" in typo and "Usage" in typo
        )
        bad = cx("digest subscribe time=9pm")
        assert "time must look like 09:00" in bad["text"] and "Usage" in bad["text"]
        assert "Weekly CX digest" in json.dumps(cx("digest preview"), ensure_ascii=False)
        assert "Stopped 2" in cx("digest unsubscribe")["text"]
        db = open_db(settings.db_path)
        assert {r[0] for r in db.execute("SELECT active FROM digest_subscriptions")} == {0}
    finally:
        running.stop()


def test_scheduled_digest_goes_out_once_with_its_chart(settings_for, emulator):
    from storage.subscriptions import subscribe

    settings = settings_for()
    db = open_db(settings.db_path)
    subscribe(db, MANAGER, "C02FEEDBACK", 0, "09:00", "Europe/Bucharest", None, datetime.now(UTC))
    client = delivery_client(settings, timeout=2)
    monday = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # 09:00 in Bucharest
    assert slack_pass(client, db, now=monday - timedelta(minutes=1)).get("digests") is None
    assert slack_pass(client, db, now=monday)["digests"] == 1
    assert slack_pass(client, db, now=monday + timedelta(minutes=5)).get("digests") is None
    posted = emulator.calls("chat.postMessage")[-1]["params"]
    assert posted["channel"] == "C02FEEDBACK" and "Weekly CX digest" in posted["text"]
    [chart] = emulator.files()
    assert chart["content"][:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "step", ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]
)
def test_a_failed_chart_upload_never_reposts_the_digest(settings_for, emulator, step):
    """Issue 16: the chart failed after the message went out, the week stayed unsent, and the
    digest was posted again every 2 minutes all week. Now the week is sent once, the chart is
    tried again alone (bounded) and the message says it is missing."""
    from storage.subscriptions import subscribe

    settings = settings_for()
    db = open_db(settings.db_path)
    subscribe(db, MANAGER, "C02FEEDBACK", 0, "09:00", "Europe/Bucharest", None, datetime.now(UTC))
    client = delivery_client(settings, timeout=2)
    monday = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    emulator.fail(step, status=200 if step != "upload" else 500, mode="slack_error"
                  if step != "upload" else "error", error="internal_error")  # fmt: skip
    assert slack_pass(client, db, now=monday)["digests"] == 1
    for later in (timedelta(minutes=3), timedelta(minutes=30), timedelta(days=2)):
        assert slack_pass(client, db, now=monday + later).get("digests") is None
    [posted] = emulator.messages("C02FEEDBACK")
    assert "Weekly CX digest" in posted["text"]
    assert "chart could not be attached" in json.dumps(posted["blocks"])
    reason = "HTTP Error 500" if step == "upload" else "slack: internal_error"
    assert reason in json.dumps(posted["blocks"])
    assert len(emulator.calls("files.getUploadURLExternal")) == 2  # retried alone, bounded
    [[week, error]] = db.execute("SELECT sent_week, last_error FROM digest_subscriptions")
    assert week == "2026-W48" and error.startswith("chart not attached: ") and reason in error


def test_digest_chart_carries_alt_text(settings_for, emulator):
    """Issue 16: the chart reached screen readers undescribed (no alt_txt)."""
    from storage.subscriptions import subscribe

    settings = settings_for()
    db = open_db(settings.db_path)
    add_scores(db, "nps", [9, 9, 9], datetime(2026, 11, 18, 10, tzinfo=UTC))
    subscribe(db, MANAGER, "C02FEEDBACK", 0, "09:00", "Europe/Bucharest", None, datetime.now(UTC))
    slack_pass(
        delivery_client(settings, timeout=2), db, now=datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    )
    [step1] = emulator.calls("files.getUploadURLExternal")
    alt = step1["params"]["alt_txt"]
    assert (
        alt.startswith("Line chart: NPS, 12 weeks to 2026-W47 · all teams. W36 no answers;")
        and "W47 100 (n=3)" in alt
    )
    assert len(alt) <= 1000


def test_a_dead_bot_token_leaves_the_alert_pending_and_it_goes_out_later(settings_for, emulator):
    """account_inactive means the app was uninstalled: the alert is not failed for good."""
    from bot.jobs.alerts import AlertPolicy, PublishAlerts
    from bot.slack_client import TokenHealth
    from storage.alerts import queue_alert
    from storage.responses import ResponseRow, insert_responses
    from storage.timestamps import to_db

    settings = settings_for(alert_channel=ALERTS)
    db = open_db(settings.db_path)
    insert_responses(db, [ResponseRow("nps", 1, to_db(datetime.now(UTC)), ticket_ref="X")])
    queue_alert(db, db.execute("SELECT id FROM responses").fetchone()[0], ALERTS, datetime.now(UTC))
    clock = [0.0]
    token = TokenHealth(probe_every=60, clock=lambda: clock[0])
    job = PublishAlerts(delivery_client(settings, timeout=2), AlertPolicy(), token)
    emulator.fail("chat.postMessage", mode="slack_error", error="account_inactive", count=1)
    assert job.run(db, datetime.now(UTC)) == {}
    row = db.execute("SELECT slack_ts, needs_update, attempts FROM alerts").fetchone()
    assert row == (None, 1, 0) and token.error == "account_inactive"
    assert job.run(db, datetime.now(UTC)) == {}  # paused: no call until the probe is due
    assert len(emulator.calls("chat.postMessage")) == 1
    clock[0] = 61.0  # auth.test passes again
    assert job.run(db, datetime.now(UTC)) == {"alerts": 1}
