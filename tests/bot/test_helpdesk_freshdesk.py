"""The Freshdesk REST client against the helpdesk API emulator, over real HTTP."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

from bot.helpdesk_emulator import HelpdeskEmulator
from bot.helpdesks.api import (
    HelpdeskRefused,
    HelpdeskUnavailable,
    Person,
    TicketFigures,
    WriteBack,
)
from bot.helpdesks.freshdesk import FreshdeskClient, base_url, make_client, note_html
from bot.helpdesks.registry import helpdesk_clients
from bot.settings import HelpdeskApi, load_settings

TICKET = "1228307"  # helpdesks.md's example ticket, requester contact 1 (Rachel)


@pytest.fixture
def hd(monkeypatch) -> Iterator[HelpdeskEmulator]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    with HelpdeskEmulator() as emulator:
        yield emulator


def api(hd: HelpdeskEmulator, key: str | None = None) -> HelpdeskApi:
    return HelpdeskApi("freshdesk", hd.url("freshdesk"), "", key or hd.freshdesk_api_key)


@pytest.fixture
def fd(hd: HelpdeskEmulator) -> FreshdeskClient:
    client = make_client(api(hd))
    assert isinstance(client, FreshdeskClient)
    return client


def note(text: str = 'cxbot: CSAT 4/5 — "fast & kind" <3', marker: str = "cxbot:r1.1") -> WriteBack:
    return WriteBack(TICKET, text, ("cxbot_csat_4",), marker)


# ---- the client is what the registry builds from the settings ---------------------
def test_the_registry_builds_it_from_the_settings(hd, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings(
        freshdesk_url=hd.url("freshdesk"), freshdesk_api_key=hd.freshdesk_api_key
    )
    client = helpdesk_clients(settings)["freshdesk"]
    assert client.source == "freshdesk" and client.person("1").email == "rachel@freshdesk.com"


def test_the_api_key_goes_as_basic_key_colon_x(hd, fd):
    fd.person("1")
    sent = hd.calls("freshdesk")[0]["headers"]
    header = next(value for name, value in sent.items() if name.lower() == "authorization")
    assert header == "Basic " + base64.b64encode(f"{hd.freshdesk_api_key}:X".encode()).decode()


@pytest.mark.parametrize(
    "url",
    [
        "https://acme.freshdesk.com",
        "https://acme.freshdesk.com/",
        "https://acme.freshdesk.com/api/v2/",
    ],
)
def test_an_api_url_pasted_from_the_docs_means_the_account(url):
    assert base_url(url) == "https://acme.freshdesk.com"


# ---- person --------------------------------------------------------------------------
def test_person_by_contact_id(fd):
    assert fd.person("1") == Person("rachel@freshdesk.com", "Rachel", "en")


def test_person_from_the_ticket_when_the_webhook_had_no_contact_id(hd, fd):
    assert fd.person(f"ticket:{TICKET}") == Person("rachel@freshdesk.com", "Rachel", "en")
    assert [c["path"] for c in hd.calls("freshdesk")] == [
        f"/api/v2/tickets/{TICKET}",
        "/api/v2/contacts/1",
    ]


def test_a_contact_without_email_is_a_person_without_email(hd, fd):
    hd.add_person("freshdesk", 77, email=None, name="Phone Only", locale=None)
    assert fd.person("77") == Person(None, "Phone Only", None)


def test_a_ticket_without_requester_is_refused(hd, fd):
    hd.add_ticket("freshdesk", 55, status="solved")
    with pytest.raises(HelpdeskRefused, match="no requester"):
        fd.person("ticket:55")


@pytest.mark.parametrize("ref", ["999", "ticket:999"])
def test_no_such_contact_or_ticket_is_refused(fd, ref):
    with pytest.raises(HelpdeskRefused, match="HTTP 404"):
        fd.person(ref)


@pytest.mark.parametrize("ref", ["../tickets/1", "1?x=2", "ticket:", ""])
def test_a_ref_that_is_not_an_id_is_refused_without_a_call(hd, fd, ref):
    with pytest.raises(HelpdeskRefused, match="not a Freshdesk id"):
        fd.person(ref)
    assert hd.calls("freshdesk") == []


def test_a_wrong_api_key_is_refused_naming_the_credentials(hd):
    with pytest.raises(HelpdeskRefused, match="HTTP 401 — check the API credentials"):
        make_client(api(hd, "wrong-key")).person("1")


# ---- faults --------------------------------------------------------------------------
def test_429_is_try_later_with_freshdesks_retry_after(hd, fd):
    hd.fail("freshdesk", "/api/v2/contacts/*", status=429, retry_after=7)
    with pytest.raises(HelpdeskUnavailable) as caught:
        fd.person("1")
    assert caught.value.retry_after == 7.0 and "HTTP 429" in str(caught.value)
    assert fd.person("1").email == "rachel@freshdesk.com"  # the next call goes through


@pytest.mark.parametrize("status", [500, 503])
def test_5xx_is_try_later(hd, fd, status):
    hd.fail("freshdesk", "*", status=status)
    with pytest.raises(HelpdeskUnavailable, match=f"HTTP {status}"):
        fd.person("1")


def test_a_timeout_is_try_later(hd):
    hd.fail("freshdesk", "*", delay=1.5)
    quick = httpx.Client(
        base_url=hd.url("freshdesk"), auth=(hd.freshdesk_api_key, "X"), timeout=0.3
    )
    with pytest.raises(HelpdeskUnavailable, match="timed out"):
        FreshdeskClient(api(hd), http=quick).person("1")


def test_a_server_that_is_not_there_is_try_later():
    client = make_client(HelpdeskApi("freshdesk", "http://127.0.0.1:9", "", "key"))
    with pytest.raises(HelpdeskUnavailable):
        client.person("1")


# ---- figures (helpdesks.md §6.2) ----------------------------------------------------
def test_figures_of_the_example_ticket(fd):
    # One agent reply, one customer "Thanks!" after the opener, one 00:15 time entry;
    # Freshdesk keeps no reopen count.
    assert fd.figures(TICKET) == TicketFigures(
        handle_time_seconds=900, customer_replies=1, agent_replies=1, reopens=None,
        created_at="2020-09-27T21:00:00.000Z",  # the ticket's own, which no webhook carries
    )  # fmt: skip


def test_figures_count_over_pages_and_skip_notes(hd, fd):
    comments = [{"author": "customer", "body": f"c{i}"} for i in range(130)]
    comments += [{"author": "agent", "body": f"a{i}"} for i in range(3)]
    comments += [{"author": "agent", "body": "internal", "public": False}]
    hd.add_ticket(
        "freshdesk", 9, status="solved", requester_id=1, comments=comments,
        time_entries=[{"seconds": 3600}, {"seconds": 1800, "timer_running": True}],
    )  # fmt: skip
    got = fd.figures("9")
    assert replace(got, created_at=None) == TicketFigures(5400, 130, 3, None)
    assert got.created_at is not None
    pages = [c["query"] for c in hd.calls("freshdesk", path_prefix="/api/v2/tickets/9/conv")]
    assert len(pages) == 2


def test_no_time_entries_is_no_handle_time_not_zero(hd, fd):
    hd.add_ticket("freshdesk", 10, status="solved", requester_id=1)
    assert replace(fd.figures("10"), created_at=None) == TicketFigures(None, 0, 0, None)


def test_time_tracking_not_allowed_is_no_handle_time(hd, fd):
    hd.fail("freshdesk", "/api/v2/tickets/*/time_entries", status=403)
    assert fd.figures(TICKET).handle_time_seconds is None


def test_figures_try_later_on_a_fault(hd, fd):
    hd.fail("freshdesk", "/api/v2/tickets/*/conversations", status=429, retry_after=3)
    with pytest.raises(HelpdeskUnavailable) as caught:
        fd.figures(TICKET)
    assert caught.value.retry_after == 3.0


# ---- write-back (helpdesks.md §2.7) ------------------------------------------------
def test_write_back_adds_one_private_html_note_carrying_the_marker(hd, fd):
    write = note()
    assert not fd.already_written(write)
    fd.write_back(write)
    (written,) = hd.notes("freshdesk", TICKET)
    assert written["public"] is False
    assert written["request"] == {
        "body": "<p>cxbot: CSAT 4/5 — &quot;fast &amp; kind&quot; &lt;3</p><p>cxbot:r1.1</p>",
        "private": True,
    }
    assert fd.already_written(write)
    assert not fd.already_written(note(marker="cxbot:r1.2"))


def test_a_note_that_already_carries_the_marker_is_not_doubled():
    write = WriteBack(TICKET, "CSAT 5/5\ncomment: great\n\ncxbot:r2.1", (), "cxbot:r2.1")
    assert note_html(write) == "<p>CSAT 5/5<br>comment: great</p><p>cxbot:r2.1</p>"


def test_write_back_faults_write_nothing_and_the_retry_writes_once(hd, fd):
    hd.fail("freshdesk", "/api/v2/tickets/*/notes", status=429, retry_after=4)
    hd.fail("freshdesk", "/api/v2/tickets/*/notes", status=500)
    write = note()
    with pytest.raises(HelpdeskUnavailable) as caught:
        fd.write_back(write)
    assert caught.value.retry_after == 4.0
    with pytest.raises(HelpdeskUnavailable):
        fd.write_back(write)
    assert not fd.already_written(write)
    fd.write_back(write)
    assert len(hd.notes("freshdesk", TICKET)) == 1


def test_a_timed_out_write_that_landed_is_seen_so_it_is_not_written_twice(hd):
    hd.fail("freshdesk", "/api/v2/tickets/*/notes", delay=1.5)
    quick = httpx.Client(
        base_url=hd.url("freshdesk"), auth=(hd.freshdesk_api_key, "X"), timeout=0.3
    )
    client = FreshdeskClient(api(hd), http=quick)
    write = note()
    with pytest.raises(HelpdeskUnavailable, match="timed out"):
        client.write_back(write)
    assert client.already_written(write)  # what the write-back job checks before retrying
    assert len(hd.notes("freshdesk", TICKET)) == 1


def test_write_back_to_a_missing_ticket_is_refused(fd):
    with pytest.raises(HelpdeskRefused, match="HTTP 404"):
        fd.write_back(WriteBack("424242", "x", (), "cxbot:r9.1"))
