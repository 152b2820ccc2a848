"""Jira bodies as helpdesks.md §3.2 documents them, parsed; signatures as §3.4 describes them."""

from __future__ import annotations

import json

import pytest

from bot.settings import load_settings
from bot.webhooks import jira
from bot.webhooks.errors import Ignored, WebhookAuthError, WebhookPayloadError
from tests.webhooks import jira_fixtures as fx

SECRET = "jira-webhook-secret"


def parse(payload: dict):
    return jira.parse(json.dumps(payload).encode())


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no .env
    return load_settings(jira_secret=SECRET)


# --- authenticity ------------------------------------------------------------------


def test_atlassians_published_test_vector():
    """§3.4: secret "It's a Secret to Everybody", payload "Hello World!"."""
    assert (
        jira.signature("It's a Secret to Everybody", b"Hello World!")
        == "sha256=a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9"
    )


def test_an_admin_webhook_signed_with_sha256_passes(settings):
    body = json.dumps(fx.resolved()).encode()
    jira.verify(fx.hub_signature(SECRET, body), body, settings)


def test_the_method_before_the_equals_sign_is_read_not_assumed(settings):
    body = json.dumps(fx.resolved()).encode()
    jira.verify({"X-Hub-Signature": jira.signature(SECRET, body, "sha512")}, body, settings)
    upper = fx.hub_signature(SECRET, body)["X-Hub-Signature"].replace("sha256=", "SHA256=")
    jira.verify({"X-Hub-Signature": upper}, body, settings)
    with pytest.raises(WebhookAuthError, match="method one of sha256"):
        jira.verify({"X-Hub-Signature": "md5=abc"}, body, settings)


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Hub-Signature": "sha256=" + "0" * 64},
        {"X-Hub-Signature": fx.hub_signature("another-secret", b"{}")["X-Hub-Signature"]},
        {"X-Hub-Signature": "a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9"},
        {"X-Cxbot-Token": "not-the-secret"},
        {},
    ],
)
def test_a_wrong_or_missing_signature_is_refused(settings, headers):
    with pytest.raises(WebhookAuthError):
        jira.verify(headers, json.dumps(fx.resolved()).encode(), settings)


def test_jsm_automation_sends_the_secret_in_a_header(settings):
    """ "Send web request" cannot sign: the hidden X-Cxbot-Token header carries the secret."""
    jira.verify({"X-Cxbot-Token": SECRET}, json.dumps(fx.CUSTOM).encode(), settings)


def test_a_signature_over_another_body_is_refused(settings):
    body = json.dumps(fx.resolved()).encode()
    with pytest.raises(WebhookAuthError, match="does not match the request body"):
        jira.verify(fx.hub_signature(SECRET, body), body + b" ", settings)


def test_without_a_secret_configured_nothing_passes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CXBOT_JIRA_SECRET", raising=False)
    monkeypatch.delenv("CXBOT_WEBHOOK_SECRET", raising=False)
    with pytest.raises(WebhookAuthError, match="CXBOT_JIRA_SECRET"):
        jira.verify({"X-Cxbot-Token": ""}, b"{}", load_settings())


# --- the admin webhook envelope -----------------------------------------------------


def test_the_documented_closure_with_the_reporter_email_hidden():
    """Cloud's default: no emailAddress. The accountId goes along for a REST look-up."""
    event = parse(fx.resolved())
    assert (event.kind, event.external_id, event.customer_email) == ("closed", "SUP-42", None)
    assert (event.customer_ref, event.customer_name) == (fx.REPORTER_ACCOUNT, "Ana Pop")
    assert event.no_customer is not None
    assert "CXBOT_JIRA_URL, CXBOT_JIRA_EMAIL and CXBOT_JIRA_TOKEN" in event.no_customer
    assert event.recipient == f"jira:{fx.REPORTER_ACCOUNT}"


def test_the_documented_closure_maps_every_field_it_carries():
    event = parse(fx.resolved("Ana.Pop@Example.com"))
    assert (event.customer_email, event.no_customer) == ("ana.pop@example.com", None)
    assert event.closed_at == "2025-01-09T08:00:00.000Z"  # resolutiondate, +0100
    assert (event.team, event.channel, event.tags, event.priority) == ("SUP", "jira", (), None)
    assert (event.agent_name, event.created_at, event.handle_time_seconds) == (None, None, None)


def test_assignee_components_labels_priority_and_logged_work():
    body = fx.resolved("ana.pop@example.com")
    body["issue"]["fields"].update(
        assignee={"accountId": "5b10", "displayName": "Mia Agent", "accountType": "atlassian"},
        components=[{"id": "1", "name": "Network"}], labels=["vpn", "vip"],
        priority={"id": "2", "name": "High"}, created="2025-01-08T09:00:00.000+0100",
        timespent=5400,
    )  # fmt: skip
    event = parse(body)
    assert (event.agent_name, event.agent_email, event.team) == ("Mia Agent", None, "Network")
    assert (event.tags, event.priority, event.handle_time_seconds) == (("vpn", "vip"), "High", 5400)
    assert event.created_at == "2025-01-08T08:00:00.000Z"


def test_no_logged_work_is_no_data_not_zero():
    body = fx.resolved()
    body["issue"]["fields"].update(timespent=None, timetracking={})
    assert parse(body).handle_time_seconds is None
    body["issue"]["fields"].update(timespent=0)
    assert parse(body).handle_time_seconds is None


def test_data_center_shapes_read_the_same():
    """DC: users carry name/key and usually the email; colorName may be "success"."""
    body = fx.resolved()
    body["issue"]["fields"]["reporter"] = {
        "name": "apop", "key": "JIRAUSER10100", "emailAddress": "ana.pop@example.com",
        "displayName": "Ana Pop", "active": True, "timeZone": "Europe/Bucharest",
    }  # fmt: skip
    body["issue"]["fields"]["status"]["statusCategory"]["colorName"] = "success"
    event = parse(body)
    assert (event.kind, event.customer_email, event.customer_ref) == (
        "closed",
        "ana.pop@example.com",
        None,
    )


def test_a_status_item_whose_field_reads_Status_still_counts():
    body = fx.resolved()
    body["changelog"]["items"] = [
        {"field": "Status", "fieldtype": "jira", "fieldId": "status",
         "from": "10001", "fromString": "In Progress", "to": "10002", "toString": "Done"}
    ]  # fmt: skip
    assert parse(body).kind == "closed"


def test_a_resolution_change_alone_into_done_is_a_closure():
    """§3.3: a status *or* resolution item, with the current category done."""
    body = fx.resolved()
    body["changelog"]["items"] = body["changelog"]["items"][:1]
    assert parse(body).kind == "closed"


def test_the_category_key_is_compared_without_case():
    body = fx.resolved()
    body["issue"]["fields"]["status"]["statusCategory"]["key"] = "DONE"
    assert parse(body).kind == "closed"


def test_the_documented_reopen():
    event = parse(fx.reopened("ana.pop@example.com"))
    assert (event.kind, event.external_id, event.closed_at) == ("reopened", "SUP-42", None)


def test_to_do_to_in_progress_goes_to_storage_as_a_reopen_candidate():
    """Changelogs carry status ids, not categories: storage knows whether cxbot saw the issue
    closed, and drops the event when it did not (tests/scenarios/test_jira_webhooks.py)."""
    assert parse(fx.started()).kind == "reopened"


def test_issue_created_directly_in_done_is_a_closure():
    """Issue 15: ignored before, because the created event's changelog field reads "Status"."""
    event = parse(fx.created_done(email="ana.pop@example.com"))
    assert (event.kind, event.external_id) == ("closed", "SUP-44")
    assert event.created_at == "2025-01-09T07:55:00.000Z"


def test_issue_created_in_an_open_status_is_ignored_with_the_reason():
    body = fx.created_done()
    body["issue"]["fields"]["status"] = fx.TO_DO
    with pytest.raises(Ignored, match=r"created in status 'To Do' \(category new\)"):
        parse(body)


def test_an_edit_to_a_done_issue_is_ignored_and_says_what_changed():
    body = fx.resolved()
    body["changelog"]["items"] = [
        {"field": "summary", "fieldtype": "jira", "fieldId": "summary",
         "from": None, "fromString": "Cannot log in", "to": None, "toString": "Cannot log in (SSO)"}
    ]  # fmt: skip
    with pytest.raises(Ignored, match=r"did not change its status \(changed: summary"):
        parse(body)


@pytest.mark.parametrize("event", ["comment_created", "jira:issue_deleted", "jira:worklog_updated"])
def test_other_events_are_ignored_with_their_name(event):
    with pytest.raises(Ignored, match=event):
        parse({**fx.resolved(), "webhookEvent": event})


def test_a_dc_issue_resolved_event_without_a_changelog_is_a_closure():
    """DC may name the transition in issue_event_type_name (unconfirmed): both readings work."""
    body = {**fx.resolved(), "issue_event_type_name": "issue_resolved"}
    del body["changelog"]
    assert parse(body).kind == "closed"
    del body["issue_event_type_name"]
    with pytest.raises(Ignored, match="nothing listed"):
        parse(body)


def test_a_reporter_that_is_null_skips_with_a_reason():
    body = fx.resolved()
    body["issue"]["fields"]["reporter"] = None
    event = parse(body)
    assert (event.customer_ref, event.no_customer) == (
        None,
        "issue has no reporter in the payload: nobody to survey",
    )


def test_optional_fields_of_an_unexpected_shape_do_not_cost_the_survey():
    body = fx.resolved("ana.pop@example.com")
    body["issue"]["fields"].update(
        priority="High", components={"name": "x"}, labels="vpn", assignee=[], project=7,
        resolutiondate="yesterday", timespent="lots",
    )  # fmt: skip
    event = parse(body)
    assert (event.kind, event.customer_email, event.priority, event.team) == (
        "closed",
        "ana.pop@example.com",
        None,
        None,
    )
    assert event.closed_at == "2025-01-09T08:00:00.000Z"  # the webhook's timestamp (epoch ms)


def test_a_malformed_email_is_treated_as_hidden_and_said_so():
    event = parse(fx.resolved("{{issue.reporter.emailAddress}}"))
    assert event.customer_email is None and "an unreadable email" in (event.no_customer or "")


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda b: b.pop("issue"), "issue: Field required"),
        (lambda b: b["issue"].pop("key"), "key: Field required"),
        (lambda b: b["issue"]["fields"].pop("status"), "issue.fields.status: Field required"),
        (
            lambda b: b["issue"]["fields"]["status"].pop("statusCategory"),
            "issue.fields.status.statusCategory: Field required",
        ),
        (lambda b: b.update(issue="SUP-42"), "issue: Input should be"),
        (lambda b: b.update(webhookEvent=None), "webhookEvent: Input should be a valid string"),
    ],
)
def test_a_body_missing_what_jira_always_sends_is_400_naming_the_field(change, error):
    body = fx.resolved()
    change(body)
    with pytest.raises(WebhookPayloadError) as caught:
        parse(body)
    assert error in str(caught.value)


@pytest.mark.parametrize("body", [{"ticket": {"id": 1}}, {}, {"event": "ticket.closed"}])
def test_a_body_of_another_shape_is_400(body):
    with pytest.raises(WebhookPayloadError, match="webhookEvent: Field required"):
        parse(body)


# --- JSM automation "Send web request" ---------------------------------------------


def test_the_custom_data_template_as_documented():
    event = parse(fx.CUSTOM)
    assert (event.kind, event.external_id, event.customer_email) == (
        "closed",
        "SUP-42",
        "ana.pop@example.com",
    )
    assert (event.customer_ref, event.customer_name, event.closed_at) == (
        fx.REPORTER_ACCOUNT,
        "Ana Pop",
        "2025-01-09T08:00:00.000Z",
    )


def test_the_custom_template_with_the_email_hidden_renders_an_empty_string():
    event = parse({**fx.CUSTOM, "reporter_email": ""})
    assert (event.customer_email, event.customer_ref) == (None, fx.REPORTER_ACCOUNT)
    assert "no email in the payload" in (event.no_customer or "")


def test_the_custom_reopen_rule():
    event = parse(
        {**fx.CUSTOM, "cxbot_event": "issue_reopened", "status_category": "indeterminate"}
    )
    assert (event.kind, event.closed_at) == ("reopened", None)


def test_a_status_category_smart_value_that_does_not_render_is_not_held_against_it():
    """status_category by smart value is unconfirmed: blank reads as 'not said'."""
    assert parse({**fx.CUSTOM, "status_category": ""}).kind == "closed"
    with pytest.raises(Ignored, match="status category indeterminate"):
        parse({**fx.CUSTOM, "status_category": "indeterminate"})


def test_the_custom_template_optional_lines():
    body = {**fx.CUSTOM, "assignee_name": "Mia Agent", "priority": "High",
            "labels": "[vpn, vip]", "created": "2025-01-08T09:00:00.0+0100"}  # fmt: skip
    event = parse(body)
    assert (event.agent_name, event.priority, event.tags) == ("Mia Agent", "High", ("vpn", "vip"))
    assert event.created_at == "2025-01-08T08:00:00.000Z"


def test_an_unknown_cxbot_event_is_ignored_and_a_missing_key_is_400():
    with pytest.raises(Ignored, match="issue_commented"):
        parse({**fx.CUSTOM, "cxbot_event": "issue_commented"})
    with pytest.raises(WebhookPayloadError, match="issue_key: Field required"):
        parse({k: v for k, v in fx.CUSTOM.items() if k != "issue_key"})
    with pytest.raises(WebhookPayloadError, match="issue_key: Input should be a valid string"):
        parse({**fx.CUSTOM, "issue_key": ""})


def test_issue_data_in_automation_format():
    """id a number, no webhookEvent, the request language in a custom field."""
    event = parse(fx.AUTOMATION)
    assert (event.kind, event.external_id, event.customer_ref, event.customer_locale) == (
        "closed",
        "SUP-42",
        fx.REPORTER_ACCOUNT,
        "en",
    )


def test_issue_data_out_of_done_is_a_reopen_candidate_and_jira_format_reads_the_same():
    body = {**fx.AUTOMATION, "id": "10042"}  # Jira format: id a string
    body["fields"] = {**body["fields"], "status": fx.IN_PROGRESS}
    assert parse(body).kind == "reopened"
    with pytest.raises(WebhookPayloadError, match="fields: Field required"):
        parse({"key": "SUP-42"})
