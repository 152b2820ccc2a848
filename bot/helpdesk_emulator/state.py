"""The emulated helpdesks' data: people, tickets in a neutral form, and the call log.

Tickets and people are stored once, vendor-neutrally (status ``solved``, comments by
``customer``/``agent``, ``handle_time_seconds``); each vendor module renders them in its
own documented shape when asked. That keeps seeding short and makes the same ticket
look right through all four APIs. One ``HelpdeskState`` is shared by every request
thread, so all access goes through ``state.lock`` (a ``Condition`` over an ``RLock``
so ``wait_for`` can sleep until a call is recorded).
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
import threading
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

VENDORS = ("zendesk", "freshdesk", "jira", "intercom")
# Neutral statuses, in Zendesk's order; each vendor maps them onto its own.
STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
CLOSED_STATUSES = frozenset({"solved", "closed"})
# Freshdesk's built-in numeric statuses (helpdesks.md §2.3).
FRESHDESK_STATUS = {"new": 2, "open": 2, "pending": 3, "hold": 3, "solved": 4, "closed": 5}
_FRESHDESK_NEUTRAL = {2: "open", 3: "pending", 4: "solved", 5: "closed"}

Person = dict[str, Any]
Ticket = dict[str, Any]


def check_vendor(vendor: str) -> str:
    if vendor not in VENDORS:
        raise ValueError(f"unknown vendor {vendor!r}; expected one of {list(VENDORS)}")
    return vendor


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime | str | None) -> str:
    """Normalise a datetime or ISO string to ``2025-01-09T08:00:00Z`` (UTC, seconds)."""
    if moment is None:
        moment = utc_now()
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def neutral_status(status: str | int) -> str:
    """Accept a neutral status (any case, so Zendesk's ``SOLVED`` too) or a Freshdesk number."""
    if isinstance(status, int) and not isinstance(status, bool):
        if status not in _FRESHDESK_NEUTRAL:
            raise ValueError(f"unknown Freshdesk status {status}; expected 2-5")
        return _FRESHDESK_NEUTRAL[status]
    name = str(status).lower()
    if name not in STATUSES:
        raise ValueError(f"unknown status {status!r}; expected one of {list(STATUSES)}")
    return name


def make_person(
    vendor: str,
    person_id: str | int,
    *,
    email: str | None = None,
    name: str | None = None,
    locale: str | None = "en",
    time_zone: str | None = "UTC",
    role: str | None = None,
    external_id: str | None = None,
    merged_into: str | None = None,
    created_at: datetime | str | None = None,
    updated_at: datetime | str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Person:
    """A neutral person. ``None`` for email/locale/time_zone means the vendor shows null
    (a Jira profile hiding them, an Intercom lead without email). ``time_zone`` is IANA.
    ``merged_into`` marks an Intercom contact merged away (its id answers 404)."""
    created = iso(created_at)
    return {
        "vendor": check_vendor(vendor),
        "id": str(person_id),
        "email": email,
        "name": name or (email.split("@")[0].title() if email else f"Person {person_id}"),
        "locale": locale,
        "time_zone": time_zone,
        "role": role,
        "external_id": external_id,
        "merged_into": merged_into,
        "created_at": created,
        "updated_at": iso(updated_at) if updated_at else created,
        "overrides": dict(overrides or {}),
    }


def make_comment(spec: str | Mapping[str, Any], default_time: str) -> dict[str, Any]:
    """A neutral comment: a bare string is a public message from the customer."""
    if isinstance(spec, str):
        spec = {"body": spec}
    unknown = set(spec) - {"body", "author", "public", "created_at"}
    if unknown:
        raise ValueError(f"unknown comment fields {sorted(unknown)}")
    return {
        "body": str(spec["body"]),
        "author": str(spec.get("author", "customer")),
        "public": bool(spec.get("public", True)),
        "created_at": iso(spec.get("created_at") or default_time),
    }


def make_ticket(
    vendor: str,
    ticket_id: str | int,
    *,
    status: str | int = "open",
    requester_id: str | int | None = None,
    subject: str = "Help needed",
    description: str = "I need help.",
    comments: Iterable[str | Mapping[str, Any]] = (),
    tags: Iterable[str] = (),
    history: Iterable[str | int] | None = None,
    handle_time_seconds: int | None = None,
    created_at: datetime | str | None = None,
    updated_at: datetime | str | None = None,
    metrics: Mapping[str, Any] | None = None,
    custom_fields: Iterable[Mapping[str, Any]] = (),
    worklogs: Iterable[int | Mapping[str, Any]] | None = None,
    time_entries: Iterable[int | Mapping[str, Any]] | None = None,
    statistics: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Ticket:
    """A neutral ticket (Jira issue, Intercom conversation).

    ``description`` is the customer's opening message; ``comments`` are what followed
    (``{"body", "author": "customer"|"agent"|<person id>, "public", "created_at"}``).
    ``history`` is the ticket's statuses in order (default: ``["open", status]``); reopens
    and Jira's changelog come from it. ``handle_time_seconds`` becomes each vendor's own
    effort figure (Zendesk Time Tracking field, a Freshdesk time entry, a Jira worklog,
    Intercom's ``adjusted_handling_time``); ``None`` = the vendor records none. The
    vendor-specific arguments (``metrics``, ``custom_fields``, ``worklogs``,
    ``time_entries``, ``statistics``) replace what would be derived, and ``overrides`` is
    deep-merged into the vendor's ticket object last.
    """
    status_name = neutral_status(status)
    created = iso(created_at)
    updated = iso(updated_at) if updated_at else created
    states = [neutral_status(s) for s in history] if history is not None else None
    if states is None:
        states = ["open"] if status_name == "open" else ["open", status_name]
    if not states or states[-1] != status_name:
        states.append(status_name)
    return {
        "vendor": check_vendor(vendor),
        "id": str(ticket_id),
        "status": status_name,
        "requester_id": None if requester_id is None else str(requester_id),
        "subject": subject,
        "description": description,
        "comments": [make_comment(c, updated) for c in comments],
        "tags": list(dict.fromkeys(tags)),
        "history": states,
        "handle_time_seconds": handle_time_seconds,
        "created_at": created,
        "updated_at": updated,
        # when it was solved: fixed, unlike updated_at, which every write moves
        "closed_at": updated if status_name in CLOSED_STATUSES else None,
        "metrics": dict(metrics or {}),
        "custom_fields": [dict(f) for f in custom_fields],
        "worklogs": None if worklogs is None else list(worklogs),
        "time_entries": None if time_entries is None else list(time_entries),
        "statistics": dict(statistics or {}),
        "overrides": dict(overrides or {}),
        "notes": [],  # what clients wrote through the API (also appended to comments)
    }


def count_reopens(history: list[str]) -> int:
    """Moves from solved/closed back to an open state."""
    return sum(
        1
        for before, after in zip(history, history[1:], strict=False)
        if before in CLOSED_STATUSES and after not in CLOSED_STATUSES
    )


def deep_merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """``extra`` wins; nested dicts merge, everything else (lists too) is replaced."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


class HelpdeskState:
    """All mutable emulator data, optionally mirrored to a JSON file."""

    _PERSISTED = ("people", "tickets", "seeds", "counter")

    def __init__(self, state_file: str | os.PathLike[str] | None = None) -> None:
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.state_file = Path(state_file) if state_file else None
        self.people: dict[str, dict[str, Person]] = {vendor: {} for vendor in VENDORS}
        self.tickets: dict[str, dict[str, Ticket]] = {vendor: {} for vendor in VENDORS}
        # Each ticket as seeded, so reset() can undo what clients wrote.
        self.seeds: dict[str, dict[str, Ticket]] = {vendor: {} for vendor in VENDORS}
        self.calls: list[dict[str, Any]] = []
        self.counter = 0

    def next_id(self) -> int:
        """Ids for comments, notes, audits: unique across vendors and restarts."""
        with self.lock:
            self.counter += 1
            return 900_000 + self.counter

    def record_call(self, call: dict[str, Any]) -> None:
        with self.lock:
            self.calls.append(call)
            self.changed.notify_all()

    def person(self, vendor: str, person_id: str) -> Person | None:
        return self.people[vendor].get(str(person_id))

    def ticket(self, vendor: str, ticket_id: str) -> Ticket | None:
        return self.tickets[vendor].get(str(ticket_id))

    def put_ticket(self, ticket: Ticket) -> None:
        with self.lock:
            self.tickets[ticket["vendor"]][ticket["id"]] = ticket
            self.seeds[ticket["vendor"]][ticket["id"]] = copy.deepcopy(ticket)

    def clear(self, *, keep_seed: bool) -> None:
        """Forget calls; restore tickets as seeded, or drop people and tickets too."""
        with self.lock:
            self.calls = []
            if keep_seed:
                self.tickets = copy.deepcopy(self.seeds)
            else:
                self.people = {vendor: {} for vendor in VENDORS}
                self.tickets = {vendor: {} for vendor in VENDORS}
                self.seeds = {vendor: {} for vendor in VENDORS}

    # ---- persistence -----------------------------------------------------
    # People and tickets (with the notes written) survive a restart; calls and faults
    # belong to one process, as in the Slack emulator.
    def save(self) -> None:
        """Rewrite the state file atomically (temp + rename): a kill never leaves half a file."""
        if self.state_file is None:
            return
        with self.lock:
            data = {key: getattr(self, key) for key in self._PERSISTED}
            directory = self.state_file.parent
            directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=".helpdesk-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh)
            os.replace(tmp, self.state_file)

    def load(self) -> bool:
        """Restore a previous run's state; False when there is no state file yet."""
        if self.state_file is None or not self.state_file.exists():
            return False
        data = json.loads(self.state_file.read_text(encoding="utf-8"))
        with self.lock:
            for key in self._PERSISTED:
                setattr(self, key, data[key])
        return True


def add_note(
    ticket: Ticket, kind: str, body: str, *, public: bool, request: Any, text: str | None = None
) -> dict[str, Any]:
    """Remember what a client wrote onto a ticket (``HelpdeskEmulator.notes`` shows it).

    ``kind`` names the endpoint's notion (``comment``, ``note``, ``jsm_comment``);
    ``public`` is what the vendor will show customers, so a client that forgets to make
    its note private is caught by a test; ``text`` is the plain text when ``body`` is not.
    """
    note = {
        "kind": kind,
        "body": body,
        "text": body if text is None else text,
        "public": public,
        "request": copy.deepcopy(request),
        "created_at": iso(utc_now()),
    }
    ticket["notes"].append(note)
    return note
