"""``cxbot serve --socket``: Slack traffic over Socket Mode, end to end.

The real CLI runs as a subprocess; it opens its connection with
``apps.connections.open`` (app-level token) on the emulator and listens on the
emulator's WebSocket endpoint, which pushes envelopes the way Slack does and
hands back the app's acks. Helpdesk webhooks still arrive over HTTP.
"""

from __future__ import annotations

import json

import pytest

from bot.emulator.payloads import score_click, slash_command_fields
from bot.serve_process import ServeProcess, post, wait_until, webhook_headers
from tests.scenarios.harness import WEBHOOK_SECRET, closed, survey_row

CUSTOMER = "U0ENGLISH"  # the customer of harness.closed()
MANAGER = "U01ALICE"


@pytest.fixture
def socket_app(tmp_path, emulator):
    hub = emulator.enable_socket_mode()
    process = ServeProcess(
        {
            "SLACK_BOT_TOKEN": emulator.token,
            "SLACK_APP_TOKEN": emulator.app_token,
            "SLACK_API_URL": emulator.base_url,
            "CXBOT_DB": str(tmp_path / "cxbot.db"),
            "CXBOT_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "CXBOT_SURVEY_DELAY": "0s",
        },
        poll_interval=0.1,
        cwd=str(tmp_path),
        socket_mode=True,
    ).start()
    try:
        wait_until(lambda: hub.connections, 30, "the app to connect over Socket Mode")
        yield process, hub, tmp_path / "cxbot.db"
    finally:
        process.stop()


def _close_ticket(process: ServeProcess, ticket: str) -> int:
    body = json.dumps(closed(ticket, survey="nps")).encode()
    status, reply = post(
        f"{process.url}/webhooks/generic", body, webhook_headers(WEBHOOK_SECRET, body)
    )
    assert status == 202, reply
    return json.loads(reply)["survey_id"]


def test_survey_click_and_cx_command_travel_over_socket_mode(socket_app, emulator):
    process, hub, db_path = socket_app
    survey_id = _close_ticket(process, "T-socket-1")
    sent = wait_until(
        lambda: (row := survey_row(db_path, survey_id))["state"] == "sent" and row,
        20,
        "the survey DM",
    )
    click = score_click(
        CUSTOMER, survey_id, 10, sent["slack_channel"], sent["slack_ts"], emulator.response_url()
    )
    assert hub.send("interactive", click) == {}  # a bare ack, then the message is updated
    wait_until(
        lambda: survey_row(db_path, survey_id)["state"] == "answered", 10, "the stored score"
    )
    emulator.wait_for("chat.update", lambda call: call["params"].get("ts") == sent["slack_ts"])

    answer = hub.send(
        "slash_commands", slash_command_fields("nps 30d", MANAGER, emulator.response_url())
    )
    assert answer["response_type"] == "ephemeral"
    assert "NPS 100" in answer["text"] + json.dumps(answer.get("blocks", []))


def test_bad_cx_syntax_gets_a_usage_hint_in_the_ack(socket_app, emulator):
    _, hub, _ = socket_app
    answer = hub.send(
        "slash_commands", slash_command_fields("nps 30 days", MANAGER, emulator.response_url())
    )
    text = answer["text"] + json.dumps(answer.get("blocks", []), ensure_ascii=False)
    assert "Usage" in text and "Traceback" not in text
