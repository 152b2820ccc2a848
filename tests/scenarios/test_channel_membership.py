"""Alerts and digests in a channel the bot was never invited to (issue 16).

Installing the app puts the bot in no channel. Slack refuses its posts there:
``not_in_channel`` for a public channel (cxbot joins it with ``channels:join`` and
posts again) and ``channel_not_found`` for a private one (only a member can invite the
bot: the error and that fix are recorded and shown in ``/healthz``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.serve_process import wait_until
from bot.slack_client import delivery_client
from storage.db import open_db
from storage.subscriptions import subscribe
from tests.scenarios.harness import RunningServer, closed, http, score_click, slack_pass

CUSTOMER = "U0ENGLISH"
MANAGER = "U01ALICE"
PUBLIC = "C0NOBOTPUB"  # a public channel nobody invited @cxbot to
PRIVATE = "G0NOBOTPRV"  # a private one
MONDAY = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # 09:00 in Bucharest


def _detractor(server: RunningServer, emulator, ticket: str) -> None:
    """A customer answers a survey with a 2: the detractor alert is queued."""
    survey_id = server.webhook(closed(ticket, survey="nps")).json()["survey_id"]
    db = open_db(server.settings.db_path, migrate=False)
    try:
        survey = wait_until(
            lambda: (row := db["surveys"].get(survey_id))["slack_ts"] and row, what="survey sent"
        )
    finally:
        db.close()
    payload = score_click(
        CUSTOMER, survey["id"], 2, survey["slack_channel"], survey["slack_ts"],
        emulator.response_url(),
    )  # fmt: skip
    assert server.interaction(payload).status == 200


def test_an_alert_joins_a_public_channel_the_bot_was_not_invited_to(settings_for, emulator):
    settings = settings_for(alert_channel=PUBLIC)
    server = RunningServer(settings).start()
    try:
        _detractor(server, emulator, "T-pub")
        emulator.wait_for(
            "chat.postMessage", lambda c: c["params"]["channel"] == PUBLIC and c["response"]["ok"]
        )
        health = http("GET", f"{server.url}/healthz").json()
    finally:
        server.stop()
    [join] = emulator.calls("conversations.join")
    assert (join["params"]["channel"], join["response"]["ok"]) == (PUBLIC, True)
    [alert] = emulator.messages(PUBLIC)
    assert "Detractor" in alert["text"]
    assert health["channels"] == []


def test_an_alert_for_a_private_channel_records_the_fix_and_healthz_shows_it(
    settings_for, emulator
):
    emulator.add_channel(PRIVATE, "cx-alerts", is_private=True, members=[MANAGER])
    settings = settings_for(alert_channel=PRIVATE)
    server = RunningServer(settings).start()
    try:
        _detractor(server, emulator, "T-prv")
        db = open_db(settings.db_path, migrate=False)
        error = wait_until(
            lambda: db.execute("SELECT last_error FROM alerts").fetchone()[0],
            what="the alert's error",
        )
        health = http("GET", f"{server.url}/healthz").json()
    finally:
        server.stop()
    assert error.startswith("channel_not_found: invite @cxbot to <#G0NOBOTPRV>")
    assert emulator.messages(PRIVATE) == []
    assert health["channels"] == [{"channel": PRIVATE, "for": "alerts", "error": error}]


def test_a_digest_joins_a_public_channel_and_its_chart_follows(settings_for, emulator):
    settings = settings_for()
    db = open_db(settings.db_path)
    subscribe(db, MANAGER, PUBLIC, 0, "09:00", "Europe/Bucharest", None, MONDAY - timedelta(days=1))
    assert slack_pass(delivery_client(settings, timeout=2), db, now=MONDAY)["digests"] == 1
    assert [c["params"]["channel"] for c in emulator.calls("conversations.join")] == [PUBLIC]
    assert "Weekly CX digest" in emulator.messages(PUBLIC)[0]["text"]
    [chart] = emulator.files()
    assert chart["channels"] == [PUBLIC]
    assert db.execute("SELECT last_error FROM digest_subscriptions").fetchone()[0] is None


def test_a_digest_for_a_private_channel_records_the_fix_and_healthz_shows_it(
    settings_for, emulator
):
    emulator.add_channel(PRIVATE, "cx-weekly", is_private=True, members=[MANAGER])
    settings = settings_for()
    db = open_db(settings.db_path)
    sub = subscribe(
        db, MANAGER, PRIVATE, 0, "09:00", "Europe/Bucharest", None, MONDAY - timedelta(days=1)
    )
    assert slack_pass(delivery_client(settings, timeout=2), db, now=MONDAY).get("digests") is None
    error = db.execute("SELECT last_error FROM digest_subscriptions").fetchone()[0]
    assert error.startswith("channel_not_found: invite @cxbot to <#G0NOBOTPRV>")
    server = RunningServer(settings).start()
    try:
        health = http("GET", f"{server.url}/healthz").json()
    finally:
        server.stop()
    assert health["channels"] == [{"channel": PRIVATE, "for": f"digest {sub}", "error": error}]


def _subscribe(server: RunningServer, emulator, channel: str, name: str) -> dict:
    from tests.scenarios.harness import slash

    body = slash(f"digest subscribe <#{channel}|{name}>", MANAGER, emulator.response_url())
    return server.slack(body, "application/x-www-form-urlencoded").json()


def test_subscribing_a_private_channel_the_bot_is_not_in_says_so_at_once(settings_for, emulator):
    """Issue 16: the digest failed every Monday instead; now nothing is stored and the fix is given."""
    emulator.add_channel(PRIVATE, "cx-leads", is_private=True, members=[MANAGER])
    server = RunningServer(settings_for()).start()
    try:
        reply = _subscribe(server, emulator, PRIVATE, "cx-leads")
    finally:
        server.stop()
    assert "private channel cxbot is not in" in reply["text"]
    assert "/invite @cxbot" in reply["text"]
    db = open_db(server.settings.db_path, migrate=False)
    try:
        assert db["digest_subscriptions"].count == 0
    finally:
        db.close()


def test_subscribing_a_public_channel_joins_it_now(settings_for, emulator):
    emulator.add_channel(PUBLIC, "cx-weekly")
    server = RunningServer(settings_for()).start()
    try:
        reply = _subscribe(server, emulator, PUBLIC, "cx-weekly")
    finally:
        server.stop()
    assert "Subscribed to the weekly CX digest" in reply["text"]
    assert [c["params"]["channel"] for c in emulator.calls("conversations.join")] == [PUBLIC]
    assert emulator.bot_user_id in emulator.state.channels[PUBLIC]["members"]
