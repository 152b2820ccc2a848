"""``HelpdeskEmulator``: the in-process facade tests, the demo and the CLI use.

It owns the helpdesk data, the fault book and the HTTP server thread; the HTTP control
API (``/_emulator/*``) is a thin JSON wrapper over these same methods.
"""

from __future__ import annotations

import copy
import os
import time
from collections.abc import Callable, Mapping
from typing import Any

from bot.local_server import ServedOnThread

from .examples import seed_examples
from .faults import Fault, FaultBook
from .server import HelpdeskServer
from .state import VENDORS, HelpdeskState, check_vendor, make_person, make_ticket

Call = dict[str, Any]


class HelpdeskEmulator(ServedOnThread):
    thread_name = "helpdesk-emulator"

    """Local Zendesk, Freshdesk, Jira Cloud and Intercom REST APIs: real HTTP, inspectable,
    faultable. One server; each vendor lives under its own prefix.

    Usage::

        with HelpdeskEmulator() as hd:
            hd.add_person("zendesk", 42, email="ana@example.com", locale="ro")
            hd.add_ticket("zendesk", 7, status="solved", requester_id=42)
            httpx.get(hd.url("zendesk") + "/api/v2/users/42", auth=hd.zendesk_auth)
            assert hd.calls("zendesk")[0]["status"] == 200

    ``examples=True`` seeds the person and ticket of each helpdesks.md example
    (Zendesk user 8447399911223 / ticket 5158, Freshdesk contact 1 / ticket 1228307,
    Jira user 5b10a2844c20165700ede21g / SUP-42, Intercom contact
    6762f0d01bb69f9f2193bb7d / conversation 215473052).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        examples: bool = True,
        state_file: str | os.PathLike[str] | None = None,
        zendesk_email: str = "cxbot@acme.com",
        zendesk_token: str = "zd-test-token",
        freshdesk_api_key: str = "fd-test-key",
        jira_email: str = "cxbot@acme.com",
        jira_token: str = "jira-test-token",
        intercom_token: str = "ic-test-token",
        intercom_admin_id: str = "991267696",
        intercom_version: str = "2.14",
    ) -> None:
        """A ``state_file`` that already exists wins over ``examples``, so a restarted
        emulator resumes with the notes and tags clients wrote."""
        self.host = host
        self.zendesk_email, self.zendesk_token = zendesk_email, zendesk_token
        self.freshdesk_api_key = freshdesk_api_key
        self.jira_email, self.jira_token = jira_email, jira_token
        self.intercom_token, self.intercom_admin_id = intercom_token, str(intercom_admin_id)
        self.intercom_version = intercom_version  # the app's version, used when no header
        self.state = HelpdeskState(state_file)
        self.faults = FaultBook()
        self._requested_port = port
        if not self.state.load() and examples:
            seed_examples(self)

    # ---- lifecycle (start, stop, port: bot.local_server) ----------------
    def _make_server(self) -> HelpdeskServer:
        return HelpdeskServer((self.host, self._requested_port), self)

    @property
    def base_url(self) -> str:
        """Root URL without a trailing slash, e.g. ``http://127.0.0.1:5555``."""
        return f"http://{self.host}:{self.port}"

    def url(self, vendor: str) -> str:
        """A vendor's API base URL (``http://127.0.0.1:5555/zendesk``): what the
        ``CXBOT_<VENDOR>_URL`` setting should hold."""
        return f"{self.base_url}/{check_vendor(vendor)}"

    def urls(self) -> dict[str, str]:
        return {vendor: self.url(vendor) for vendor in VENDORS}

    # ---- credentials -----------------------------------------------------
    @property
    def credentials(self) -> dict[str, dict[str, str]]:
        return {
            "zendesk": {"email": self.zendesk_email, "token": self.zendesk_token},
            "freshdesk": {"api_key": self.freshdesk_api_key},
            "jira": {"email": self.jira_email, "token": self.jira_token},
            "intercom": {"token": self.intercom_token, "admin_id": self.intercom_admin_id},
        }

    @property
    def zendesk_auth(self) -> tuple[str, str]:
        """``(user, password)`` for HTTP Basic, as Zendesk's API-token scheme wants it."""
        return f"{self.zendesk_email}/token", self.zendesk_token

    @property
    def freshdesk_auth(self) -> tuple[str, str]:
        return self.freshdesk_api_key, "X"

    @property
    def jira_auth(self) -> tuple[str, str]:
        return self.jira_email, self.jira_token

    @property
    def intercom_headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.intercom_token}",
            "Intercom-Version": self.intercom_version,
        }

    def env(self) -> dict[str, str]:
        """cxbot's settings pointing at this emulator (issue 15's names)."""
        return {
            "CXBOT_ZENDESK_URL": self.url("zendesk"),
            "CXBOT_ZENDESK_EMAIL": self.zendesk_email,
            "CXBOT_ZENDESK_TOKEN": self.zendesk_token,
            "CXBOT_FRESHDESK_URL": self.url("freshdesk"),
            "CXBOT_FRESHDESK_API_KEY": self.freshdesk_api_key,
            "CXBOT_JIRA_URL": self.url("jira"),
            "CXBOT_JIRA_EMAIL": self.jira_email,
            "CXBOT_JIRA_TOKEN": self.jira_token,
            "CXBOT_INTERCOM_URL": self.url("intercom"),
            "CXBOT_INTERCOM_TOKEN": self.intercom_token,
        }

    # ---- seeding ---------------------------------------------------------
    def add_person(self, vendor: str, person_id: str | int, **fields: Any) -> dict[str, Any]:
        """A Zendesk user, Freshdesk contact, Jira user or Intercom contact; see
        ``state.make_person`` for the fields (``email=None`` = hidden / absent)."""
        person = make_person(vendor, person_id, **fields)
        with self.state.lock:
            self.state.people[vendor][person["id"]] = person
            self.state.save()
        return copy.deepcopy(person)

    def add_ticket(self, vendor: str, ticket_id: str | int, **fields: Any) -> dict[str, Any]:
        """A Zendesk/Freshdesk ticket, Jira issue (``ticket_id`` = its key) or Intercom
        conversation, from a neutral description; see ``state.make_ticket``."""
        ticket = make_ticket(vendor, ticket_id, **fields)
        with self.state.lock:
            if vendor == "jira":
                ticket["jira_id"] = self._jira_id(ticket)
            self.state.put_ticket(ticket)
            self.state.save()
        return copy.deepcopy(ticket)

    def _jira_id(self, ticket: dict[str, Any]) -> str:
        """Jira issues have a numeric id beside the key; keep it stable per key."""
        if "id" in ticket["overrides"]:
            return str(ticket["overrides"]["id"])
        if ticket["id"].isdigit():
            return ticket["id"]
        existing = self.state.tickets["jira"].get(ticket["id"])
        if existing:
            return str(existing["jira_id"])
        taken = {t["jira_id"] for t in self.state.tickets["jira"].values()}
        candidate = 10_000 + len(taken)
        while str(candidate) in taken:
            candidate += 1
        return str(candidate)

    # ---- inspection ------------------------------------------------------
    def person(self, vendor: str, person_id: str | int) -> dict[str, Any] | None:
        with self.state.lock:
            return copy.deepcopy(self.state.person(check_vendor(vendor), str(person_id)))

    def ticket(self, vendor: str, ticket_id: str | int) -> dict[str, Any] | None:
        """The neutral ticket as it stands now (comments and notes written included)."""
        with self.state.lock:
            return copy.deepcopy(self.state.ticket(check_vendor(vendor), str(ticket_id)))

    def _existing_ticket(self, vendor: str, ticket_id: str | int) -> dict[str, Any]:
        found = self.state.ticket(check_vendor(vendor), str(ticket_id))
        if found is None:
            raise KeyError(f"no {vendor} ticket {ticket_id!r}")
        return found

    def calls(
        self, vendor: str | None = None, method: str | None = None, path_prefix: str | None = None
    ) -> list[Call]:
        """Recorded requests, faulted ones too: vendor, method, path (below the vendor
        prefix), query, headers, body, status, response, time, fault (its id or None)."""
        with self.state.lock:
            return copy.deepcopy(
                [c for c in self.state.calls if _matches(c, vendor, method, path_prefix)]
            )

    def wait_for(
        self,
        vendor: str | None = None,
        method: str | None = None,
        path_prefix: str | None = None,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 5.0,
    ) -> Call:
        """Block until a matching call is recorded (cxbot looks people up off the request
        path); raises AssertionError listing the calls seen if none arrives in time."""
        deadline = time.monotonic() + timeout
        with self.state.changed:
            while True:
                for call in self.state.calls:
                    if _matches(call, vendor, method, path_prefix) and (
                        predicate is None or predicate(call)
                    ):
                        return copy.deepcopy(call)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = (
                        "\n".join(
                            f"  {c['vendor']} {c['method']} {c['path']} -> {c['status']}"
                            for c in self.state.calls
                        )
                        or "  (no calls)"
                    )
                    raise AssertionError(
                        f"no {vendor or '*'} {method or '*'} {path_prefix or '*'} call within {timeout}s; seen:\n{seen}"
                    )
                self.state.changed.wait(remaining)

    def notes(self, vendor: str, ticket_id: str | int) -> list[dict[str, Any]]:
        """What clients wrote onto the ticket, in order: kind, body, text, public,
        request (the JSON sent), created_at."""
        with self.state.lock:
            return copy.deepcopy(self._existing_ticket(vendor, ticket_id)["notes"])

    def tags(self, vendor: str, ticket_id: str | int) -> list[str]:
        """The ticket's tags now (Zendesk tags; Jira labels; Intercom tag names)."""
        with self.state.lock:
            return list(self._existing_ticket(vendor, ticket_id)["tags"])

    # ---- faults & reset --------------------------------------------------
    def fail(
        self,
        vendor: str = "*",
        path: str = "*",
        status: int | None = None,
        times: int | None = 1,
        retry_after: int | None = None,
        delay: float | None = None,
        method: str = "*",
    ) -> Fault:
        """Make the next ``times`` matching calls fail; see ``Fault``. E.g.
        ``hd.fail("zendesk", "/api/v2/users/*", status=429, retry_after=2)``, or
        ``hd.fail("jira", "*", delay=3)`` for a reply slower than a 1 s client timeout."""
        fault = Fault(
            vendor=vendor,
            path=path,
            status=status,
            times=times,
            retry_after=retry_after,
            delay=delay,
            method=method,
        )
        return self.faults.add(fault)

    def clear_faults(self) -> None:
        self.faults.clear()

    def reset(self, *, keep_seed: bool = True) -> None:
        """Drop calls and faults and undo what clients wrote (tickets back as seeded);
        ``keep_seed=False`` also forgets every person and ticket."""
        self.faults.clear()
        with self.state.lock:
            self.state.clear(keep_seed=keep_seed)
            self.state.save()


def _matches(
    call: Mapping[str, Any], vendor: str | None, method: str | None, path_prefix: str | None
) -> bool:
    return (
        vendor in (None, call["vendor"])
        and (method is None or method.upper() == call["method"])
        and (path_prefix is None or call["path"].startswith(path_prefix))
    )
