"""The Intercom REST client against the local helpdesk emulator (real HTTP, shared/helpdesks.md §4)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bot.helpdesk_emulator import HelpdeskEmulator
from bot.helpdesk_emulator.examples import INTERCOM_CONTACT, INTERCOM_CONVERSATION, INTERCOM_LEAD
from bot.helpdesks.api import HelpdeskRefused, HelpdeskUnavailable, Person, TicketFigures, WriteBack
from bot.helpdesks.intercom import IntercomClient, make_client, note_html
from bot.helpdesks.registry import helpdesk_clients
from bot.settings import HelpdeskApi, load_settings


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


def api(hd: HelpdeskEmulator, token: str | None = None) -> HelpdeskApi:
    return HelpdeskApi("intercom", hd.url("intercom"), "", token or hd.intercom_token)


@pytest.fixture
def intercom(hd: HelpdeskEmulator) -> IntercomClient:
    return make_client(api(hd))


def write(marker: str = "cxbot:r12.1") -> WriteBack:
    return WriteBack(INTERCOM_CONVERSATION, "CSAT 4/5\n“fast & kind”", ("cxbot_csat_4",), marker)


def test_the_registry_builds_it_from_the_settings(hd: HelpdeskEmulator):
    settings = load_settings(
        intercom_token=hd.intercom_token, intercom_url=hd.url("intercom"), _env_file=None
    )
    client = helpdesk_clients(settings)["intercom"]
    assert client.source == "intercom"
    assert client.person(INTERCOM_CONTACT).email == "joe@bloggs.com"


def test_a_contact_is_looked_up_with_the_bearer_token_and_api_version(hd, intercom):
    assert intercom.person(INTERCOM_CONTACT) == Person("joe@bloggs.com", "Joe Bloggs", "en-GB")
    [seen] = hd.calls("intercom")
    assert (seen["method"], seen["path"], seen["status"]) == (
        "GET",
        f"/contacts/{INTERCOM_CONTACT}",
        200,
    )
    headers = {key.lower(): value for key, value in seen["headers"].items()}
    assert headers["authorization"] == f"Bearer {hd.intercom_token}"
    assert headers["intercom-version"] == "2.14"


def test_a_lead_without_email_is_a_person_without_email(intercom):
    assert intercom.person(INTERCOM_LEAD) == Person(None, "Visitor 7", "en")


def test_the_language_override_wins_over_the_browser_language(hd, intercom):
    hd.add_person("intercom", "c-fr", email="zoe@example.com", locale="en-US",
                  overrides={"language_override": "fr"})  # fmt: skip
    assert intercom.person("c-fr").locale == "fr"


def test_a_merged_or_unknown_contact_is_refused_not_retried(hd, intercom):
    hd.add_person("intercom", "c-old", email="old@example.com", merged_into=INTERCOM_CONTACT)
    for ref in ("c-old", "nobody"):
        with pytest.raises(HelpdeskRefused, match="HTTP 404"):
            intercom.person(ref)


def test_a_wrong_token_is_refused_with_what_to_check(hd):
    with pytest.raises(HelpdeskRefused, match="401 — check the API credentials"):
        make_client(api(hd, "wrong")).person(INTERCOM_CONTACT)


def test_429_waits_until_the_rate_limit_reset(hd, intercom):
    hd.fail("intercom", "/contacts/*", status=429, retry_after=30)
    with pytest.raises(HelpdeskUnavailable, match="HTTP 429") as caught:
        intercom.person(INTERCOM_CONTACT)
    assert caught.value.retry_after is not None and 25 <= caught.value.retry_after <= 31
    assert intercom.person(INTERCOM_CONTACT).email == "joe@bloggs.com"  # the fault was once


def test_500_is_worth_retrying(hd, intercom):
    hd.fail("intercom", "/contacts/*", status=500)
    with pytest.raises(HelpdeskUnavailable, match="HTTP 500"):
        intercom.person(INTERCOM_CONTACT)


def test_a_timeout_is_worth_retrying(hd):
    hd.fail("intercom", "/contacts/*", delay=2)
    slow = IntercomClient(api(hd), timeout=httpx.Timeout(0.3))
    with pytest.raises(HelpdeskUnavailable, match="timed out"):
        slow.person(INTERCOM_CONTACT)


def test_figures_are_the_statistics_and_the_parts(intercom):
    assert intercom.figures(INTERCOM_CONVERSATION) == TicketFigures(
        handle_time_seconds=640,  # adjusted_handling_time, not the wall-clock handling_time
        customer_replies=1,  # "Done, thanks!" after the opener
        agent_replies=1,
        reopens=0,
    )


def test_figures_the_conversation_does_not_record_are_none_never_0(hd, intercom):
    hd.add_ticket("intercom", "c-2", status="closed", requester_id=INTERCOM_CONTACT,
                  comments=[{"author": "agent", "body": "Fixed."}],
                  statistics={"count_reopens": None, "count_conversation_parts": 2})  # fmt: skip
    assert intercom.figures("c-2") == TicketFigures(None, 0, 1, None)


def test_more_than_500_parts_means_no_reply_counts(hd, intercom):
    hd.add_ticket("intercom", "c-3", status="closed", requester_id=INTERCOM_CONTACT,
                  handle_time_seconds=300, statistics={"count_conversation_parts": 731})  # fmt: skip
    assert intercom.figures("c-3") == TicketFigures(300, None, None, 0)


def part(author_type: str, **author) -> dict:
    return {"type": "conversation_part", "part_type": "comment", "body": "<p>…</p>",
            "author": {"type": author_type, "id": "1", **author}}  # fmt: skip


def test_fins_replies_are_not_agent_replies(hd, intercom):
    parts = [part("admin", from_ai_agent=True), part("user"), part("admin", from_ai_agent=False)]
    listing = {"type": "conversation_part.list", "conversation_parts": parts, "total_count": 3}
    hd.add_ticket("intercom", "c-4", status="closed", requester_id=INTERCOM_CONTACT,
                  overrides={"conversation_parts": listing})  # fmt: skip
    assert intercom.figures("c-4").agent_replies == 1


def test_an_admin_initiated_conversation_counts_no_opener(hd, intercom):
    parts = [part("user"), part("admin"), part("lead")]
    listing = {"type": "conversation_part.list", "conversation_parts": parts, "total_count": 3}
    hd.add_ticket("intercom", "c-5", status="closed", requester_id=INTERCOM_CONTACT,
                  overrides={"conversation_parts": listing,
                             "source": {"delivered_as": "admin_initiated"}})  # fmt: skip
    figures = intercom.figures("c-5")
    assert (figures.customer_replies, figures.agent_replies) == (
        1,
        1,
    )  # 2 contacts, 1 of them first


def test_the_score_is_a_note_by_the_tokens_admin(hd, intercom):
    intercom.write_back(write())
    [note] = hd.notes("intercom", INTERCOM_CONVERSATION)
    assert note["request"] == {
        "message_type": "note",
        "type": "admin",
        "admin_id": hd.intercom_admin_id,
        "body": "<p>CSAT 4/5</p><p>“fast &amp; kind”</p><p>cxbot:r12.1</p>",
    }
    assert note["public"] is False
    assert hd.tags("intercom", INTERCOM_CONVERSATION) == []  # tags need an existing tag id
    assert hd.ticket("intercom", INTERCOM_CONVERSATION)["status"] == "closed"


def test_the_admin_id_is_asked_once(hd, intercom):
    intercom.write_back(write("cxbot:r1.1"))
    intercom.write_back(write("cxbot:r1.2"))
    assert [c["path"] for c in hd.calls("intercom", "GET")] == ["/me"]


def test_a_written_note_is_found_by_its_marker(intercom):
    assert intercom.already_written(write()) is False
    intercom.write_back(write())
    assert intercom.already_written(write()) is True
    assert intercom.already_written(write("cxbot:r12.2")) is False


def test_a_failed_write_is_reported_as_the_vendor_answered(hd, intercom):
    hd.fail("intercom", "/conversations/*/reply", status=429, retry_after=5)
    with pytest.raises(
        HelpdeskUnavailable, match="Intercom note on conversation 215473052: HTTP 429"
    ):
        intercom.write_back(write())
    assert hd.notes("intercom", INTERCOM_CONVERSATION) == []
    intercom.write_back(write())
    assert len(hd.notes("intercom", INTERCOM_CONVERSATION)) == 1


def test_a_note_on_a_missing_conversation_is_refused(intercom):
    with pytest.raises(HelpdeskRefused, match="HTTP 404"):
        intercom.write_back(WriteBack("999", "CSAT 5/5", (), "cxbot:r3.1"))


def test_the_marker_is_added_once():
    assert note_html(WriteBack("1", "CSAT 5/5 cxbot:r3.1", (), "cxbot:r3.1")) == (
        "<p>CSAT 5/5 cxbot:r3.1</p>"
    )
