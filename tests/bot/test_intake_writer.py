"""Group commit: many webhooks per transaction, one bad event spoils none of the others."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.intake_writer import IntakeWriter
from storage.db import open_db
from storage.tickets import SurveyRules, TicketEvent


def closed(ticket: str, survey: str = "nps") -> TicketEvent:
    return TicketEvent(
        source="generic",
        kind="closed",
        external_id=ticket,
        customer_slack_id=f"U{ticket}X",
        survey_type=survey,
    )


def test_a_failing_event_is_isolated_and_the_rest_commit(db_path):
    open_db(db_path).close()
    writer = IntakeWriter(lambda: open_db(db_path, migrate=False), SurveyRules())
    events = [closed(f"A{i}") for i in range(20)]
    events.insert(7, closed("BAD", survey="stars"))  # violates the survey_type CHECK

    async def submit_all():
        return await asyncio.gather(
            *(writer.submit(e, datetime.now(UTC)) for e in events), return_exceptions=True
        )

    results = asyncio.run(submit_all())
    writer.close()
    failures = [r for r in results if isinstance(r, BaseException)]
    assert len(failures) == 1 and "CHECK" in str(failures[0])
    db = open_db(db_path)
    assert db["surveys"].count == 20
    assert db.execute("SELECT count(*) FROM tickets WHERE external_id = 'BAD'").fetchone()[0] == 0
    assert {r.status for r in results if not isinstance(r, BaseException)} == {"scheduled"}


def test_results_arrive_only_after_commit(db_path):
    open_db(db_path).close()
    writer = IntakeWriter(lambda: open_db(db_path, migrate=False), SurveyRules())
    result = asyncio.run(writer.submit(closed("C1"), datetime.now(UTC)))
    other = open_db(db_path, migrate=False)  # another connection sees it: it is committed
    assert other["surveys"].get(result.survey_id)["state"] == "scheduled"
    writer.close()


@pytest.mark.parametrize("count", [1, 300])
def test_batches_of_any_size(db_path, count):
    open_db(db_path).close()
    writer = IntakeWriter(lambda: open_db(db_path, migrate=False), SurveyRules())

    async def submit_all():
        return await asyncio.gather(
            *(writer.submit(closed(f"N{i}"), datetime.now(UTC)) for i in range(count))
        )

    assert len(asyncio.run(submit_all())) == count
    writer.close()
    assert open_db(db_path)["webhook_events"].count == count
