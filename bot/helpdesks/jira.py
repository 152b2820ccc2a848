"""Jira Cloud's REST API v3, as cxbot uses it (helpdesks.md §3.6, §3.7, §6.3).

Auth: HTTP Basic ``{email}:{api_token}`` (CXBOT_JIRA_EMAIL, CXBOT_JIRA_TOKEN), on the
site in CXBOT_JIRA_URL.  The token's user needs *Browse users and groups* (look-ups),
*Browse projects* (figures) and *Add comments* (write-back).

- ``person``: ``GET /rest/api/3/user?accountId=``.  Email, locale and time zone come back
  null when the person's profile hides them; REST cannot get a hidden email.
- ``figures``: the comments (customer contacts after the description, agent replies),
  the worklogs (handle time; none logged or time tracking off = no data), and the
  changelog (reopens: status moves out of the ``done`` category).
- ``write_back``: an *internal* comment (``sd.public.comment`` ``internal: true``: agents
  only on JSM projects), ADF body.  No labels: ``PUT /issue`` with ``update.labels`` is
  unconfirmed (helpdesks.md §3.7), so tags are not written.
"""

from __future__ import annotations

from typing import Any

import httpx

from bot.helpdesks.api import (
    TIMEOUT,
    HelpdeskRefused,
    HelpdeskUnavailable,
    Person,
    TicketFigures,
    WriteBack,
    call,
    json_of,
)
from bot.settings import HelpdeskApi

PAGE = 50  # Jira's default and usual maximum for comment pages
MAX_PAGES = 100  # 5,000 comments: past that a response is wrong, not a ticket
INTERNAL = [{"key": "sd.public.comment", "value": {"internal": True}}]
DONE = "done"


def make_client(api: HelpdeskApi) -> JiraClient:
    """The registry's entry point (bot/helpdesks/registry.py)."""
    return JiraClient(
        httpx.Client(
            base_url=api.url,
            auth=(api.login, api.secret),
            timeout=TIMEOUT,
            headers={"Accept": "application/json", "User-Agent": "cxbot"},
        )
    )


def adf_document(text: str) -> dict[str, Any]:
    """Plain text as an Atlassian Document: one paragraph per non-empty line."""
    paragraphs = [
        {"type": "paragraph", "content": [{"type": "text", "text": line}]}
        for line in text.splitlines()
        if line.strip()
    ]
    return {"type": "doc", "version": 1, "content": paragraphs}


def adf_text(node: Any) -> str:
    """The text of an ADF node (v3 comments) or a plain string (v2 / DC comments)."""
    if isinstance(node, str):
        return node
    if isinstance(node, dict):
        if node.get("type") == "text":
            return str(node.get("text") or "")
        return "\n".join(adf_text(child) for child in node.get("content") or [])
    if isinstance(node, list):
        return "\n".join(adf_text(child) for child in node)
    return ""


def _locale(value: Any) -> str | None:
    """Jira's ``en_US`` as ``en-US``, the form Slack and cxbot use."""
    return value.strip().replace("_", "-") if isinstance(value, str) and value.strip() else None


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


class JiraClient:
    """One Jira Cloud site (``HelpdeskClient``)."""

    source = "jira"

    def __init__(self, http: httpx.Client):
        self.http = http
        self._categories: dict[str, str] = {}

    # --- people ---------------------------------------------------------------
    def person(self, ref: str) -> Person:
        what = f"Jira user {ref}"
        found = json_of(
            call(self.http, "GET", "/rest/api/3/user", what, params={"accountId": ref}), what
        )
        if not isinstance(found, dict):
            raise HelpdeskUnavailable(f"{what}: the answer was not a user")
        return Person(
            email=_text(found.get("emailAddress")),  # hidden, or blank for a deleted user
            name=_text(found.get("displayName")),
            locale=_locale(found.get("locale")),
        )

    # --- figures --------------------------------------------------------------
    def figures(self, ticket_ref: str) -> TicketFigures:
        reporter = self._reporter(ticket_ref)
        customer, agent = self._replies(ticket_ref, reporter)
        return TicketFigures(
            handle_time_seconds=self._time_spent(ticket_ref),
            customer_replies=customer,
            agent_replies=agent,
            reopens=self._reopens(ticket_ref),
        )

    def _reporter(self, key: str) -> str | None:
        what = f"Jira issue {key}"
        issue = json_of(
            call(self.http, "GET", f"/rest/api/3/issue/{key}", what, params={"fields": "reporter"}),
            what,
        )
        reporter = ((issue or {}).get("fields") or {}).get("reporter") or {}
        return _text(reporter.get("accountId"))

    def comments(self, key: str) -> list[dict[str, Any]]:
        """Every comment on the issue, oldest first, reading pages until ``total``."""
        what = f"Jira comments of {key}"
        found: list[dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            page = json_of(
                call(
                    self.http,
                    "GET",
                    f"/rest/api/3/issue/{key}/comment",
                    what,
                    params={"orderBy": "created", "startAt": len(found), "maxResults": PAGE},
                ),
                what,
            )
            batch = [c for c in (page or {}).get("comments") or [] if isinstance(c, dict)]
            found.extend(batch)
            if not batch or len(found) >= int((page or {}).get("total") or 0):
                return found
        raise HelpdeskUnavailable(f"{what}: more than {MAX_PAGES} pages")

    def _replies(self, key: str, reporter: str | None) -> tuple[int, int]:
        """Public comments by the customer (the reporter, or a JSM ``customer`` account) and
        by agents; internal comments (``jsdPublic: false``) and app accounts (automation)
        are neither.  The description is the opener, so every customer comment is a reply."""
        customer = agent = 0
        for comment in self.comments(key):
            if comment.get("jsdPublic") is False:
                continue
            author = comment.get("author") or {}
            kind = author.get("accountType")
            if (reporter and author.get("accountId") == reporter) or kind == "customer":
                customer += 1
            elif kind != "app":
                agent += 1
        return customer, agent

    def _time_spent(self, key: str) -> int | None:
        """Sum of the worklogs; none logged, or time tracking off (the call fails), = no data."""
        what = f"Jira worklogs of {key}"
        try:
            found = json_of(call(self.http, "GET", f"/rest/api/3/issue/{key}/worklog", what), what)
        except HelpdeskRefused:
            return None
        seconds = sum(
            int(log.get("timeSpentSeconds") or 0)
            for log in (found or {}).get("worklogs") or []
            if isinstance(log, dict)
        )
        return seconds or None

    def _reopens(self, key: str) -> int | None:
        """Status changes whose *from* status is in the done category (§3.3): changelog items
        carry status ids, so each id's category is asked once and remembered."""
        what = f"Jira changelog of {key}"
        reopens, start = 0, 0
        for _ in range(MAX_PAGES):
            page = json_of(
                call(
                    self.http,
                    "GET",
                    f"/rest/api/3/issue/{key}/changelog",
                    what,
                    params={"startAt": start, "maxResults": 100},
                ),
                what,
            )
            values = [v for v in (page or {}).get("values") or [] if isinstance(v, dict)]
            for entry in values:
                for item in entry.get("items") or []:
                    if isinstance(item, dict) and self._leaves_done(item):
                        reopens += 1
            start += len(values)
            if not values or page.get("isLast", True) or start >= int(page.get("total") or 0):
                return reopens
        return None

    def _leaves_done(self, item: dict[str, Any]) -> bool:
        if (item.get("fieldId") or item.get("field") or "").lower() != "status":
            return False
        before, after = _text(item.get("from")), _text(item.get("to"))
        return bool(before and after and self._category(before) == DONE != self._category(after))

    def _category(self, status_id: str) -> str | None:
        if status_id not in self._categories:
            what = f"Jira status {status_id}"
            try:
                found = json_of(
                    call(self.http, "GET", f"/rest/api/3/status/{status_id}", what), what
                )
            except HelpdeskRefused:  # a deleted status: its category is unknown
                return None
            key = ((found or {}).get("statusCategory") or {}).get("key")
            self._categories[status_id] = str(key or "").lower()
        return self._categories[status_id]

    # --- write-back -----------------------------------------------------------
    def already_written(self, write: WriteBack) -> bool:
        return any(write.marker in adf_text(c.get("body")) for c in self.comments(write.ticket_ref))

    def write_back(self, write: WriteBack) -> None:
        """One internal comment carrying the marker; Jira labels are not written (see above)."""
        note = write.note if write.marker in write.note else f"{write.note}\n({write.marker})"
        what = f"Jira comment on {write.ticket_ref}"
        call(
            self.http,
            "POST",
            f"/rest/api/3/issue/{write.ticket_ref}/comment",
            what,
            json={"body": adf_document(note), "properties": INTERNAL},
        )
