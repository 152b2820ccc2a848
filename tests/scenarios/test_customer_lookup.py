"""Finding the customer (issue 15 item 3): the surveys job asks the ticket's helpdesk who a
customer known only by id is, over real HTTP against the helpdesk emulator, then sends
through the Slack emulator; faults retry, dead ends are skipped with what to do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.helpdesk_emulator import HelpdeskEmulator
from bot.helpdesks.registry import helpdesk_clients
from bot.jobs.surveys import SendSurveys, SurveyPolicy
from bot.scheduler import run_jobs
from bot.serve_process import wait_until
from bot.slack_client import delivery_client
from storage.db import open_db
from storage.tickets import SurveyRules, TicketEvent, record_ticket_event
from storage.timestamps import parse_timestamp
from tests.scenarios.harness import RunningServer, http
from tests.webhooks.zendesk_fixtures import SOLVED_EVENT, encode, zendesk_headers

POLICY = SurveyPolicy(cooldown=timedelta(days=7))
JIRA_HIDDEN = "5b10a2844c20165700ede99h"
USERS = "/api/v2/users/"


@pytest.fixture
def helpdesk():
    with HelpdeskEmulator() as emulator:
        emulator.add_person("zendesk", 42, email="Emma@Example.com", name="Emma", locale="en-GB")
        emulator.add_person("zendesk", 43, email=None, name="Phone Caller")
        emulator.add_person("jira", JIRA_HIDDEN, email=None, name="Hidden Reporter")
        yield emulator


@pytest.fixture
def api_settings(settings_for, helpdesk):
    def make(**overrides):
        values = dict(
            zendesk_url=helpdesk.url("zendesk"), zendesk_email=helpdesk.zendesk_email,
            zendesk_token=helpdesk.zendesk_token, jira_url=helpdesk.url("jira"),
            jira_email=helpdesk.jira_email, jira_token=helpdesk.jira_token,
        )  # fmt: skip
        values.update(overrides)
        return settings_for(**values)

    return make


@pytest.fixture
def surveys(api_settings):
    """(db, one pass of the surveys job) with Zendesk's and Jira's API on the emulator."""

    def make(policy: SurveyPolicy = POLICY, **overrides):
        settings = api_settings(**overrides)
        db = open_db(settings.db_path)
        job = SendSurveys(delivery_client(settings, timeout=2), policy, helpdesk_clients(settings))
        opened.append(db)
        return db, lambda now=None: run_jobs([job], db, now or datetime.now(UTC))

    opened: list = []
    yield make
    for db in opened:
        db.close()


def moment() -> datetime:
    """Now, to the millisecond the database stores, so stored due times compare exactly."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def closed(
    db, ticket: str, ref: str, source: str = "zendesk", cooldown: timedelta = timedelta(days=7)
) -> int:
    event = TicketEvent(source=source, kind="closed", external_id=ticket, customer_ref=ref)
    rules = SurveyRules(
        delay=timedelta(0), cooldown=cooldown, lookup_sources=frozenset({"zendesk", "jira"})
    )
    result = record_ticket_event(db, event, rules, datetime.now(UTC) - timedelta(seconds=1))
    assert result.status == "scheduled", result
    return result.survey_id


def survey(db, survey_id: int) -> dict:
    return db["surveys"].get(survey_id)


def lookups(helpdesk: HelpdeskEmulator, vendor: str = "zendesk") -> list[int]:
    return [call["status"] for call in helpdesk.calls(vendor) if call["method"] == "GET"]


def dms(emulator) -> list[dict]:
    return [m for m in emulator.messages() if m["channel"].startswith("D")]


def test_a_looked_up_customer_gets_the_survey_and_the_email_is_kept(surveys, helpdesk, emulator):
    db, run = surveys()
    survey_id = closed(db, "7", "42")
    assert run() == {"sent": 1}
    row = survey(db, survey_id)
    assert (row["state"], row["recipient"], row["customer_email"], row["slack_user_id"]) == (
        "sent",
        "emma@example.com",
        "emma@example.com",
        "U0ENGLISH",
    )
    ticket = db.execute(
        "SELECT customer_ref, customer_email, customer_name, customer_locale FROM tickets"
    ).fetchall()
    assert ticket == [("42", "emma@example.com", "Emma", "en-GB")]
    assert [c["path"] for c in helpdesk.calls("zendesk")] == [f"{USERS}42.json"]
    assert len(dms(emulator)) == 1


def test_a_429_waits_for_retry_after_then_the_survey_goes_out_once(surveys, helpdesk, emulator):
    db, run = surveys()
    survey_id = closed(db, "7", "42")
    helpdesk.fail("zendesk", f"{USERS}*", status=429, retry_after=120)
    start = moment()
    assert run(start) == {"retry": 1}
    row = survey(db, survey_id)
    assert row["state"] == "scheduled" and "HTTP 429" in row["last_error"]
    # The backoff alone would say 30 s; Zendesk's Retry-After says 120 s.
    assert parse_timestamp(row["due_at"]) - start == timedelta(seconds=120)
    assert run(start + timedelta(seconds=60)) == {}
    assert run(start + timedelta(seconds=121)) == {"sent": 1}
    assert lookups(helpdesk) == [429, 200]
    assert len(dms(emulator)) == 1
    assert survey(db, survey_id)["last_error"] is None


def test_a_500_is_retried_with_backoff_then_delivered_once(surveys, helpdesk, emulator):
    db, run = surveys()
    survey_id = closed(db, "7", "42")
    helpdesk.fail("zendesk", f"{USERS}*", status=500)
    start = moment()
    assert run(start) == {"retry": 1}
    row = survey(db, survey_id)
    assert row["last_error"] == "Zendesk look-up: Zendesk user 42: HTTP 500"
    assert parse_timestamp(row["due_at"]) - start == timedelta(seconds=30)
    assert run(start + timedelta(seconds=31)) == {"sent": 1}
    assert lookups(helpdesk) == [500, 200] and len(dms(emulator)) == 1


def test_bad_credentials_skip_the_survey_saying_what_to_check(surveys, helpdesk, emulator):
    db, run = surveys(zendesk_token="not-the-token")
    survey_id = closed(db, "7", "42")
    assert run() == {"skipped": 1}
    row = survey(db, survey_id)
    assert (row["state"], row["skip_code"]) == ("skipped", "no_customer")
    assert row["skip_reason"] == (
        "Zendesk refused the look-up of requester 42: Zendesk user 42: HTTP 401 — "
        "check the API credentials and permissions"
    )
    assert lookups(helpdesk) == [401] and dms(emulator) == []


@pytest.mark.parametrize(
    ("source", "ref", "reason"),
    [
        (
            "zendesk",
            "43",
            "Zendesk requester 43 has no email (a user created from phone or messaging): "
            "add an email to the user in Zendesk",
        ),
        (
            "jira",
            JIRA_HIDDEN,
            f"Jira reporter {JIRA_HIDDEN} hides their email: add the reporter's email smart "
            "value to the JSM automation body (README)",
        ),
    ],
)
def test_a_person_without_an_email_is_skipped_with_the_fix(
    surveys, helpdesk, emulator, source, ref, reason
):
    db, run = surveys()
    survey_id = closed(db, "SUP-7" if source == "jira" else "7", ref, source)
    assert run() == {"skipped": 1}
    row = survey(db, survey_id)
    assert (row["state"], row["skip_code"], row["skip_reason"]) == (
        "skipped",
        "no_customer",
        reason,
    )
    assert lookups(helpdesk, source) == [200] and dms(emulator) == []


def test_two_tickets_from_one_person_ask_the_helpdesk_once(surveys, helpdesk, emulator):
    db, run = surveys(SurveyPolicy(cooldown=timedelta(0)))  # both go out: only the cache counts
    first = closed(db, "7", "42", cooldown=timedelta(0))
    second = closed(db, "8", "42", cooldown=timedelta(0))
    assert run() == {"sent": 2}
    assert lookups(helpdesk) == [200]
    assert survey(db, first)["recipient"] == survey(db, second)["recipient"] == "emma@example.com"
    assert len(dms(emulator)) == 2


def test_the_cooldown_applies_once_the_customer_is_known(surveys, helpdesk, emulator):
    """Emma wrote to Zendesk and to the Jira service desk: intake saw two people (two ids in
    two helpdesks); once both are looked up the job sees one, and sends one survey."""
    helpdesk.add_person("jira", "5b10emma", email="emma@example.com", name="Emma")
    db, run = surveys()
    first, second = closed(db, "7", "42"), closed(db, "SUP-8", "5b10emma", "jira")
    assert run() == {"sent": 1, "skipped": 1}
    row = survey(db, second)
    assert (survey(db, first)["state"], row["state"], row["skip_code"]) == (
        "sent",
        "skipped",
        "cooldown",
    )
    assert row["skip_reason"].startswith("cooldown: customer got a csat survey at ")
    assert row["recipient"] == "emma@example.com" and len(dms(emulator)) == 1


def test_the_cooldown_also_counts_surveys_sent_by_slack_id(surveys, helpdesk, emulator):
    """Emma's earlier survey went to her Slack id (recipient U0ENGLISH), not her email."""
    db, run = surveys()
    event = TicketEvent(
        source="generic", kind="closed", external_id="G1", customer_slack_id="U0ENGLISH"
    )
    record_ticket_event(db, event, SurveyRules(delay=timedelta(0)), datetime.now(UTC))
    assert run() == {"sent": 1}
    survey_id = closed(db, "7", "42")
    assert run() == {"skipped": 1}
    assert survey(db, survey_id)["skip_code"] == "cooldown" and len(dms(emulator)) == 1


def test_a_customer_slack_does_not_know_is_skipped_not_failed(surveys, helpdesk, emulator):
    db, run = surveys()
    survey_id = closed(db, "5158", "8447399911223")  # Ana Pop, ana@example.com: not in Slack
    assert run() == {"skipped": 1}
    row = survey(db, survey_id)
    assert (row["state"], row["skip_code"], row["recipient"]) == (
        "skipped",
        "not_in_slack",
        "ana@example.com",
    )
    assert row["skip_reason"] == (
        "no Slack account for the customer's email at @example.com in this workspace: "
        "cxbot surveys in Slack only (invite them as a guest or through Slack Connect)"
    )
    assert dms(emulator) == []


def test_a_zendesk_event_through_cxbot_serve_is_looked_up_and_surveyed(
    api_settings, helpdesk, emulator
):
    """The whole path: Zendesk's event (requester id only), signed as Zendesk signs, into a
    real server; its surveys job asks the emulator and DMs Ana in Slack."""
    emulator.add_user("U0ANAPOP1", "ana", email="ana@example.com", locale="ro-RO")
    running = RunningServer(api_settings()).start()
    try:
        body = encode(SOLVED_EVENT)
        secret = running.settings.source_secret("zendesk") or ""
        reply = http("POST", f"{running.url}/webhooks/zendesk", body, zendesk_headers(body, secret))
        assert reply.status == 202 and reply.json()["status"] == "scheduled", reply.json()
        db = open_db(running.settings.db_path, migrate=False)
        try:
            survey_id = reply.json()["survey_id"]
            wait_until(lambda: db["surveys"].get(survey_id)["sent_at"], what="the survey sent")
            row = db["surveys"].get(survey_id)
        finally:
            db.close()
        assert lookups(helpdesk) == [200] and len(dms(emulator)) == 1
        assert (row["state"], row["recipient"], row["slack_user_id"]) == (
            "sent",
            "ana@example.com",
            "U0ANAPOP1",
        )
    finally:
        running.stop()
