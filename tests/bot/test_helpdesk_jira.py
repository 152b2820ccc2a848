"""cxbot's Jira Cloud client against the helpdesk API emulator, over real HTTP."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from bot.helpdesk_emulator import HelpdeskEmulator
from bot.helpdesks import jira
from bot.helpdesks.api import HelpdeskRefused, HelpdeskUnavailable, TicketFigures, WriteBack
from bot.helpdesks.registry import helpdesk_clients
from bot.settings import HelpdeskApi, load_settings

VISIBLE, HIDDEN = "5b10a2844c20165700ede21g", "qm:1a2b3c4d-0001"  # the emulator's examples
WRITE = WriteBack(
    ticket_ref="SUP-42",
    note="cxbot: CSAT 4/5 — fast and kind\nthemes: speed\n(cxbot:r12.1)",
    tags=("cxbot_csat_4",),
    marker="cxbot:r12.1",
)


@pytest.fixture
def hd() -> Iterator[HelpdeskEmulator]:
    with HelpdeskEmulator() as emulator:
        yield emulator


def api(hd: HelpdeskEmulator, token: str | None = None) -> HelpdeskApi:
    return HelpdeskApi("jira", hd.url("jira"), hd.jira_email, token or hd.jira_token)


@pytest.fixture
def client(hd: HelpdeskEmulator) -> jira.JiraClient:
    return jira.make_client(api(hd))


def test_the_registry_builds_it_from_the_settings(hd, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings(
        jira_url=hd.url("jira") + "/", jira_email=hd.jira_email, jira_token=hd.jira_token
    )
    clients = helpdesk_clients(settings)
    assert clients["jira"].source == "jira"
    assert clients["jira"].person(VISIBLE).email == "mia@example.com"


def test_person_with_a_visible_email(client, hd):
    person = client.person(VISIBLE)
    assert (person.email, person.name, person.locale) == ("mia@example.com", "Mia Krystof", "en-US")
    call = hd.calls("jira")[-1]
    assert (call["method"], call["path"], call["query"]) == (
        "GET",
        "/rest/api/3/user",
        {"accountId": VISIBLE},
    )


def test_person_whose_profile_hides_the_email(client):
    person = client.person(HIDDEN)
    assert (person.email, person.name, person.locale) == (None, "Ana Pop", None)


def test_a_deleted_user_with_a_blank_email_has_none(client, hd):
    hd.add_person("jira", "gone-1", email=None, name="Former user", overrides={"emailAddress": ""})
    assert client.person("gone-1").email is None


def test_an_unknown_person_is_refused_not_retried(client):
    with pytest.raises(HelpdeskRefused, match="HTTP 404"):
        client.person("nobody")


def test_wrong_credentials_are_refused_with_a_hint(hd):
    with pytest.raises(HelpdeskRefused, match="401 — check the API credentials"):
        jira.make_client(api(hd, token="wrong")).person(VISIBLE)


def test_a_429_is_try_later_with_jiras_retry_after(client, hd):
    hd.fail("jira", "/rest/api/3/user", status=429, retry_after=7)
    with pytest.raises(HelpdeskUnavailable, match="HTTP 429") as caught:
        client.person(VISIBLE)
    assert caught.value.retry_after == 7.0
    assert client.person(VISIBLE).email == "mia@example.com"  # the fault was for one call


def test_a_500_is_try_later(client, hd):
    hd.fail("jira", "/rest/api/3/user", status=500)
    with pytest.raises(HelpdeskUnavailable, match="HTTP 500"):
        client.person(VISIBLE)


def test_a_reply_slower_than_the_timeout_is_try_later(hd):
    hd.fail("jira", "/rest/api/3/user", delay=2)
    quick = jira.JiraClient(
        httpx.Client(
            base_url=hd.url("jira"), auth=hd.jira_auth, timeout=httpx.Timeout(0.5, connect=0.5)
        )
    )
    started = time.monotonic()
    with pytest.raises(HelpdeskUnavailable, match="timed out"):
        quick.person(VISIBLE)
    assert time.monotonic() - started < 2


def test_figures_of_the_documented_issue(client, hd):
    """SUP-42: one agent reply, one customer reply after the description, a 12,000 s worklog,
    To Do → In Progress → Done (no reopen)."""
    assert client.figures("SUP-42") == TicketFigures(
        handle_time_seconds=12000, customer_replies=1, agent_replies=1, reopens=0
    )


def test_figures_count_reopens_out_of_done_and_skip_internal_comments(client, hd):
    hd.add_person("jira", "qm:2", email=None, name="Li Wei", role="customer")
    hd.add_ticket(
        "jira", "SUP-7", status="solved", requester_id="qm:2",
        history=["open", "solved", "pending", "solved", "open", "closed"],
        comments=[
            {"author": "agent", "body": "Looking."},
            {"author": "agent", "body": "internal: escalate", "public": False},
            "Still broken.", "Thanks!",
        ],
    )  # fmt: skip
    assert client.figures("SUP-7") == TicketFigures(
        handle_time_seconds=None, customer_replies=2, agent_replies=1, reopens=2
    )


def test_no_worklog_is_no_data_not_zero(client, hd):
    hd.add_ticket("jira", "SUP-8", status="solved", requester_id=HIDDEN, worklogs=[])
    figures = client.figures("SUP-8")
    assert (figures.handle_time_seconds, figures.customer_replies, figures.agent_replies) == (
        None,
        0,
        0,
    )


def test_time_tracking_off_is_no_data(client, hd):
    hd.fail("jira", "/rest/api/3/issue/SUP-42/worklog", status=404)
    assert client.figures("SUP-42").handle_time_seconds is None


def test_comments_are_read_page_by_page_until_the_total(client, hd):
    hd.add_ticket("jira", "SUP-9", status="solved", requester_id=HIDDEN,
                  comments=[f"message {n}" for n in range(120)])  # fmt: skip
    assert len(client.comments("SUP-9")) == 120
    starts = [
        c["query"].get("startAt")
        for c in hd.calls("jira", path_prefix="/rest/api/3/issue/SUP-9/comment")
    ]
    assert starts == ["0", "50", "100"]
    assert client.figures("SUP-9").customer_replies == 120


def test_figures_of_a_missing_issue_are_refused(client):
    with pytest.raises(HelpdeskRefused, match="404"):
        client.figures("SUP-404")


def test_write_back_is_one_internal_adf_comment(client, hd):
    assert not client.already_written(WRITE)
    client.write_back(WRITE)
    call = hd.calls("jira", "POST")[-1]
    assert (call["path"], call["status"]) == ("/rest/api/3/issue/SUP-42/comment", 201)
    assert call["body"]["properties"] == [{"key": "sd.public.comment", "value": {"internal": True}}]
    assert call["body"]["body"]["type"] == "doc" and call["body"]["body"]["version"] == 1
    note = hd.notes("jira", "SUP-42")[-1]
    assert (note["public"], note["text"]) == (False, WRITE.note)
    assert client.already_written(WRITE)
    assert hd.tags("jira", "SUP-42") == []  # labels are unconfirmed: not written


def test_a_note_without_its_marker_gets_it_appended(client, hd):
    client.write_back(WriteBack("SUP-42", "cxbot: NPS 9/10", (), "cxbot:r13.1"))
    assert hd.notes("jira", "SUP-42")[-1]["text"] == "cxbot: NPS 9/10\n(cxbot:r13.1)"


def test_a_write_back_that_hits_a_429_writes_once_when_retried(client, hd):
    hd.fail("jira", "/rest/api/3/issue/SUP-42/comment", status=429, retry_after=3, method="POST")
    with pytest.raises(HelpdeskUnavailable) as caught:
        client.write_back(WRITE)
    assert caught.value.retry_after == 3.0
    assert not client.already_written(WRITE)
    client.write_back(WRITE)
    assert [n["text"] for n in hd.notes("jira", "SUP-42")] == [WRITE.note]


def test_a_write_back_to_a_missing_issue_is_refused(client):
    with pytest.raises(HelpdeskRefused, match="404"):
        client.write_back(WriteBack("SUP-404", "x (m)", (), "m"))
