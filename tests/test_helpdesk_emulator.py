"""The helpdesk API emulator, driven by httpx over real HTTP.

cxbot's helpdesk clients are tested against this emulator, so what they rely on is
pinned here against /work/shared/helpdesks.md: each vendor's auth and error shape, the
documented examples field for field, write-back, paging, metrics and faults.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.helpdesk_emulator import HelpdeskEmulator

REPO = Path(__file__).resolve().parents[1]

# The examples of helpdesks.md, as written there (URLs that name the site left out).
ZENDESK_USER = {
    "id": 8447399911223, "name": "Ana Pop", "email": "ana@example.com", "locale": "ro",
    "locale_id": 1, "time_zone": "Bucharest", "iana_time_zone": "Europe/Bucharest",
    "role": "end-user", "verified": True, "active": True, "external_id": None,
    "organization_id": None, "tags": [], "user_fields": {},
    "created_at": "2024-01-10T09:00:00Z", "updated_at": "2025-01-09T08:00:00Z",
}  # fmt: skip
ZENDESK_METRIC = {
    "id": 33, "ticket_id": 5158, "replies": 1, "reopens": 0,
    "reply_time_in_minutes": {"calendar": 16, "business": 16},
    "first_resolution_time_in_minutes": {"calendar": 1308, "business": 420},
    "full_resolution_time_in_minutes": {"calendar": 1308, "business": 420},
    "requester_wait_time_in_minutes": {"calendar": 1308, "business": 420},
    "agent_wait_time_in_minutes": {"calendar": 0, "business": 0},
    "solved_at": "2025-01-09T08:00:00Z",
}  # fmt: skip
FRESHDESK_CONTACT = {
    "id": 1, "name": "Rachel", "email": "rachel@freshdesk.com", "language": "en",
    "time_zone": "Brisbane", "phone": None, "mobile": None, "active": False,
    "company_id": None, "external_id": None, "custom_fields": {},
    "created_at": "2014-12-31T12:27:09+10:00", "updated_at": "2014-12-31T12:27:09+10:00",
}  # fmt: skip
FRESHDESK_TIME_ENTRY = {
    "id": 1, "ticket_id": 1228307, "agent_id": 1, "billable": True, "timer_running": False,
    "time_spent": "00:15", "executed_at": "2020-09-27T22:00:00Z", "created_at": "2020-09-28T12:14:00Z",
}  # fmt: skip
JIRA_USER = {
    "accountId": "5b10a2844c20165700ede21g", "accountType": "atlassian",
    "emailAddress": "mia@example.com", "displayName": "Mia Krystof", "active": True,
    "timeZone": "Australia/Sydney", "locale": "en_US",
}  # fmt: skip
JIRA_WORKLOGS = {"startAt": 0, "maxResults": 1048576, "total": 1}
JIRA_WORKLOG = {
    "id": "100028", "started": "2021-01-17T12:34:00.000+0000", "timeSpent": "3h 20m",
    "timeSpentSeconds": 12000,
}  # fmt: skip
INTERCOM_CONTACT = {
    "type": "contact", "id": "6762f0d01bb69f9f2193bb7d", "external_id": "70",
    "role": "user", "email": "joe@bloggs.com", "phone": None, "name": "Joe Bloggs",
    "language_override": None, "browser_language": "en-GB",
    "location": {"type": "location", "country": "Ireland", "region": "Dublin", "city": "Dublin",
                 "country_code": "IRL", "continent_code": "EU"},
    "created_at": 1734537424, "updated_at": 1734537424, "last_seen_at": None,
    "custom_attributes": {}, "unsubscribed_from_emails": False,
}  # fmt: skip
INTERCOM_STATISTICS = {
    "type": "conversation_statistics", "time_to_admin_reply": 310, "time_to_first_close": 1800,
    "median_time_to_reply": 310, "first_contact_reply_at": 1736330000, "last_close_at": 1736331800,
    "count_reopens": 0, "count_assignments": 1, "count_conversation_parts": 4,
    "handling_time": 1800, "adjusted_handling_time": 640,
}  # fmt: skip


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


def client(hd: HelpdeskEmulator, vendor: str, timeout: float = 5.0) -> httpx.Client:
    """An httpx client authenticated the way the vendor documents it."""
    auth: Any = {
        "zendesk": hd.zendesk_auth,
        "freshdesk": hd.freshdesk_auth,
        "jira": hd.jira_auth,
        "intercom": None,
    }[vendor]
    headers = hd.intercom_headers if vendor == "intercom" else {}
    return httpx.Client(base_url=hd.url(vendor), auth=auth, headers=headers, timeout=timeout)


def subset(actual: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any]:
    """``actual`` restricted to ``expected``'s keys, so a mismatch diff shows only those."""
    return {key: actual.get(key, "<missing>") for key in expected}


# ---- auth -----------------------------------------------------------------------
WRONG_AUTH = {
    "zendesk": ("/api/v2/users/8447399911223", {"Authorization": "Basic " + base64.b64encode(b"cxbot@acme.com:zd-test-token").decode()}),
    "freshdesk": ("/api/v2/contacts/1", {"Authorization": "Basic " + base64.b64encode(b"wrong-key:X").decode()}),
    "jira": ("/rest/api/3/user?accountId=5b10a2844c20165700ede21g", {"Authorization": "Bearer jira-test-token"}),
    "intercom": ("/contacts/6762f0d01bb69f9f2193bb7d", {"Authorization": "Bearer wrong"}),
}  # fmt: skip
UNAUTHORIZED = {
    "zendesk": {"error": "Couldn't authenticate you"},
    "freshdesk": {"code": "invalid_credentials", "message": "You have to be logged in to perform this action."},
    "jira": {"errorMessages": ["Client must be authenticated to access this resource."], "errors": {}},
    "intercom": {"type": "error.list", "errors": [{"code": "unauthorized", "message": "Access Token Invalid"}]},
}  # fmt: skip


@pytest.mark.parametrize("vendor", sorted(WRONG_AUTH))
def test_wrong_credentials_answer_401_in_the_vendors_shape(
    hd: HelpdeskEmulator, vendor: str
) -> None:
    path, headers = WRONG_AUTH[vendor]
    response = httpx.get(hd.url(vendor) + path, headers=headers)
    assert response.status_code == 401
    assert subset(response.json(), UNAUTHORIZED[vendor]) == UNAUTHORIZED[vendor]
    assert hd.calls(vendor)[-1]["status"] == 401


def test_freshdesk_accepts_any_password_with_the_api_key(hd: HelpdeskEmulator) -> None:
    response = httpx.get(
        hd.url("freshdesk") + "/api/v2/contacts/1", auth=(hd.freshdesk_api_key, "anything")
    )
    assert response.status_code == 200


# ---- look-ups: helpdesks.md's examples field for field ----------------------------
def test_zendesk_user_matches_the_documented_example(hd: HelpdeskEmulator) -> None:
    with client(hd, "zendesk") as zd:
        for path in ("/api/v2/users/8447399911223", "/api/v2/users/8447399911223.json"):
            user = zd.get(path).json()["user"]
            assert subset(user, ZENDESK_USER) == ZENDESK_USER
        missing = zd.get("/api/v2/users/1")
    assert missing.status_code == 404
    assert missing.json()["error"] == "RecordNotFound"


def test_zendesk_ticket_metrics_and_fields(hd: HelpdeskEmulator) -> None:
    with client(hd, "zendesk") as zd:
        ticket = zd.get("/api/v2/tickets/5158").json()["ticket"]
        metric = zd.get("/api/v2/tickets/5158/metrics.json").json()["ticket_metric"]
        fields = zd.get("/api/v2/ticket_fields").json()["ticket_fields"]
    assert (ticket["status"], ticket["requester_id"], ticket["tags"]) == (
        "solved",
        8447399911223,
        ["printer", "vip"],
    )
    assert subset(metric, ZENDESK_METRIC) == ZENDESK_METRIC
    total = next(f["id"] for f in fields if f["title"] == "Total time spent (sec)")
    assert {"id": total, "value": None} in ticket["custom_fields"]  # no Time Tracking figure


def test_freshdesk_contact_ticket_and_time_entries(hd: HelpdeskEmulator) -> None:
    with client(hd, "freshdesk") as fd:
        contact = fd.get("/api/v2/contacts/1").json()
        ticket = fd.get("/api/v2/tickets/1228307").json()
        entries = fd.get("/api/v2/tickets/1228307/time_entries").json()
        missing = fd.get("/api/v2/contacts/999")
    assert contact == FRESHDESK_CONTACT
    assert (ticket["status"], ticket["requester_id"], ticket["description"]) == (
        4,
        1,
        "<div>Please refund order 1001.</div>",
    )
    assert [subset(entries[0], FRESHDESK_TIME_ENTRY)] == [FRESHDESK_TIME_ENTRY] and len(
        entries
    ) == 1
    assert missing.status_code == 404


def test_jira_user_visible_and_hidden_email(hd: HelpdeskEmulator) -> None:
    with client(hd, "jira") as jira:
        user = jira.get("/rest/api/3/user", params={"accountId": "5b10a2844c20165700ede21g"}).json()
        hidden = jira.get("/rest/api/3/user", params={"accountId": "qm:1a2b3c4d-0001"}).json()
        issue = jira.get("/rest/api/3/issue/SUP-42").json()
        unknown = jira.get("/rest/api/3/user", params={"accountId": "nobody"})
    assert subset(user, JIRA_USER) == JIRA_USER
    assert (hidden["emailAddress"], hidden["locale"], hidden["accountType"]) == (
        None,
        None,
        "customer",
    )
    reporter = issue["fields"]["reporter"]
    assert reporter["accountId"] == "qm:1a2b3c4d-0001" and "emailAddress" not in reporter
    assert issue["fields"]["status"]["statusCategory"]["key"] == "done"
    assert unknown.status_code == 404 and unknown.json()["errorMessages"]


def test_jira_worklog_comments_and_changelog(hd: HelpdeskEmulator) -> None:
    with client(hd, "jira") as jira:
        worklogs = jira.get("/rest/api/3/issue/SUP-42/worklog").json()
        comments = jira.get("/rest/api/3/issue/10042/comment", params={"startAt": 1}).json()
        changelog = jira.get("/rest/api/3/issue/SUP-42/changelog").json()
    assert subset(worklogs, JIRA_WORKLOGS) == JIRA_WORKLOGS
    assert subset(worklogs["worklogs"][0], JIRA_WORKLOG) == JIRA_WORKLOG
    assert (comments["startAt"], comments["maxResults"], comments["total"]) == (1, 50, 2)
    assert [c["body"]["content"][0]["content"][0]["text"] for c in comments["comments"]] == [
        "It works now."
    ]
    moves = [(i["fromString"], i["toString"]) for v in changelog["values"] for i in v["items"]]
    assert moves == [("To Do", "In Progress"), ("In Progress", "Done")]


def test_intercom_contact_me_and_conversation(hd: HelpdeskEmulator) -> None:
    with client(hd, "intercom") as ic:
        contact = ic.get("/contacts/6762f0d01bb69f9f2193bb7d").json()
        lead = ic.get("/contacts/6762f0d01bb69f9f2193bb7e").json()
        me = ic.get("/me").json()
        conversation = ic.get("/conversations/215473052").json()
    assert subset(contact, INTERCOM_CONTACT) == INTERCOM_CONTACT
    assert (lead["role"], lead["email"]) == ("lead", None)
    assert (me["type"], me["id"]) == ("admin", hd.intercom_admin_id)
    assert subset(conversation["statistics"], INTERCOM_STATISTICS) == INTERCOM_STATISTICS
    assert conversation["contacts"]["contacts"] == [
        {"type": "contact", "id": "6762f0d01bb69f9f2193bb7d", "external_id": "70"}
    ]
    parts = conversation["conversation_parts"]["conversation_parts"]
    assert [(p["part_type"], p["author"]["type"]) for p in parts] == [
        ("comment", "admin"),
        ("comment", "user"),
        ("close", "admin"),
    ]


def test_intercom_merged_contact_is_404_and_old_versions_lack_handling_time(
    hd: HelpdeskEmulator,
) -> None:
    hd.add_person(
        "intercom", "old-id", email="x@example.com", merged_into="6762f0d01bb69f9f2193bb7d"
    )
    with client(hd, "intercom") as ic:
        merged = ic.get("/contacts/old-id")
        old = ic.get("/conversations/215473052", headers={"Intercom-Version": "2.12"}).json()
    assert merged.status_code == 404
    assert merged.json()["errors"][0]["code"] == "not_found"
    assert (
        "handling_time" not in old["statistics"]
        and "adjusted_handling_time" not in old["statistics"]
    )


# ---- neutral seeding → each vendor's figures -----------------------------------
def test_one_neutral_handle_time_becomes_each_vendors_own_figure(hd: HelpdeskEmulator) -> None:
    for vendor in ("zendesk", "freshdesk", "jira", "intercom"):
        hd.add_person(vendor, "77", email="c@example.com")
        hd.add_ticket(vendor, "SUP-7" if vendor == "jira" else "7", status="solved", requester_id="77",
                      handle_time_seconds=5400, history=["open", "solved", "open", "solved"])  # fmt: skip
        hd.add_ticket(
            vendor, "SUP-8" if vendor == "jira" else "8", status="solved", requester_id="77"
        )
    with client(hd, "zendesk") as zd:
        fields = zd.get("/api/v2/tickets/7").json()["ticket"]["custom_fields"]
        reopens = zd.get("/api/v2/tickets/7/metrics").json()["ticket_metric"]["reopens"]
    with client(hd, "freshdesk") as fd:
        entries = [fd.get(f"/api/v2/tickets/{t}/time_entries").json() for t in (7, 8)]
    with client(hd, "jira") as jira:
        logs = [
            jira.get(f"/rest/api/3/issue/{k}/worklog").json()["worklogs"]
            for k in ("SUP-7", "SUP-8")
        ]
    with client(hd, "intercom") as ic:
        stats = [ic.get(f"/conversations/{c}").json()["statistics"] for c in (7, 8)]
    assert (next(f["value"] for f in fields if f["value"] is not None), reopens) == (5400, 1)
    assert [[e["time_spent"] for e in got] for got in entries] == [["01:30"], []]
    assert [[w["timeSpentSeconds"] for w in got] for got in logs] == [[5400], []]
    assert [(s["adjusted_handling_time"], s["count_reopens"]) for s in stats] == [
        (5400, 1),
        (None, 0),
    ]


def test_paging_zendesk_comments_and_freshdesk_conversations(hd: HelpdeskEmulator) -> None:
    comments = [{"author": "agent" if i % 2 else "customer", "body": f"c{i}"} for i in range(149)]
    hd.add_ticket("zendesk", 9, requester_id=8447399911223, comments=comments)
    hd.add_ticket("freshdesk", 9, requester_id=1, comments=comments)
    with client(hd, "zendesk") as zd:
        first = zd.get("/api/v2/tickets/9/comments.json").json()
        second = httpx.get(first["next_page"], auth=hd.zendesk_auth).json()
    with client(hd, "freshdesk") as fd:
        page1 = fd.get("/api/v2/tickets/9/conversations")
        last = fd.get("/api/v2/tickets/9/conversations", params={"per_page": 100, "page": 2}).json()
    assert (
        len(first["comments"]),
        len(second["comments"]),
        second["next_page"],
        first["count"],
    ) == (100, 50, None, 150)
    assert first["comments"][0]["body"] == "I need help."  # the opener is comment 1
    assert len(page1.json()) == 30 and 'rel="next"' in page1.headers["Link"]
    assert len(last) == 49 and last[-1]["body_text"] == "c148"


# ---- write-back -----------------------------------------------------------------
def test_zendesk_private_comment_is_stored_and_listed(hd: HelpdeskEmulator) -> None:
    body = {"ticket": {"comment": {"body": "cxbot: CSAT 4/5", "public": False}}}
    with client(hd, "zendesk") as zd:
        hd.add_ticket("zendesk", 11, status="open", requester_id=8447399911223)
        answer = zd.put("/api/v2/tickets/11", json=body)
        forgot = zd.put("/api/v2/tickets/11.json", json={"ticket": {"comment": {"body": "oops"}}})
        listed = zd.get("/api/v2/tickets/11/comments").json()["comments"]
    assert answer.status_code == 200 and set(answer.json()) == {"ticket", "audit"}
    assert answer.json()["audit"]["events"][0]["public"] is False
    assert forgot.status_code == 200
    assert [(n["text"], n["public"]) for n in hd.notes("zendesk", 11)] == [
        ("cxbot: CSAT 4/5", False),
        ("oops", True),
    ]
    assert [(c["body"], c["public"]) for c in listed[1:]] == [
        ("cxbot: CSAT 4/5", False),
        ("oops", True),
    ]


def test_zendesk_tags_put_adds_post_replaces_delete_removes(hd: HelpdeskEmulator) -> None:
    with client(hd, "zendesk") as zd:
        added = zd.put("/api/v2/tickets/5158/tags", json={"tags": ["cxbot_csat_4"]})
        assert (added.status_code, added.json()) == (
            200,
            {"tags": ["printer", "vip", "cxbot_csat_4"]},
        )
        replaced = zd.post("/api/v2/tickets/5158/tags.json", json={"tags": ["cxbot_csat_5"]})
        assert (replaced.status_code, replaced.json()) == (201, {"tags": ["cxbot_csat_5"]})
        removed = zd.request("DELETE", "/api/v2/tickets/5158/tags", json={"tags": ["cxbot_csat_5"]})
        assert removed.status_code == 204
    assert hd.tags("zendesk", 5158) == []


def test_zendesk_closed_ticket_refuses_updates_with_422(hd: HelpdeskEmulator) -> None:
    hd.add_ticket("zendesk", 12, status="closed", requester_id=8447399911223, tags=["old"])
    with client(hd, "zendesk") as zd:
        comment = zd.put(
            "/api/v2/tickets/12", json={"ticket": {"comment": {"body": "x", "public": False}}}
        )
        tags = zd.put("/api/v2/tickets/12/tags", json={"tags": ["cxbot_csat_4"]})
    assert (comment.status_code, tags.status_code) == (422, 422)
    assert comment.json()["error"] == "RecordInvalid"
    assert hd.notes("zendesk", 12) == [] and hd.tags("zendesk", 12) == ["old"]


def test_zendesk_safe_update_with_a_stale_stamp_is_409(hd: HelpdeskEmulator) -> None:
    with client(hd, "zendesk") as zd:
        stale = zd.put(
            "/api/v2/tickets/5158/tags",
            json={"tags": ["a"], "safe_update": "true", "updated_stamp": "2020-01-01T00:00:00Z"},
        )
        fresh = zd.put(
            "/api/v2/tickets/5158/tags",
            json={"tags": ["a"], "safe_update": "true", "updated_stamp": "2025-01-09T08:00:00Z"},
        )
    assert (stale.status_code, fresh.status_code) == (409, 200)


def test_freshdesk_private_note(hd: HelpdeskEmulator) -> None:
    with client(hd, "freshdesk") as fd:
        note = fd.post(
            "/api/v2/tickets/1228307/notes",
            json={"body": "<p>cxbot: CSAT 4/5</p>", "private": True},
        )
        blank = fd.post("/api/v2/tickets/1228307/notes", json={"private": True})
        listed = fd.get("/api/v2/tickets/1228307/conversations").json()
    assert note.status_code == 201
    assert subset(note.json(), {"body": "<p>cxbot: CSAT 4/5</p>", "body_text": "cxbot: CSAT 4/5", "incoming": False,
                                "private": True, "source": 2, "ticket_id": 1228307})  # fmt: skip
    assert blank.status_code == 400
    assert (
        blank.json()["description"] == "Validation failed"
        and blank.json()["errors"][0]["field"] == "body"
    )
    assert listed[-1]["private"] is True
    assert [(n["kind"], n["text"], n["public"]) for n in hd.notes("freshdesk", 1228307)] == [
        ("note", "cxbot: CSAT 4/5", False)
    ]


def test_jira_internal_adf_comment_and_jsm_comment(hd: HelpdeskEmulator) -> None:
    adf = {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": "cxbot: CSAT 4/5"}]}
        ],
    }
    internal = [{"key": "sd.public.comment", "value": {"internal": True}}]
    with client(hd, "jira") as jira:
        comment = jira.post(
            "/rest/api/3/issue/SUP-42/comment", json={"body": adf, "properties": internal}
        )
        string_body = jira.post("/rest/api/3/issue/SUP-42/comment", json={"body": "plain"})
        jsm = jira.post(
            "/rest/servicedeskapi/request/SUP-42/comment",
            json={"body": "cxbot: NPS 9", "public": False},
        )
    assert comment.status_code == 201
    assert (comment.json()["jsdPublic"], comment.json()["body"]) == (False, adf)
    assert string_body.status_code == 400 and "comment" in string_body.json()["errors"]
    assert jsm.status_code == 201 and subset(
        jsm.json(), {"body": "cxbot: NPS 9", "public": False}
    ) == {"body": "cxbot: NPS 9", "public": False}
    notes = [(n["kind"], n["text"], n["public"]) for n in hd.notes("jira", "SUP-42")]
    assert notes == [("comment", "cxbot: CSAT 4/5", False), ("jsm_comment", "cxbot: NPS 9", False)]


def test_intercom_note_reply_and_validation(hd: HelpdeskEmulator) -> None:
    note = {
        "message_type": "note",
        "type": "admin",
        "admin_id": hd.intercom_admin_id,
        "body": "<p>cxbot: CSAT 4/5</p>",
    }
    with client(hd, "intercom") as ic:
        answer = ic.post("/conversations/215473052/reply", json=note)
        no_admin = ic.post("/conversations/215473052/reply", json={**note, "admin_id": None})
        missing = ic.post("/conversations/404/reply", json=note)
    assert answer.status_code == 200 and answer.json()["state"] == "closed"
    assert answer.json()["conversation_parts"]["conversation_parts"][-1]["part_type"] == "note"
    assert no_admin.status_code == 400
    assert no_admin.json()["errors"] == [
        {"code": "parameter_not_found", "message": "admin_id not specified"}
    ]
    assert missing.status_code == 404
    assert [(n["kind"], n["public"]) for n in hd.notes("intercom", 215473052)] == [("note", False)]


def test_bad_json_is_400_in_the_vendors_shape(hd: HelpdeskEmulator) -> None:
    with client(hd, "zendesk") as zd:
        answer = zd.put(
            "/api/v2/tickets/5158",
            content=b"{not json",
            headers={"Content-Type": "application/json"},
        )
    assert answer.status_code == 400 and "error" in answer.json()


# ---- faults ---------------------------------------------------------------------
LOOKUPS = {
    "zendesk": "/api/v2/users/8447399911223",
    "freshdesk": "/api/v2/contacts/1",
    "jira": "/rest/api/3/user?accountId=5b10a2844c20165700ede21g",
    "intercom": "/contacts/6762f0d01bb69f9f2193bb7d",
}
RATE_LIMIT_HEADERS = {
    "zendesk": {"Retry-After", "X-Rate-Limit", "X-Rate-Limit-Remaining"},
    "freshdesk": {"Retry-After", "X-RateLimit-Total", "X-RateLimit-Remaining", "X-RateLimit-Used-CurrentRequest"},
    "jira": {"Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "RateLimit-Reason"},
    "intercom": {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"},
}  # fmt: skip


@pytest.mark.parametrize("vendor", sorted(LOOKUPS))
def test_429_carries_the_vendors_headers_then_the_call_succeeds(
    hd: HelpdeskEmulator, vendor: str
) -> None:
    path = LOOKUPS[vendor].split("?")[0]
    hd.fail(vendor, path, status=429, times=2, retry_after=7)
    with client(hd, vendor) as api:
        answers = [api.get(LOOKUPS[vendor]) for _ in range(3)]
    assert [a.status_code for a in answers] == [429, 429, 200]
    limited = answers[0].headers  # case-insensitive, as HTTP header names are
    assert all(name in limited for name in RATE_LIMIT_HEADERS[vendor])
    assert limited.get("X-RateLimit-Remaining", limited.get("X-Rate-Limit-Remaining")) == "0"
    if vendor == "intercom":
        assert "Retry-After" not in limited
        assert int(time.time()) + 5 <= int(limited["X-RateLimit-Reset"]) <= int(time.time()) + 9
    else:
        assert limited["Retry-After"] == "7"
    assert [c["status"] for c in hd.calls(vendor)] == [429, 429, 200]


def test_5xx_faults_leave_the_ticket_untouched(hd: HelpdeskEmulator) -> None:
    hd.fail("freshdesk", "/api/v2/tickets/*/notes", status=503, retry_after=3)
    hd.fail("freshdesk", "/api/v2/tickets/*/notes", status=500)
    with client(hd, "freshdesk") as fd:
        answers = [
            fd.post("/api/v2/tickets/1228307/notes", json={"body": "n", "private": True})
            for _ in range(3)
        ]
    assert [a.status_code for a in answers] == [503, 500, 201]
    assert answers[0].headers["Retry-After"] == "3"
    assert len(hd.notes("freshdesk", 1228307)) == 1


def test_timeout_fault_the_write_happens_but_the_reply_is_too_late(hd: HelpdeskEmulator) -> None:
    hd.fail("jira", "/rest/servicedeskapi/request/*/comment", delay=2.0)
    with client(hd, "jira", timeout=0.5) as jira:
        with pytest.raises(httpx.ReadTimeout):
            jira.post(
                "/rest/servicedeskapi/request/SUP-42/comment",
                json={"body": "late", "public": False},
            )
        again = jira.get("/rest/api/3/issue/SUP-42")
    assert again.status_code == 200
    assert [n["text"] for n in hd.notes("jira", "SUP-42")] == [
        "late"
    ]  # a blind retry would write twice


def test_timeout_fault_with_a_status_writes_nothing(hd: HelpdeskEmulator) -> None:
    hd.fail("zendesk", "/api/v2/tickets/*/tags", status=504, delay=1.0, method="PUT")
    with client(hd, "zendesk", timeout=0.3) as zd:
        with pytest.raises(httpx.ReadTimeout):
            zd.put("/api/v2/tickets/5158/tags", json={"tags": ["x"]})
        assert zd.put("/api/v2/tickets/5158/tags", json={"tags": ["x"]}).status_code == 200
    assert hd.tags("zendesk", 5158) == ["printer", "vip", "x"]


# ---- control API, subprocess, persistence ----------------------------------------
def test_control_api_from_a_second_client(hd: HelpdeskEmulator) -> None:
    control = httpx.Client(base_url=hd.base_url + "/_emulator")
    seeded = control.post(
        "/people", json={"vendor": "zendesk", "id": 501, "email": "z@example.com", "locale": "de"}
    )
    control.post(
        "/tickets", json=[{"vendor": "zendesk", "id": 601, "status": "solved", "requester_id": 501}]
    )
    control.post("/faults", json={"vendor": "zendesk", "path": "/api/v2/users/*", "status": 429})
    with client(hd, "zendesk") as zd:
        codes = [zd.get("/api/v2/users/501").status_code for _ in range(2)]
        zd.put("/api/v2/tickets/601/tags", json={"tags": ["cxbot_csat_5"]})
    health = control.get("/health").json()
    calls = control.get(
        "/calls", params={"vendor": "zendesk", "path_prefix": "/api/v2/users"}
    ).json()
    tags = control.get("/tags", params={"vendor": "zendesk", "ticket": "601"}).json()
    assert seeded.json()["ok"] and codes == [429, 200]
    assert (
        health["urls"]["zendesk"] == hd.url("zendesk")
        and health["env"]["CXBOT_ZENDESK_TOKEN"] == hd.zendesk_token
    )
    assert [c["status"] for c in calls] == [429, 200]
    assert tags == ["cxbot_csat_5"]
    assert control.post("/reset", json={}).json() == {"ok": True}
    assert control.get("/tags", params={"vendor": "zendesk", "ticket": "601"}).json() == []
    assert control.get("/calls").json() == []
    assert control.post("/faults", json={"vendor": "nope"}).status_code == 400


def test_python_m_prints_the_base_url_and_serves(tmp_path: Path) -> None:
    state_file = tmp_path / "helpdesk.json"
    command = [
        sys.executable,
        "-m",
        "bot.helpdesk_emulator",
        "--port",
        "0",
        "--state-file",
        str(state_file),
    ]
    for run in range(2):
        process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True)
        try:
            assert process.stdout is not None
            base_url = process.stdout.readline().strip()
            assert base_url.startswith("http://127.0.0.1:")
            health = httpx.get(base_url + "/_emulator/health").json()
            token = health["credentials"]["intercom"]["token"]
            headers = {"Authorization": f"Bearer {token}"}
            if run == 0:
                note = {
                    "message_type": "note",
                    "type": "admin",
                    "admin_id": health["credentials"]["intercom"]["admin_id"],
                    "body": "kept",
                }
                assert (
                    httpx.post(
                        base_url + "/intercom/conversations/215473052/reply",
                        json=note,
                        headers=headers,
                    ).status_code
                    == 200
                )
            else:  # a restart resumes from the state file
                notes = httpx.get(
                    base_url + "/_emulator/notes",
                    params={"vendor": "intercom", "ticket": "215473052"},
                ).json()
                assert [n["body"] for n in notes] == ["kept"]
        finally:
            process.terminate()
            process.wait(timeout=10)
    assert (
        json.loads(state_file.read_text())["tickets"]["intercom"]["215473052"]["notes"][0]["body"]
        == "kept"
    )


def test_wait_for_sees_a_call_made_from_another_thread(hd: HelpdeskEmulator) -> None:
    import threading

    threading.Timer(
        0.1, lambda: httpx.get(hd.url("intercom") + "/me", headers=hd.intercom_headers)
    ).start()
    call = hd.wait_for("intercom", "GET", "/me", timeout=5)
    assert call["status"] == 200 and call["headers"]["Intercom-Version"] == "2.14"


def test_zendesk_update_can_close_a_ticket_which_then_locks(hd: HelpdeskEmulator) -> None:
    hd.add_ticket("zendesk", 13, status="solved", requester_id=8447399911223)
    with client(hd, "zendesk") as zd:
        bogus = zd.put("/api/v2/tickets/13", json={"ticket": {"status": "archived"}})
        closed = zd.put("/api/v2/tickets/13", json={"ticket": {"status": "closed"}})
        after = zd.put("/api/v2/tickets/13/tags", json={"tags": ["late"]})
    assert (bogus.status_code, closed.status_code, after.status_code) == (422, 200, 422)
    assert closed.json()["ticket"]["status"] == "closed"
