"""The outbox against the Slack emulator: faults retried or recorded, restarts lose nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.jobs.surveys import SurveyPolicy
from bot.slack_client import delivery_client
from storage.db import open_db
from storage.surveys import record_score, retry_survey
from storage.tickets import SurveyRules, TicketEvent, record_ticket_event
from tests.scenarios.harness import RunningServer, score_click, slack_pass

RULES = SurveyRules(delay=timedelta(0))
POLICY = SurveyPolicy(expires_after=timedelta(days=7), reminder_after=timedelta(hours=24))


@pytest.fixture
def setup(settings_for):
    settings = settings_for()
    db = open_db(settings.db_path)
    yield db, delivery_client(settings, timeout=2)
    db.close()


def schedule(db, ticket: str, **customer) -> int:
    customer = customer or {"customer_slack_id": "U0ENGLISH"}
    event = TicketEvent(
        source="generic", kind="closed", external_id=ticket, survey_type="nps", **customer
    )
    return record_ticket_event(db, event, RULES, datetime.now(UTC) - timedelta(seconds=1)).survey_id


def state(db, survey_id: int) -> dict:
    return db["surveys"].get(survey_id)


def test_rate_limit_is_honoured_then_sent(setup, emulator):
    db, client = setup
    survey_id = schedule(db, "R1")
    emulator.fail("chat.postMessage", mode="ratelimit", count=1, retry_after=1)
    assert slack_pass(client, db, POLICY) == {"sent": 1}
    statuses = [c["status"] for c in emulator.calls("chat.postMessage")]
    assert statuses == [429, 200]
    assert state(db, survey_id)["state"] == "sent"


def test_server_errors_are_retried_with_backoff(setup, emulator):
    db, client = setup
    survey_id = schedule(db, "R2")
    emulator.fail("chat.postMessage", status=500, count=2)
    assert slack_pass(client, db, POLICY) == {"sent": 1}
    assert [c["status"] for c in emulator.calls("chat.postMessage")] == [500, 500, 200]
    assert len(emulator.messages()) == 1
    assert state(db, survey_id)["state"] == "sent"


@pytest.mark.parametrize("fault", [{"status": 503}, {"mode": "timeout", "delay": 3}])
def test_an_outage_is_recorded_and_the_survey_goes_out_later(settings_for, emulator, fault):
    settings = settings_for()
    db = open_db(settings.db_path)
    client = delivery_client(settings, timeout=1)
    survey_id = schedule(db, "R3")
    emulator.fail("chat.postMessage", **fault)
    assert slack_pass(client, db, POLICY) == {"retry": 1}
    row = state(db, survey_id)
    assert row["state"] == "scheduled" and row["attempts"] == 1
    assert row["last_error"]  # the reason is recorded (HTTP 503, or the timeout)
    assert row["due_at"] > datetime.now(UTC).isoformat()[:19]  # pushed back by the backoff
    emulator.clear_faults()
    assert slack_pass(client, db, POLICY, now=datetime.now(UTC) + timedelta(minutes=2)) == {
        "sent": 1
    }
    assert state(db, survey_id)["state"] == "sent" and len(emulator.messages()) == 1


@pytest.mark.parametrize(
    ("customer", "reason"),
    [
        ({"customer_slack_id": "U0BOTUSER"}, "cannot_dm_bot"),
    ],
)
def test_permanent_errors_fail_with_the_reason_and_can_be_retried(
    setup, emulator, customer, reason
):
    db, client = setup
    survey_id = schedule(db, "P1", **customer)
    assert slack_pass(client, db, POLICY) == {"failed": 1}
    assert (state(db, survey_id)["state"], state(db, survey_id)["last_error"]) == ("failed", reason)
    assert retry_survey(db, survey_id, datetime.now(UTC))
    assert state(db, survey_id)["state"] == "scheduled"


def test_a_customer_not_in_slack_is_skipped_with_the_reason_and_can_be_retried(setup, emulator):
    """Issue 15 item 4: a customer the workspace does not have (users_not_found) is not a
    delivery failure but a survey that cannot be sent: skipped, code not_in_slack."""
    db, client = setup
    survey_id = schedule(db, "P1", customer_email="nobody@example.com")
    assert slack_pass(client, db, POLICY) == {"skipped": 1}
    row = state(db, survey_id)
    assert (row["state"], row["skip_code"], row["last_error"]) == (
        "skipped",
        "not_in_slack",
        None,
    )
    assert row["skip_reason"] == (
        "no Slack account for the customer's email at @example.com in this workspace: "
        "cxbot surveys in Slack only (invite them as a guest or through Slack Connect)"
    )
    assert "nobody" not in row["skip_reason"]  # the address itself stays the recipient's
    assert retry_survey(db, survey_id, datetime.now(UTC))
    assert state(db, survey_id)["state"] == "scheduled"
    assert state(db, survey_id)["skip_code"] is None


def test_a_channel_thread_instead_of_a_dm(setup, emulator):
    db, client = setup
    event = TicketEvent(
        source="generic", kind="closed", external_id="TH", customer_slack_id="U0ENGLISH",
        slack_channel="C02FEEDBACK", thread_ts="1700000000.000100",
    )  # fmt: skip
    record_ticket_event(db, event, RULES, datetime.now(UTC) - timedelta(seconds=1))
    slack_pass(client, db, POLICY)
    post = emulator.calls("chat.postMessage")[-1]
    assert (post["params"]["channel"], post["params"]["thread_ts"]) == (
        "C02FEEDBACK",
        "1700000000.000100",
    )


def test_a_survey_in_a_private_shared_channel_is_resent_after_an_outage(setup, emulator):
    """The resend check reads the channel's history (conversations.history): in a private
    channel that needs groups:history, and missing_scope there failed the survey for good."""
    db, client = setup
    emulator.add_channel(
        "G0SHARED1", "ext-acme", is_private=True, members=[emulator.bot_user_id, "U0ENGLISH"]
    )
    event = TicketEvent(
        source="generic", kind="closed", external_id="PRIV", customer_slack_id="U0ENGLISH",
        slack_channel="G0SHARED1", thread_ts="1700000000.000100",
    )  # fmt: skip
    survey_id = record_ticket_event(db, event, RULES, datetime.now(UTC) - timedelta(seconds=1))
    emulator.fail("chat.postMessage", status=503)
    assert slack_pass(client, db, POLICY) == {"retry": 1}
    emulator.clear_faults()
    later = datetime.now(UTC) + timedelta(minutes=2)
    assert slack_pass(client, db, POLICY, now=later) == {"sent": 1}
    [history] = emulator.calls("conversations.history")
    assert (history["params"]["channel"], history["status"], history["response"]["ok"]) == (
        "G0SHARED1", 200, True,
    )  # fmt: skip
    assert state(db, survey_id.survey_id)["state"] == "sent"
    assert len(emulator.messages("G0SHARED1")) == 1


def test_reminder_once_then_expiry_disables_the_buttons(setup, emulator):
    db, client = setup
    survey_id = schedule(db, "X1")
    slack_pass(client, db, POLICY)
    later = datetime.now(UTC) + timedelta(hours=25)
    assert slack_pass(client, db, POLICY, now=later) == {"reminded": 1}
    assert slack_pass(client, db, POLICY, now=later) == {}
    reminder = emulator.calls("chat.postMessage")[-1]["params"]
    assert (
        reminder["thread_ts"] == state(db, survey_id)["slack_ts"] and "Reminder" in reminder["text"]
    )
    expired_at = datetime.now(UTC) + timedelta(days=8)
    assert slack_pass(client, db, POLICY, now=expired_at) == {"expired": 1}
    update = emulator.calls("chat.update")[-1]["params"]
    assert all(block["type"] != "actions" for block in update["blocks"])
    assert state(db, survey_id)["state"] == "expired"
    assert record_score(db, survey_id, 9, expired_at).status == "closed"


def test_reopened_before_sending_is_skipped(setup, emulator):
    db, client = setup
    survey_id = schedule(db, "RO")
    event = TicketEvent(
        source="generic", kind="reopened", external_id="RO", customer_slack_id="U0ENGLISH"
    )
    record_ticket_event(db, event, RULES, datetime.now(UTC))
    assert slack_pass(client, db, POLICY) == {}
    assert state(db, survey_id)["state"] == "skipped"
    assert emulator.calls("chat.postMessage") == []


def test_restart_with_pending_surveys_loses_nothing_and_sends_once(settings_for, emulator):
    settings = settings_for()
    emulator.fail("chat.postMessage", status=500)  # Slack is down while webhooks arrive
    first = RunningServer(settings).start()
    ids = [first.webhook({"event": "ticket.closed", "ticket_id": f"K{i}", "customer": {"slack_user_id": "U0ENGLISH"}, "survey": s}).json()["survey_id"]
           for i, s in enumerate(("nps", "csat", "ces"))]  # fmt: skip
    first.stop()
    db = open_db(settings.db_path)
    assert [state(db, i)["state"] for i in ids] == ["scheduled"] * 3
    db.execute("UPDATE surveys SET due_at = '2000-01-01T00:00:00.000Z'")  # skip the backoff wait
    emulator.clear_faults()
    second = RunningServer(settings).start()
    try:
        emulator.wait_for(
            "chat.postMessage",
            lambda c: (
                c["status"] == 200
                and c["params"]["metadata"]["event_payload"]["survey_id"] == ids[-1]
            ),
        )
        import time

        time.sleep(0.5)  # a few more worker passes: nothing may be sent twice
        delivered = [m for m in emulator.messages() if m.get("metadata")]
        assert sorted(m["metadata"]["event_payload"]["survey_id"] for m in delivered) == ids
        sent = state(db, ids[0])
        reply = second.interaction(
            score_click(
                "U0ENGLISH",
                ids[0],
                10,
                sent["slack_channel"],
                sent["slack_ts"],
                emulator.response_url(),
            )
        )
        assert reply.status == 200
        assert db.execute(
            "SELECT score FROM responses WHERE survey_id = ?", [ids[0]]
        ).fetchone() == (10,)
    finally:
        second.stop()


def test_nothing_goes_out_before_the_delay(settings_for, emulator):
    settings = settings_for()
    db = open_db(settings.db_path)
    client = delivery_client(settings, timeout=2)
    event = TicketEvent(
        source="generic", kind="closed", external_id="D1", customer_slack_id="U0ENGLISH"
    )
    now = datetime.now(UTC)
    record_ticket_event(db, event, SurveyRules(delay=timedelta(minutes=10)), now)
    assert slack_pass(client, db, POLICY, now=now + timedelta(minutes=9)) == {}
    assert emulator.calls("chat.postMessage") == []
    assert slack_pass(client, db, POLICY, now=now + timedelta(minutes=10)) == {"sent": 1}


def test_cx_answers_from_the_database_during_a_slack_outage(settings_for, emulator):
    from tests.scenarios.harness import slash

    settings = settings_for()
    emulator.fail("*", status=500)  # Slack is down from the very first request
    running = RunningServer(settings).start()
    try:
        reply = running.slack(
            slash("nps 30d", "U01ALICE", emulator.response_url()),
            "application/x-www-form-urlencoded",
        )
        assert reply.status == 200 and "NPS —" in reply.json()["text"]
        hook = running.webhook(
            {
                "event": "ticket.closed",
                "ticket_id": "OUT1",
                "customer": {"slack_user_id": "U0ENGLISH"},
            }
        )
        assert hook.status == 202  # webhooks are still accepted and queued
    finally:
        running.stop()
    db = open_db(settings.db_path)
    assert db.execute("SELECT state FROM surveys").fetchone() == ("scheduled",)  # queued, not lost


def test_a_crash_after_slack_accepted_the_survey_does_not_send_it_twice(setup, emulator):
    from storage.surveys import claim_due, release_claims

    db, client = setup
    survey_id = schedule(db, "CRASH1")
    [claimed] = claim_due(db, datetime.now(UTC))  # the sender claimed it…
    dm = client.conversations_open(users="U0ENGLISH")["channel"]["id"]
    client.chat_postMessage(
        channel=dm,
        text="survey",
        metadata={"event_type": "cxbot_survey", "event_payload": {"survey_id": survey_id}},
    )
    # …Slack accepted the message, and the process died before recording it.
    assert state(db, survey_id)["state"] == "scheduled"
    assert release_claims(db) == 1  # what a restarted worker does first
    assert slack_pass(client, db, POLICY) == {"sent": 1}
    assert len([m for m in emulator.messages() if m.get("metadata")]) == 1
    row = state(db, survey_id)
    assert row["state"] == "sent" and row["slack_ts"] == emulator.messages()[0]["ts"]


def test_the_retention_job_prunes_old_comments_on_schedule(settings_for, emulator):
    from bot.jobs.retention import PruneComments, RetentionPolicy
    from bot.scheduler import JobRunner
    from storage.responses import ResponseRow, insert_responses
    from storage.timestamps import to_db

    settings = settings_for()
    db = open_db(settings.db_path)
    insert_responses(
        db,
        [
            ResponseRow(
                "nps",
                2,
                to_db(datetime.now(UTC) - timedelta(days=400)),
                ticket_ref="OLD",
                comment="old words",
            )
        ],
    )
    worker = JobRunner(
        PruneComments(RetentionPolicy(keep=timedelta(days=365))),
        lambda: open_db(settings.db_path),
    )
    worker.run_once(db)
    assert db.execute("SELECT comment, score FROM responses").fetchone() == (None, 2)
    insert_responses(
        db,
        [
            ResponseRow(
                "nps",
                3,
                to_db(datetime.now(UTC) - timedelta(days=500)),
                ticket_ref="OLD2",
                comment="more",
            )
        ],
    )
    worker.run_once(db)  # within the hour: not pruned again yet
    assert db.execute("SELECT comment FROM responses WHERE ticket_ref = 'OLD2'").fetchone() == (
        "more",
    )


def test_a_stopping_server_ends_the_pass_and_hands_the_rest_back(setup, emulator, settings_for):
    """During a Slack outage each survey takes seconds of retries: shutdown waited for all of them.

    The scheduler gives the surveys job its stop signal; once it is set, the surveys
    claimed but not yet tried go back to the queue, still due, the attempt not counted.
    """
    from bot.jobs.surveys import SendSurveys
    from bot.scheduler import JobRunner

    db, client = setup
    people = ("U0ENGLISH", "U0HEBREW1", "U0PERSIAN")  # three customers: no cooldown between them
    ids = [schedule(db, f"S{i}", customer_slack_id=user) for i, user in enumerate(people)]
    assert [state(db, i)["state"] for i in ids] == ["scheduled"] * 3
    job = SendSurveys(client, POLICY)
    runner = JobRunner(job, lambda: open_db(settings_for().db_path))  # wires its stop signal
    assert job.stopping() is False
    runner.signal_stop()
    assert job.stopping() is True
    answers = iter([False, True, True])  # stop after the first survey
    job.stopping = lambda: next(answers)
    assert job.run(db, datetime.now(UTC)) == {"sent": 1}
    rows = [state(db, i) for i in ids]
    assert [r["state"] for r in rows] == ["sent", "scheduled", "scheduled"]
    assert [(r["attempts"], r["claimed_at"]) for r in rows[1:]] == [(0, None), (0, None)]
