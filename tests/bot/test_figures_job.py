"""The ticket-figures job against the helpdesk API emulator (Freshdesk's REST API, real HTTP).

The job is the one ``build_jobs`` makes from the settings, the ticket is closed
through the same intake rules as a webhook, and the numbers then read in
``cxbot metrics ops``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.helpdesk_emulator import HelpdeskEmulator
from bot.jobs.figures import FetchTicketFigures
from bot.scheduler import build_jobs
from bot.settings import Settings, load_settings
from bot.webhooks.intake import rules_from
from storage.db import open_db
from storage.tickets import TicketEvent, record_ticket_event
from storage.timestamps import parse_timestamp
from tests.bot.cli_run import run

EXAMPLE = "1228307"  # helpdesks.md's ticket: one agent reply, one customer reply, a 00:15 entry


@pytest.fixture
def hd(monkeypatch) -> Iterator[HelpdeskEmulator]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    with HelpdeskEmulator() as emulator:
        yield emulator


@pytest.fixture
def settings(hd, tmp_path, monkeypatch) -> Settings:
    monkeypatch.chdir(tmp_path)
    return load_settings(
        db_path=str(tmp_path / "cxbot.db"),
        freshdesk_url=hd.url("freshdesk"),
        freshdesk_api_key=hd.freshdesk_api_key,
    )


@pytest.fixture
def db(settings):
    handle = open_db(settings.db_path)
    yield handle
    handle.close()


def the_job(settings: Settings) -> FetchTicketFigures:
    [job] = [job for job in build_jobs(settings) if job.name == "figures"]
    assert isinstance(job, FetchTicketFigures)
    return job


def close(db, settings: Settings, ticket: str, now: datetime) -> int:
    event = TicketEvent(
        source="freshdesk", kind="closed", external_id=ticket,
        customer_email="rachel@freshdesk.com", team="support",
    )  # fmt: skip
    result = record_ticket_event(db, event, rules_from(settings), now)
    assert result.ticket_id is not None
    return result.ticket_id


def figures_of(db, ticket_id: int) -> tuple:
    row = db["tickets"].get(ticket_id)
    return (
        row["figures_state"], row["handle_time_seconds"], row["customer_replies"],
        row["agent_replies"], row["figures_attempts"], row["figures_error"],
    )  # fmt: skip


def test_the_job_is_there_only_with_a_helpdesk_api(settings, tmp_path):
    assert "figures" in [job.name for job in build_jobs(settings)]
    plain = load_settings(db_path=str(tmp_path / "plain.db"))
    assert "figures" not in [job.name for job in build_jobs(plain)]


def test_figures_are_fetched_once_and_show_in_metrics_ops(hd, settings, db, tmp_path):
    now = datetime.now(UTC)
    ticket = close(db, settings, EXAMPLE, now)
    job = the_job(settings)
    assert job.run(db, now) == {"done": 1}
    assert figures_of(db, ticket) == ("done", 900, 1, 1, 0, None)
    assert job.run(db, now + timedelta(hours=1)) == {}  # asked once per closure
    assert len(hd.calls("freshdesk", path_prefix=f"/api/v2/tickets/{EXAMPLE}/time_entries")) == 1
    result = run("metrics", "ops", "--db", settings.db_path, "--json", cwd=tmp_path)
    effort = json.loads(result.stdout)["effort"]
    assert (effort["median_handle_time_seconds"], effort["contacts_per_resolution"]) == (900, 2)
    assert effort["one_touch_rate"] == 100


def test_a_figure_the_vendor_does_not_record_stays_null(hd, settings, db):
    hd.add_ticket("freshdesk", 10, status="solved", requester_id=1)  # no time entries at all
    ticket = close(db, settings, "10", datetime.now(UTC))
    the_job(settings).run(db, datetime.now(UTC))
    assert figures_of(db, ticket) == ("done", None, 0, 0, 0, None)


def test_rate_limited_waits_for_retry_after_and_rests_the_vendor(hd, settings, db):
    now = datetime.now(UTC)
    hd.add_ticket("freshdesk", 10, status="solved", requester_id=1)
    first = close(db, settings, EXAMPLE, now)
    second = close(db, settings, "10", now + timedelta(seconds=1))
    hd.fail("freshdesk", "*", status=429, retry_after=120)
    job = the_job(settings)
    assert job.run(db, now + timedelta(seconds=1)) == {"retry": 1}
    state, *_, attempts, error = figures_of(db, first)
    assert (state, attempts) == ("pending", 1) and "429" in error
    due = parse_timestamp(db["tickets"].get(first)["figures_due_at"])
    # Retry-After beats the 1-minute first backoff (stored to the millisecond)
    assert abs(due - (now + timedelta(seconds=121))) < timedelta(milliseconds=1)
    assert not hd.calls("freshdesk", path_prefix="/api/v2/tickets/10")  # the vendor rested
    assert job.run(db, now + timedelta(seconds=60)) == {"done": 1}  # the second, not yet the first
    assert job.run(db, now + timedelta(seconds=121)) == {"done": 1}
    assert figures_of(db, first) == ("done", 900, 1, 1, 1, None)
    assert figures_of(db, second)[0] == "done"


def test_a_vendor_that_keeps_failing_is_given_up_after_six_tries(hd, settings, db):
    now = datetime.now(UTC)
    ticket = close(db, settings, EXAMPLE, now)
    hd.fail("freshdesk", "*", status=500, times=None)
    job = the_job(settings)
    outcomes = [job.run(db, now + timedelta(days=day)) for day in range(8)]
    assert outcomes == [{"retry": 1}] * 5 + [{"failed": 1}, {}, {}]
    state, *_, attempts, error = figures_of(db, ticket)
    assert (state, attempts) == ("failed", 6)
    assert "HTTP 500" in error and "gave up after 6 tries" in error
    assert len(hd.calls("freshdesk", path_prefix=f"/api/v2/tickets/{EXAMPLE}")) == 6


def test_a_refused_ticket_fails_at_once_with_the_reason(hd, settings, db):
    ticket = close(db, settings, "404404", datetime.now(UTC))  # not in the helpdesk
    assert the_job(settings).run(db, datetime.now(UTC)) == {"failed": 1}
    state, handle, customer, agent, attempts, error = figures_of(db, ticket)
    assert (state, handle, customer, agent, attempts) == ("failed", None, None, None, 1)
    assert "404" in error


def test_a_freshdesk_ticket_gets_its_creation_time_so_resolution_time_is_known(hd, settings, db):
    """Issue 15: Freshdesk's webhook sends no creation time, so resolution times were empty."""
    created = datetime.now(UTC) - timedelta(hours=5)
    hd.add_ticket("freshdesk", 11, status="solved", requester_id=1, created_at=created)
    now = datetime.now(UTC)
    ticket = close(db, settings, "11", now)
    assert db["tickets"].get(ticket)["created_at"] is None  # what the webhook gave
    assert the_job(settings).run(db, now) == {"done": 1}
    stored = parse_timestamp(db["tickets"].get(ticket)["created_at"])
    assert abs((stored - created).total_seconds()) < 1
