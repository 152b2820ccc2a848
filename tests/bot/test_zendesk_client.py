"""The Zendesk REST client against the helpdesk emulator over real HTTP (helpdesks.md §1.6–1.8,
§6.1): look-up, ticket figures, write-back, and the faults a real account produces."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest

from bot.helpdesk_emulator import HelpdeskEmulator
from bot.helpdesks.api import HelpdeskRefused, HelpdeskUnavailable, Person, TicketFigures, WriteBack
from bot.helpdesks.registry import helpdesk_clients
from bot.helpdesks.zendesk import ZendeskClient, _object, make_client
from bot.settings import HelpdeskApi, load_settings

USER, TICKET = "8447399911223", "5158"  # helpdesks.md's examples, seeded by the emulator
WRITE = WriteBack(
    ticket_ref=TICKET,
    note="cxbot: CSAT 4/5 — “fast and kind”\n(cxbot:r12.1)",
    tags=("cxbot_csat_4",),
    marker="cxbot:r12.1",
)


@pytest.fixture
def hd() -> Iterator[HelpdeskEmulator]:
    with HelpdeskEmulator() as emulator:
        yield emulator


def api(hd: HelpdeskEmulator, token: str | None = None) -> HelpdeskApi:
    return HelpdeskApi("zendesk", hd.url("zendesk"), hd.zendesk_email, token or hd.zendesk_token)


@pytest.fixture
def zd(hd: HelpdeskEmulator) -> Iterator[ZendeskClient]:
    client = make_client(api(hd))
    yield client
    client.close()


# ---- person ------------------------------------------------------------------------------
def test_person_is_the_documented_user(zd, hd):
    assert zd.person(USER) == Person(email="ana@example.com", name="Ana Pop", locale="ro")
    call = hd.calls("zendesk")[-1]
    assert (call["method"], call["path"]) == ("GET", f"/api/v2/users/{USER}.json")
    expected = base64.b64encode(f"{hd.zendesk_email}/token:{hd.zendesk_token}".encode()).decode()
    headers = {name.lower(): value for name, value in call["headers"].items()}
    assert headers["authorization"] == f"Basic {expected}"  # {email}/token:{api_token}


def test_a_user_without_email_is_a_person_without_email(zd, hd):
    hd.add_person("zendesk", 901, name="Phone caller", email=None, locale="en-US")
    assert zd.person("901") == Person(email=None, name="Phone caller", locale="en-US")


def test_an_unknown_user_is_refused_with_the_status(zd):
    with pytest.raises(HelpdeskRefused, match="Zendesk user 404404: HTTP 404"):
        zd.person("404404")


def test_a_ref_that_is_not_a_zendesk_id_is_refused_without_a_call(zd, hd):
    with pytest.raises(HelpdeskRefused, match="is not a Zendesk id"):
        zd.person("../tickets/5158")
    assert hd.calls("zendesk") == []


def test_wrong_credentials_are_refused_naming_them(hd):
    client = make_client(api(hd, token="not-the-token"))
    with pytest.raises(HelpdeskRefused, match="HTTP 401 — check the API credentials"):
        client.person(USER)


def test_a_429_is_try_later_with_zendesks_retry_after(zd, hd):
    hd.fail("zendesk", "/api/v2/users/*", status=429, retry_after=7)
    with pytest.raises(HelpdeskUnavailable, match="HTTP 429") as caught:
        zd.person(USER)
    assert caught.value.retry_after == 7.0
    assert hd.calls("zendesk")[-1]["status"] == 429
    assert zd.person(USER).email == "ana@example.com"  # the fault was for one call


@pytest.mark.parametrize("status", [500, 503])
def test_a_server_error_is_try_later(zd, hd, status):
    hd.fail("zendesk", "*", status=status)
    with pytest.raises(HelpdeskUnavailable, match=f"HTTP {status}"):
        zd.person(USER)


def test_a_slow_answer_is_a_timeout_to_try_later(hd):
    client = ZendeskClient(api(hd), timeout=httpx.Timeout(0.3))
    hd.fail("zendesk", "/api/v2/users/*", delay=1.5)
    with pytest.raises(HelpdeskUnavailable, match="timed out"):
        client.person(USER)


def test_an_unreachable_account_is_try_later():
    client = make_client(HelpdeskApi("zendesk", "http://127.0.0.1:9", "a@b.c", "t"))
    with pytest.raises(HelpdeskUnavailable, match="Zendesk user 1: Connect"):
        client.person("1")


# ---- figures -----------------------------------------------------------------------------
def test_figures_of_the_documented_ticket(zd):
    """One public agent reply (metrics ``replies``), no reopen, no customer message after the
    opener, and no Time Tracking value: handle time is no data, not 0."""
    assert zd.figures(TICKET) == TicketFigures(
        handle_time_seconds=None, customer_replies=0, agent_replies=1, reopens=0
    )


def test_figures_count_the_requesters_public_comments_after_the_opener(zd, hd):
    hd.add_ticket(
        "zendesk", 7001, status="solved", requester_id=USER, handle_time_seconds=1260,
        history=["open", "solved", "open", "solved"],
        comments=[
            {"author": "agent", "body": "Try this"},
            {"author": "customer", "body": "Still broken"},
            {"author": "customer", "body": "a private note by the requester?", "public": False},
            {"author": "agent", "body": "internal", "public": False},
            {"author": "customer", "body": "Works now"},
        ],
    )  # fmt: skip
    assert zd.figures("7001") == TicketFigures(
        handle_time_seconds=1260, customer_replies=2, agent_replies=1, reopens=1
    )


def test_figures_read_every_page_of_comments(zd, hd):
    comments = [{"author": "customer", "body": f"ping {n}"} for n in range(230)]
    hd.add_ticket("zendesk", 7002, status="solved", requester_id=USER, comments=comments)
    assert zd.figures("7002").customer_replies == 230
    pages = hd.calls("zendesk", "GET", "/api/v2/tickets/7002/comments")
    assert len(pages) == 3


@pytest.mark.parametrize("shape", ["object", "list"])
def test_the_metric_is_read_as_an_object_or_inside_a_list_as_the_docs_show_it(shape):
    """helpdesks.md §6.1: the doc's example wraps ``ticket_metric`` in an array; live
    accounts answer an object. Accept both."""
    metric = {"replies": 2, "reopens": 1}
    data = {"ticket_metric": metric if shape == "object" else [metric]}
    assert _object(data, "ticket_metric", "Zendesk ticket 1") == metric


def test_an_answer_without_the_object_is_refused_naming_it():
    with pytest.raises(HelpdeskRefused, match="the answer has no 'user' object"):
        _object({"users": []}, "user", "Zendesk user 1")


def test_figures_of_an_unknown_ticket_are_refused(zd):
    with pytest.raises(HelpdeskRefused, match="Zendesk ticket 999: HTTP 404"):
        zd.figures("999")


# ---- write-back ------------------------------------------------------------------------
def test_write_back_adds_the_tags_then_a_private_comment(zd, hd):
    zd.write_back(WRITE)
    assert hd.tags("zendesk", TICKET) == ["printer", "vip", "cxbot_csat_4"]  # added, kept
    [note] = hd.notes("zendesk", TICKET)
    assert (note["kind"], note["public"], note["body"]) == ("comment", False, WRITE.note)
    writes = [(c["method"], c["path"]) for c in hd.calls("zendesk") if c["method"] != "GET"]
    assert writes == [
        ("PUT", f"/api/v2/tickets/{TICKET}/tags.json"),
        ("PUT", f"/api/v2/tickets/{TICKET}.json"),
    ]
    ticket_put = hd.calls("zendesk", "PUT", f"/api/v2/tickets/{TICKET}.json")[0]
    assert "tags" not in ticket_put["body"]["ticket"]  # a ticket PUT with tags replaces them all


def test_a_note_without_its_marker_gets_it(zd, hd):
    zd.write_back(WriteBack(TICKET, "cxbot: NPS 9/10", (), "cxbot:r3.1"))
    assert hd.notes("zendesk", TICKET)[0]["body"] == "cxbot: NPS 9/10\n(cxbot:r3.1)"
    assert hd.calls("zendesk", "PUT", f"/api/v2/tickets/{TICKET}/tags") == []  # no tags to add


def test_already_written_finds_the_marker_on_the_ticket(zd):
    assert zd.already_written(WRITE) is False
    zd.write_back(WRITE)
    assert zd.already_written(WRITE) is True
    assert zd.already_written(WriteBack(TICKET, "x", (), "cxbot:r12.2")) is False


def test_a_closed_ticket_is_refused_as_locked_and_nothing_is_written(zd, hd):
    hd.add_ticket("zendesk", 7004, status="closed", requester_id=USER, tags=["old"])
    with pytest.raises(HelpdeskRefused, match=r"Zendesk ticket 7004 is closed \(locked\)"):
        zd.write_back(WriteBack("7004", "cxbot: CSAT 2/5", ("cxbot_csat_2",), "cxbot:r1.1"))
    assert (hd.tags("zendesk", "7004"), hd.notes("zendesk", "7004")) == (["old"], [])


def test_a_429_on_the_tags_writes_nothing_and_a_retry_writes_once(zd, hd):
    hd.fail("zendesk", f"/api/v2/tickets/{TICKET}/tags*", status=429, retry_after=3)
    with pytest.raises(HelpdeskUnavailable) as caught:
        zd.write_back(WRITE)
    assert caught.value.retry_after == 3.0 and hd.notes("zendesk", TICKET) == []
    assert not zd.already_written(WRITE)
    zd.write_back(WRITE)
    assert len(hd.notes("zendesk", TICKET)) == 1
    assert hd.tags("zendesk", TICKET).count("cxbot_csat_4") == 1


def test_a_500_on_the_comment_is_try_later(zd, hd):
    hd.fail("zendesk", f"/api/v2/tickets/{TICKET}", status=500, method="PUT")
    with pytest.raises(HelpdeskUnavailable, match="HTTP 500"):
        zd.write_back(WRITE)
    assert hd.notes("zendesk", TICKET) == []


def test_a_comment_stored_but_answered_too_late_is_found_before_writing_again(hd):
    client = ZendeskClient(api(hd), timeout=httpx.Timeout(0.3))
    hd.fail("zendesk", f"/api/v2/tickets/{TICKET}", delay=1.0, method="PUT")
    with pytest.raises(HelpdeskUnavailable, match="timed out"):
        client.write_back(WRITE)
    assert client.already_written(WRITE) is True  # so the job does not write it twice


def test_write_back_to_an_unknown_ticket_is_refused(zd):
    with pytest.raises(HelpdeskRefused, match="HTTP 404"):
        zd.write_back(WriteBack("999", "x (m)", (), "m"))


# ---- registry ----------------------------------------------------------------------------
def test_the_registry_builds_the_zendesk_client_from_the_settings(hd):
    settings = load_settings(
        zendesk_url=hd.url("zendesk"),
        zendesk_email=hd.zendesk_email,
        zendesk_token=hd.zendesk_token,
    )
    client = helpdesk_clients(settings)["zendesk"]
    assert isinstance(client, ZendeskClient) and client.source == "zendesk"
    assert client.person(USER).email == "ana@example.com"
