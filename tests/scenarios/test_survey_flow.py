"""Ticket closed → survey in Slack → click → comment, through the real app over HTTP."""

from __future__ import annotations

import time

import pytest

from bot.serve_process import wait_until
from storage.db import open_db
from tests.scenarios.harness import click, closed, modal_submission, score_click, survey_row

HEBREW = "הנציגה דנה הייתה סבלנית מאוד, אבל לקח שבוע 🙏"
PERSIAN = "پشتیبانی خیلی کند بود و می‌خواستم پولم را پس بگیرم"


def sent_survey(server, survey_id: int) -> dict:
    """Wait until the outbox has sent the survey to Slack; its row."""
    path = server.settings.db_path
    return wait_until(
        lambda: survey_row(path, survey_id)["slack_ts"] and survey_row(path, survey_id),
        what="survey sent",
    )


def answer(server, emulator, user: str, survey_id: int, sent: dict, score: int):
    """The customer clicks ``score`` on the survey message."""
    payload = score_click(
        user,
        survey_id,
        score,
        sent["slack_channel"],
        sent["slack_ts"],
        emulator.response_url(),
    )
    return server.interaction(payload)


def response_row(db_path, survey_id: int) -> dict | None:
    db = open_db(db_path, migrate=False)
    try:
        rows = list(db["responses"].rows_where("survey_id = ?", [survey_id]))
        return rows[0] if rows else None
    finally:
        db.close()


@pytest.mark.parametrize(
    ("survey", "scores", "pick"),
    [("nps", range(0, 11), 3), ("csat", range(1, 6), 5), ("ces", range(1, 8), 2)],
)
def test_happy_path_for_each_survey_type(server, emulator, survey, scores, pick):
    db_path = server.settings.db_path
    reply = server.webhook(
        closed(f"T-{survey}", survey=survey, team="billing", agent={"name": "Dana"}, tags=["vip"])
    )
    assert reply.status == 202, reply.body
    accepted = reply.json()
    assert accepted["status"] == "scheduled" and accepted["ticket_id"] == f"T-{survey}"
    survey_id = accepted["survey_id"]

    post = emulator.wait_for(
        "chat.postMessage",
        lambda c: (
            c["params"].get("metadata", {}).get("event_payload", {}).get("survey_id") == survey_id
        ),
    )
    buttons = [e for b in post["params"]["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons] == [str(s) for s in scores]
    sent = wait_until(
        lambda: (
            survey_row(db_path, survey_id)["state"] == "sent" and survey_row(db_path, survey_id)
        ),
        what="sent",
    )
    channel, ts = sent["slack_channel"], sent["slack_ts"]
    assert (sent["team"], sent["agent"], sent["tags"]) == (
        "billing",
        "Dana",
        '["vip"]',
    )  # attribution snapshot

    started = time.perf_counter()
    answer = server.interaction(
        score_click(
            "U0ENGLISH",
            survey_id,
            pick,
            channel,
            ts,
            emulator.response_url(),
        )
    )
    assert answer.status == 200 and time.perf_counter() - started < 3
    stored = response_row(db_path, survey_id)  # stored before the acknowledgement
    assert (stored["score"], stored["survey_type"], stored["team"]) == (pick, survey, "billing")
    update = emulator.wait_for("chat.update", lambda c: c["params"].get("ts") == ts)
    assert any(f"Your score: {pick}" in str(b) for b in update["params"]["blocks"])
    assert survey_row(db_path, survey_id)["state"] == "answered"


def test_second_click_changes_the_score_and_double_clicks_add_nothing(server, emulator):
    survey_id = server.webhook(closed("T-change", survey="nps")).json()["survey_id"]
    sent = sent_survey(server, survey_id)
    for score in (4, 4, 9):
        server.interaction(
            score_click(
                "U0ENGLISH",
                survey_id,
                score,
                sent["slack_channel"],
                sent["slack_ts"],
                emulator.response_url(),
            )
        )
    db = open_db(server.settings.db_path, migrate=False)
    assert db.execute(
        "SELECT count(*), max(score) FROM responses WHERE survey_id = ?", [survey_id]
    ).fetchone() == (1, 9)


def test_comment_by_modal_and_by_thread_reply_in_any_script(server, emulator):
    survey_id = server.webhook(
        closed("T-he", survey="csat", customer={"email": "NOA@example.com"})
    ).json()["survey_id"]
    post = emulator.wait_for("chat.postMessage")
    assert "עד כמה" in post["params"]["text"]  # Hebrew question for a he-IL user found by email
    assert post["params"]["text"].startswith("\u200f")  # right-to-left mark
    sent = wait_until(
        lambda: (
            survey_row(server.settings.db_path, survey_id)["slack_ts"]
            and survey_row(server.settings.db_path, survey_id)
        )
    )
    channel, ts = sent["slack_channel"], sent["slack_ts"]
    assert sent["slack_user_id"] == "U0HEBREW1"

    server.interaction(score_click("U0HEBREW1", survey_id, 2, channel, ts, emulator.response_url()))
    update = emulator.wait_for("chat.update")
    assert any(
        e.get("action_id") == "cx_reason_slow"
        for b in update["params"]["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    )

    server.interaction(
        click("U0HEBREW1", "cx_comment", str(survey_id), channel, ts, emulator.response_url())
    )
    modal = emulator.wait_for("views.open")
    assert modal["params"]["view"]["private_metadata"] == str(survey_id)
    assert server.interaction(modal_submission("U0HEBREW1", survey_id, HEBREW)).status == 200
    assert response_row(server.settings.db_path, survey_id)["comment"] == HEBREW

    event = {
        "type": "message",
        "channel": channel,
        "channel_type": "im",
        "user": "U0HEBREW1",
        "text": PERSIAN,
        "ts": "1800000000.000200",
        "thread_ts": ts,
    }
    assert server.event(event, "Ev001").status == 200
    assert server.event(event, "Ev001", retry=1).status == 200  # Slack's retry of the same event
    wait_until(
        lambda: PERSIAN in (response_row(server.settings.db_path, survey_id)["comment"] or ""),
        what="reply stored",
    )
    assert response_row(server.settings.db_path, survey_id)["comment"] == f"{HEBREW}\n{PERSIAN}"
    emulator.wait_for("reactions.add")


def test_only_the_customer_can_answer(server, emulator):
    survey_id = server.webhook(closed("T-other")).json()["survey_id"]
    sent = sent_survey(server, survey_id)
    answer(server, emulator, "U0PERSIAN", survey_id, sent, 1)
    emulator.wait_for("chat.postEphemeral", lambda c: c["params"].get("user") == "U0PERSIAN")
    assert response_row(server.settings.db_path, survey_id) is None


def test_unsigned_slack_requests_are_refused(server):
    reply = server.interaction(
        score_click("U0ENGLISH", 1, 1, "D1", "1.1", "http://x"), secret="wrong"
    )
    assert reply.status == 401


def test_long_comments_are_stored_whole(server, emulator):
    survey_id = server.webhook(
        closed("T-long", survey="ces", customer={"slack_user_id": "U0CHINESE"})
    ).json()["survey_id"]
    sent = sent_survey(server, survey_id)
    answer(server, emulator, "U0CHINESE", survey_id, sent, 2)
    modal_text = ("客服态度很好，但是问题拖了三天才解决。" * 160)[:3000]  # the modal's limit
    server.interaction(modal_submission("U0CHINESE", survey_id, modal_text))
    reply_text = "לא נפתר " * 1500  # a 12,000-character DM reply
    event = {
        "type": "message",
        "channel": sent["slack_channel"],
        "channel_type": "im",
        "user": "U0CHINESE",
        "text": reply_text,
        "ts": "1800000000.000300",
        "thread_ts": sent["slack_ts"],
    }
    server.event(event, "EvLong")
    stored = wait_until(
        lambda: (
            (response_row(server.settings.db_path, survey_id)["comment"] or "").count("\n") == 1
            and response_row(server.settings.db_path, survey_id)
        )
    )
    assert stored["comment"] == f"{modal_text}\n{reply_text.strip()}"
    assert len(stored["comment"]) == 3000 + 1 + len(reply_text.strip())


def test_comments_are_classified_within_seconds(server, emulator):
    survey_id = server.webhook(closed("T-nlp", survey="csat")).json()["survey_id"]
    sent = sent_survey(server, survey_id)
    answer(server, emulator, "U0ENGLISH", survey_id, sent, 1)
    server.interaction(
        modal_submission(
            "U0ENGLISH",
            survey_id,
            "Waited nine days for a reply and the refund still hasn't arrived. Terrible.",
        )
    )
    response_id = response_row(server.settings.db_path, survey_id)["id"]
    db = open_db(server.settings.db_path, migrate=False)
    started = time.monotonic()
    label = wait_until(
        lambda: db.execute(
            "SELECT sentiment, model_version FROM classifications WHERE response_id = ?",
            [response_id],
        ).fetchone(),
        timeout=30,
        what="labels",
    )
    themes = {
        row[0]
        for row in db.execute(
            "SELECT theme FROM comment_themes WHERE response_id = ?", [response_id]
        )
    }
    assert label[0] == "negative" and label[1]
    assert {"response_speed", "billing_pricing"} & themes
    assert time.monotonic() - started < 30


def test_not_for_you_in_a_channel_thread_answers_in_that_thread(server, emulator):
    """Issue 16: the "not for you" ephemeral went to the channel's main view, not the thread
    where the survey (and the button clicked) is."""
    thread = "1700000000.000100"
    body = closed("T-thread", slack_channel="C02FEEDBACK", thread_ts=thread)
    survey_id = server.webhook(body).json()["survey_id"]
    sent = sent_survey(server, survey_id)
    payload = score_click(
        "U0PERSIAN", survey_id, 1, sent["slack_channel"], sent["slack_ts"], emulator.response_url()
    )
    payload["container"]["thread_ts"] = thread  # as Slack sends a click on a threaded message
    assert server.interaction(payload).status == 200
    call = emulator.wait_for("chat.postEphemeral", lambda c: c["params"].get("user") == "U0PERSIAN")
    assert (call["params"]["channel"], call["params"]["thread_ts"]) == ("C02FEEDBACK", thread)
    assert response_row(server.settings.db_path, survey_id) is None
