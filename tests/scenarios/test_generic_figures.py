"""The generic webhook's optional ticket figures and customer details, over real HTTP."""

from __future__ import annotations

import pytest

from storage.db import open_db

CLOSED = {"event": "ticket.closed", "ticket_id": "77", "customer": {"email": "emma@example.com"}}


def ticket_row(db_path) -> dict:
    db = open_db(db_path, migrate=False)
    try:
        return next(db.query("SELECT * FROM tickets"))
    finally:
        db.close()


def test_figures_and_customer_details_are_stored(server):
    body = {
        **CLOSED,
        "customer": {"email": "emma@example.com", "name": "Emma Stone", "locale": "en-GB"},
        "customer_replies": 2,
        "agent_replies": 1,
        "handle_time_seconds": 0,  # a real 0 (an auto-closed ticket) stays 0
    }
    assert server.webhook(body).status == 202
    row = ticket_row(server.settings.db_path)
    assert (row["customer_replies"], row["agent_replies"], row["handle_time_seconds"]) == (2, 1, 0)
    assert (row["customer_name"], row["customer_locale"]) == ("Emma Stone", "en-GB")


def test_figures_left_out_stay_unknown_not_zero(server):
    assert server.webhook({**CLOSED, "agent_replies": 3}).status == 202
    row = ticket_row(server.settings.db_path)
    assert row["agent_replies"] == 3
    assert row["customer_replies"] is None and row["handle_time_seconds"] is None


@pytest.mark.parametrize("field", ["customer_replies", "agent_replies", "handle_time_seconds"])
@pytest.mark.parametrize("value", [-1, 2.5, 3.0, "3", True, [1], 10**10])
def test_a_bad_figure_is_400_naming_the_field(server, field, value):
    reply = server.webhook({**CLOSED, field: value})
    assert reply.status == 400, reply.body
    assert reply.json()["error"].startswith(f"{field}:")
    db = open_db(server.settings.db_path, migrate=False)
    try:
        assert db["tickets"].count == 0
    finally:
        db.close()


def test_a_bad_customer_name_is_400_naming_the_field(server):
    reply = server.webhook({**CLOSED, "customer": {"email": "emma@example.com", "name": {"a": 1}}})
    assert reply.status == 400 and reply.json()["error"].startswith("customer.name:")
