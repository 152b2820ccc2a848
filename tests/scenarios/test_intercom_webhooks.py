"""Intercom notifications, signed as Intercom signs them, through a real ``cxbot serve``.

Fixtures are shared/helpdesks.md §4.2's examples (tests/webhooks/intercom_fixtures.py);
the key is the app's client secret (CXBOT_INTERCOM_SECRET), not the generic webhook secret.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from bot.helpdesk_emulator import HelpdeskEmulator
from storage.db import open_db
from tests.scenarios.harness import WEBHOOK_SECRET, Reply, RunningServer, http
from tests.webhooks import intercom_fixtures as fx


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "http_proxy",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def hd() -> Iterator[HelpdeskEmulator]:
    with HelpdeskEmulator() as emulator:
        yield emulator


def serve(settings_for, **overrides) -> RunningServer:
    return RunningServer(settings_for(intercom_secret=fx.CLIENT_SECRET, **overrides)).start()


@pytest.fixture
def server(settings_for) -> Iterator[RunningServer]:
    running = serve(settings_for, survey_delay="1h")
    yield running
    running.stop()


@pytest.fixture
def with_api(settings_for, hd) -> Iterator[RunningServer]:
    """CXBOT_INTERCOM_TOKEN/URL pointing at the emulator: contacts can be looked up."""
    running = serve(settings_for, intercom_token=hd.intercom_token, intercom_url=hd.url("intercom"))
    yield running
    running.stop()


def send(server: RunningServer, payload: dict | bytes, signature: str | None = None) -> Reply:
    body = payload if isinstance(payload, bytes) else fx.body_of(payload)
    headers = {"Content-Type": "application/json",
               "User-Agent": "intercom-parrot-service-client/1.0",
               "X-Hub-Signature": signature or fx.signature(body)}  # fmt: skip
    return http("POST", f"{server.url}/webhooks/intercom", body, headers)


def rows(server: RunningServer, sql: str, *params) -> list[tuple]:
    db = open_db(server.settings.db_path, migrate=False)
    try:
        return db.execute(sql, list(params)).fetchall()
    finally:
        db.close()


def survey_of(server: RunningServer, conversation: str) -> tuple:
    [row] = rows(
        server,
        "SELECT s.state, s.recipient, s.customer_ref, s.skip_code, s.skip_reason FROM surveys s "
        "JOIN tickets t ON t.id = s.ticket_id WHERE t.source = 'intercom' AND t.external_id = ?",
        conversation,
    )
    return row


def stored(server: RunningServer) -> tuple[int, int, int]:
    [row] = rows(
        server,
        "SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM surveys),"
        " (SELECT count(*) FROM webhook_events)",
    )
    return row


def test_the_documented_closure_schedules_a_survey_for_the_contact(server):
    reply = send(server, fx.closed())
    assert (reply.status, reply.json()["status"]) == (202, "scheduled"), reply.json()
    assert survey_of(server, "215473052") == (
        "scheduled",
        "ana@example.com",
        fx.CONTACT_ID,
        None,
        None,
    )
    [ticket] = rows(
        server,
        "SELECT customer_email, customer_ref, customer_name, agent_name, team, channel, created_at,"
        " closed_at FROM tickets",
    )
    assert ticket == (
        "ana@example.com",
        fx.CONTACT_ID,
        "Ana Pop",
        "Cordelia",
        None,
        "conversation",
        "2025-01-08T09:53:20.000Z",
        "2025-01-08T11:00:00.000Z",
    )


@pytest.mark.parametrize("topic", ["conversation.admin.opened", "conversation.user.replied"])
def test_a_reopen_cancels_the_pending_survey(server, topic):
    send(server, fx.closed())
    reply = send(server, fx.reopened(topic))
    assert (reply.status, reply.json()["reason"]) == (
        202,
        "ticket reopened before the survey was sent",
    )
    assert survey_of(server, "215473052")[0::3] == ("skipped", "reopened")
    assert rows(server, "SELECT status, reopen_count FROM tickets") == [("open", 1)]


def test_a_customer_reply_on_a_conversation_never_seen_closed_stores_nothing(server):
    reply = send(server, fx.reopened("conversation.user.replied"))
    assert (reply.status, reply.json()["status"]) == (202, "skipped")
    assert "never closed" in reply.json()["reason"]
    assert stored(server) == (0, 0, 0)


@pytest.mark.parametrize(
    ("topic", "state", "reason"),
    [
        ("conversation.admin.snoozed", "snoozed", "'conversation.admin.snoozed' is not"),
        ("conversation.admin.assigned", "open", "'conversation.admin.assigned' is not"),
        ("conversation.admin.closed", "snoozed", "snoozed now, not closed"),
    ],
)
def test_other_status_changes_are_acknowledged_and_say_what_they_were(server, topic, state, reason):
    payload = fx.closed()
    payload["topic"] = topic
    fx.item(payload)["state"] = state
    reply = send(server, payload)
    assert (reply.status, reply.json()["status"]) == (202, "skipped")
    assert reason in reply.json()["reason"]
    assert stored(server) == (0, 0, 0)


def test_a_ping_is_acknowledged(server):
    reply = send(server, fx.ping())
    assert (reply.status, reply.json()["status"]) == (202, "skipped")
    assert "ping" in reply.json()["reason"]
    assert stored(server) == (0, 0, 0)


def test_the_url_check_head_needs_no_signature(server):
    assert http("HEAD", f"{server.url}/webhooks/intercom").status == 200


def test_an_agent_initiated_conversation_is_not_surveyed_at_the_admin(server):
    reply = send(server, fx.admin_initiated())
    assert (reply.status, reply.json()["status"]) == (202, "skipped")
    state, recipient, ref, code, reason = survey_of(server, "215473052")
    assert (state, recipient, ref, code) == (
        "skipped",
        f"intercom:{fx.CONTACT_ID}",
        fx.CONTACT_ID,
        "no_customer",
    )
    assert "cordelia" not in json.dumps(rows(server, "SELECT * FROM surveys"))
    assert reason == reply.json()["reason"]
    assert "set CXBOT_INTERCOM_TOKEN" in reason


def test_an_agent_initiated_conversation_with_credentials_is_looked_up_later(with_api):
    reply = send(with_api, fx.admin_initiated())
    assert (reply.status, reply.json()["status"]) == (202, "scheduled"), reply.json()
    assert survey_of(with_api, "215473052")[:3] == (
        "scheduled",
        f"intercom:{fx.CONTACT_ID}",
        fx.CONTACT_ID,
    )


def test_a_lead_without_email_is_accepted_and_skipped_with_what_to_do(server):
    reply = send(server, fx.lead_without_email())
    assert reply.status == 202, reply.json()
    assert reply.json()["reason"] == (
        "Intercom contact 6762f0d01bb69f9f2193cc01 has no email in the payload: set "
        "CXBOT_INTERCOM_TOKEN (and CXBOT_INTERCOM_URL for an EU or AU workspace) to look it up"
    )
    assert survey_of(server, "215473099")[0::3] == ("skipped", "no_customer")
    assert rows(server, "SELECT status, customer_ref FROM tickets") == [
        ("closed", "6762f0d01bb69f9f2193cc01")
    ]  # the ticket still counts for /cx ops


def test_a_lead_without_email_with_credentials_is_scheduled_by_contact_id(with_api):
    reply = send(with_api, fx.lead_without_email())
    assert (reply.status, reply.json()["status"]) == (202, "scheduled"), reply.json()
    assert survey_of(with_api, "215473099")[:3] == (
        "scheduled",
        "intercom:6762f0d01bb69f9f2193cc01",
        "6762f0d01bb69f9f2193cc01",
    )


def test_the_legacy_1x_shape_is_a_closure_for_its_user(server):
    reply = send(server, fx.legacy_closed())
    assert (reply.status, reply.json()["status"]) == (202, "scheduled"), reply.json()
    assert survey_of(server, "20346051345")[:3] == (
        "scheduled",
        "eeshan@example.com",
        "5c65b3b4a3a0e93b4e7b2e19",
    )


@pytest.mark.parametrize(
    "signature",
    [
        fx.signature(fx.body_of(fx.closed()), WEBHOOK_SECRET),  # the generic secret, not the app's
        fx.signature(b"{}"),  # another body
        "sha256=" + "0" * 64,  # Jira's scheme
        "",
    ],
)
def test_a_bad_signature_is_401_and_stores_nothing(server, signature):
    body = fx.body_of(fx.closed())
    headers = {"Content-Type": "application/json"}
    if signature:
        headers["X-Hub-Signature"] = signature
    reply = http("POST", f"{server.url}/webhooks/intercom", body, headers)
    assert reply.status == 401, reply.body
    assert stored(server) == (0, 0, 0)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"ticket": {"id": 1, "status": "solved"}}, "type: Field required"),
        ({**fx.closed(), "data": {"type": "notification_event_data"}}, "data.item: Field required"),
        (
            {**fx.closed(), "data": {"item": {"type": "conversation", "state": "closed"}}},
            "data.item.id: Field required",
        ),
    ],
)
def test_a_body_that_is_not_intercoms_is_400_naming_the_field(server, payload, field):
    reply = send(server, payload)
    assert reply.status == 400
    assert reply.json()["error"].startswith(field), reply.json()
    assert stored(server) == (0, 0, 0)
