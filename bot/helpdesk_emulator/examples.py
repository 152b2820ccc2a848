"""The people and tickets of helpdesks.md's examples, seeded by default.

Values are the document's, so a test can compare an emulator answer with the example
field for field, and ``cxbot demo`` has one customer and one solved ticket per vendor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .emulator import HelpdeskEmulator

ZENDESK_USER, ZENDESK_TICKET = "8447399911223", "5158"
FRESHDESK_CONTACT, FRESHDESK_TICKET = "1", "1228307"
JIRA_USER, JIRA_REPORTER, JIRA_ISSUE = "5b10a2844c20165700ede21g", "qm:1a2b3c4d-0001", "SUP-42"
INTERCOM_CONTACT, INTERCOM_LEAD, INTERCOM_CONVERSATION = (
    "6762f0d01bb69f9f2193bb7d",
    "6762f0d01bb69f9f2193bb7e",
    "215473052",
)


def seed_examples(hd: HelpdeskEmulator) -> None:
    _zendesk(hd)
    _freshdesk(hd)
    _jira(hd)
    _intercom(hd)


def _zendesk(hd: HelpdeskEmulator) -> None:
    hd.add_person(
        "zendesk",
        ZENDESK_USER,
        name="Ana Pop",
        email="ana@example.com",
        locale="ro",
        time_zone="Europe/Bucharest",
        created_at="2024-01-10T09:00:00Z",
        updated_at="2025-01-09T08:00:00Z",
    )
    hd.add_ticket(
        "zendesk",
        ZENDESK_TICKET,
        status="solved",
        requester_id=ZENDESK_USER,
        subject="Printer on fire",
        description="Printer is on fire",
        tags=["printer", "vip"],
        created_at="2025-01-08T10:12:07Z",
        updated_at="2025-01-09T08:00:00Z",
        comments=[
            {
                "author": "agent",
                "body": "Unplug it, a new one is on its way.",
                "created_at": "2025-01-08T10:28:07Z",
            }
        ],
        metrics={
            "id": 33,
            "reply_time_in_minutes": {"calendar": 16, "business": 16},
            "first_resolution_time_in_minutes": {"calendar": 1308, "business": 420},
            "full_resolution_time_in_minutes": {"calendar": 1308, "business": 420},
            "requester_wait_time_in_minutes": {"calendar": 1308, "business": 420},
            "agent_wait_time_in_minutes": {"calendar": 0, "business": 0},
        },
    )


def _freshdesk(hd: HelpdeskEmulator) -> None:
    hd.add_person(
        "freshdesk",
        FRESHDESK_CONTACT,
        name="Rachel",
        email="rachel@freshdesk.com",
        locale="en",
        time_zone="Australia/Brisbane",
        overrides={
            "active": False,
            "created_at": "2014-12-31T12:27:09+10:00",
            "updated_at": "2014-12-31T12:27:09+10:00",
        },
    )
    hd.add_ticket(
        "freshdesk",
        FRESHDESK_TICKET,
        status="solved",
        requester_id=FRESHDESK_CONTACT,
        subject="Refund request",
        description="Please refund order 1001.",
        created_at="2020-09-27T21:00:00Z",
        updated_at="2020-09-28T12:14:00Z",
        comments=[
            {"author": "agent", "body": "Refunded, it shows in 3 days."},
            {"author": "customer", "body": "Thanks!"},
        ],
        time_entries=[
            {
                "seconds": 900,
                "id": 1,
                "agent_id": 1,
                "executed_at": "2020-09-27T22:00:00Z",
                "created_at": "2020-09-28T12:14:00Z",
            }
        ],
    )


def _jira(hd: HelpdeskEmulator) -> None:
    hd.add_person(
        "jira",
        JIRA_USER,
        name="Mia Krystof",
        email="mia@example.com",
        locale="en_US",
        time_zone="Australia/Sydney",
        role="atlassian",
    )
    # A JSM portal customer whose profile hides the email (the default, §3.2).
    hd.add_person(
        "jira",
        JIRA_REPORTER,
        name="Ana Pop",
        email=None,
        locale=None,
        time_zone="Europe/Bucharest",
        role="customer",
    )
    hd.add_ticket(
        "jira",
        JIRA_ISSUE,
        status="solved",
        requester_id=JIRA_REPORTER,
        subject="Cannot log in",
        description="I cannot log in since this morning.",
        history=["open", "pending", "solved"],
        created_at="2025-01-08T08:00:00Z",
        updated_at="2025-01-09T08:00:00Z",
        comments=[
            {"author": "agent", "body": "Password reset sent."},
            {"author": "customer", "body": "It works now."},
        ],
        worklogs=[{"seconds": 12000, "id": "100028", "started": "2021-01-17T12:34:00.000+0000"}],
        overrides={"id": "10042"},
    )


def _intercom(hd: HelpdeskEmulator) -> None:
    hd.add_person(
        "intercom",
        INTERCOM_CONTACT,
        name="Joe Bloggs",
        email="joe@bloggs.com",
        locale="en-GB",
        role="user",
        external_id="70",
        created_at="2024-12-18T15:57:04Z",
        overrides={
            "location": {
                "country": "Ireland",
                "region": "Dublin",
                "city": "Dublin",
                "country_code": "IRL",
                "continent_code": "EU",
            }
        },
    )
    hd.add_person("intercom", INTERCOM_LEAD, name="Visitor 7", email=None, locale="en", role="lead")
    hd.add_ticket(
        "intercom",
        INTERCOM_CONVERSATION,
        status="closed",
        requester_id=INTERCOM_CONTACT,
        subject="",
        description="I can't log in",
        created_at="2025-01-08T09:53:20Z",
        updated_at="2025-01-08T11:00:00Z",
        comments=[
            {
                "author": "agent",
                "body": "Try this reset link.",
                "created_at": "2025-01-08T09:58:30Z",
            },
            {"author": "customer", "body": "Done, thanks!", "created_at": "2025-01-08T10:20:00Z"},
        ],
        statistics={
            "time_to_admin_reply": 310,
            "time_to_first_close": 1800,
            "median_time_to_reply": 310,
            "first_contact_reply_at": 1736330000,
            "last_close_at": 1736331800,
            "count_reopens": 0,
            "count_assignments": 1,
            "count_conversation_parts": 4,
            "handling_time": 1800,
            "adjusted_handling_time": 640,
        },
        overrides={"admin_assignee_id": 991267715},
    )
