"""``SlackEmulator``: the in-process facade tests, the demo and the CLI use.

It owns the workspace state, the fault book and the HTTP server thread; the HTTP
control API (``/_emulator/*``) is a thin JSON wrapper over these same methods.
"""

from __future__ import annotations

import copy
import os
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from bot.local_server import LocalServer, ServedOnThread

from .faults import Fault, FaultBook
from .scopes import granted_scopes
from .server import EmulatorServer
from .socket_mode import SocketModeHub
from .state import (
    BOT_ID,
    BOT_USER_ID,
    DEFAULT_CHANNELS,
    DEFAULT_USERGROUP,
    DEFAULT_USERS,
    TEAM_ID,
    SlackState,
    make_user,
    public_file,
)

Call = dict[str, Any]


class SlackEmulator(ServedOnThread):
    thread_name = "slack-emulator"

    """A local Slack Web API: real HTTP, real slack_sdk, inspectable and faultable.

    Usage::

        with SlackEmulator() as slack:
            client = WebClient(token=slack.token, base_url=slack.base_url)
            client.chat_postMessage(channel="C01GENERAL", text="hi")
            assert slack.messages("C01GENERAL")[0]["text"] == "hi"
    """

    team_id = TEAM_ID
    bot_user_id = BOT_USER_ID
    bot_id = BOT_ID

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = "xoxb-test",
        users: Iterable[Mapping[str, Any]] | None = None,
        *,
        state_file: str | os.PathLike[str] | None = None,
        app_token: str = "xapp-1-A0CXBOT01-test",
        scopes: Iterable[str] | None = None,
    ) -> None:
        """``users`` replaces the default people (alice, bob, carol); each mapping holds
        ``add_user`` keyword arguments with ``id``. A ``state_file`` that already exists
        wins over both, so a restarted emulator resumes where it stopped.

        The bot token is granted ``scopes``, by default exactly the bot scopes of
        ``manifest.yml``: a method whose scope is missing answers ``missing_scope``.
        Assign ``self.scopes`` to change the grant of a running emulator."""
        self.host = host
        self.token = token
        self.app_token = app_token
        self.socket_mode: SocketModeHub | None = None
        self.state = SlackState(state_file)
        self.scopes = tuple(granted_scopes(scopes))
        self.faults = FaultBook()
        self._requested_port = port
        if not self.state.load():
            self._seed_defaults(users)

    def _seed_defaults(self, users: Iterable[Mapping[str, Any]] | None) -> None:
        people = [u["id"] for u in (DEFAULT_USERS if users is None else users)]
        for channel_id, name in DEFAULT_CHANNELS:
            self.state.add_channel(channel_id, name, members=people)
        self.add_users(DEFAULT_USERS if users is None else users)
        if users is None:
            group_id, handle, members = DEFAULT_USERGROUP
            self.state.add_usergroup(group_id, list(members), handle)

    @property
    def scopes(self) -> tuple[str, ...]:
        """The bot scopes the token holds (what ``auth.test`` lists in ``x-oauth-scopes``)."""
        return self.state.scopes

    @scopes.setter
    def scopes(self, scopes: tuple[str, ...]) -> None:
        self.state.scopes = tuple(scopes)

    # ---- lifecycle -------------------------------------------------------
    def _make_server(self) -> EmulatorServer:
        return EmulatorServer((self.host, self._requested_port), self)

    def _started(self, server: LocalServer) -> None:
        self.state.root_url = f"http://{self.host}:{server.server_address[1]}/"

    def enable_socket_mode(self) -> SocketModeHub:
        """Start the Socket Mode endpoint that ``apps.connections.open`` hands out."""
        if self.socket_mode is None:
            self.socket_mode = SocketModeHub(self.host).start()
            self.state.socket_url = self.socket_mode.url
        return self.socket_mode

    def stop(self) -> None:
        """Stop Socket Mode, then the server (requests sleeping in a fault are abandoned)."""
        if self.socket_mode is not None:
            self.socket_mode.stop()
            self.socket_mode, self.state.socket_url = None, None
        super().stop()

    @property
    def url(self) -> str:
        """Root URL, e.g. ``http://127.0.0.1:5555/``."""
        return f"http://{self.host}:{self.port}/"

    @property
    def base_url(self) -> str:
        """What ``slack_sdk.WebClient(base_url=...)`` expects: the root plus ``api/``."""
        return self.url + "api/"

    def response_url(self, key: str | None = None) -> str:
        """A URL to hand the bot as a ``response_url``; any id under /response/ is accepted."""
        return f"{self.url}response/{key or uuid.uuid4().hex}"

    # ---- seeding ---------------------------------------------------------
    def add_user(
        self,
        user_id: str,
        name: str | None = None,
        *,
        email: str | None = None,
        tz: str = "UTC",
        is_bot: bool = False,
        real_name: str | None = None,
        locale: str = "en-US",
        team_id: str | None = None,
    ) -> dict[str, Any]:
        """Seed a person; another ``team_id`` makes a Slack Connect member of another org
        (add them to a shared channel with ``invite``)."""
        user = make_user(
            user_id, name, email=email, tz=tz, is_bot=is_bot, real_name=real_name,
            locale=locale, team_id=team_id,
        )  # fmt: skip
        with self.state.lock:
            self.state.users[user_id] = user
            self.state.save()
        return copy.deepcopy(user)

    def add_users(self, specs: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Seed from JSON-style mappings: ``id`` plus ``add_user`` keyword arguments."""
        users = []
        for spec in specs:
            fields = dict(spec)
            users.append(self.add_user(fields.pop("id"), **fields))
        return users

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        is_private: bool = False,
        members: Iterable[str] = (),
    ) -> dict[str, Any]:
        """A channel and its members; list ``bot_user_id`` for a channel the bot was invited to."""
        with self.state.lock:
            channel = self.state.add_channel(
                channel_id, name, is_private=is_private, members=list(members)
            )
            self.state.save()
            return copy.deepcopy(channel)

    def invite(self, channel_id: str, *user_ids: str) -> dict[str, Any]:
        """``/invite`` people (the bot by default) to a channel, creating it public if unknown."""
        with self.state.lock:
            channel = self.state.invite(channel_id, list(user_ids) or [BOT_USER_ID])
            self.state.save()
            return copy.deepcopy(channel)

    def add_usergroup(
        self, group_id: str, user_ids: Iterable[str], handle: str | None = None
    ) -> dict[str, Any]:
        with self.state.lock:
            group = self.state.add_usergroup(group_id, list(user_ids), handle)
            self.state.save()
            return copy.deepcopy(group)

    # ---- inspection ------------------------------------------------------
    def calls(self, method: str | None = None) -> list[Call]:
        """Every recorded request (faulted ones too): method, params, time, status, response."""
        with self.state.lock:
            return copy.deepcopy([c for c in self.state.calls if method in (None, c["method"])])

    def messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Current messages (updates applied, deletions gone) in ts order, with ``channel``."""
        with self.state.lock:
            found = [
                {**message, "channel": channel_id}
                for channel_id, by_ts in self.state.messages.items()
                if channel in (None, channel_id)
                for message in by_ts.values()
            ]
            return copy.deepcopy(sorted(found, key=lambda m: (float(m["ts"]), m["ts"])))

    def ephemerals(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return copy.deepcopy(self.state.ephemerals)

    def responses(self, key: str | None = None) -> list[dict[str, Any]]:
        """Bodies POSTed to response URLs (``id`` is the key in the URL)."""
        with self.state.lock:
            return copy.deepcopy([r for r in self.state.responses if key in (None, r["id"])])

    def views(self) -> list[dict[str, Any]]:
        """Opened/pushed/updated modals and published home tabs (``user_id`` set for those)."""
        with self.state.lock:
            return copy.deepcopy(list(self.state.views.values()))

    def files(self, *, with_content: bool = True) -> list[dict[str, Any]]:
        """Upload tickets and uploaded files; ``content`` holds the bytes (None until uploaded)."""
        with self.state.lock:
            metas = self.state.files.values()
            return [dict(m) if with_content else public_file(m) for m in copy.deepcopy(list(metas))]

    def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 5.0,
    ) -> Call:
        """Block until a matching call is recorded (Bolt listeners run after ack(), on a pool).

        Returns the first match, including ones already recorded; raises AssertionError
        listing every call seen if none arrives in time.
        """
        deadline = time.monotonic() + timeout
        with self.state.changed:
            while True:
                for call in self.state.calls:
                    if call["method"] == method and (predicate is None or predicate(call)):
                        return copy.deepcopy(call)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = (
                        "\n".join(
                            f"  {c['method']} -> {c['status']} {c['params']}"
                            for c in self.state.calls
                        )
                        or "  (no calls)"
                    )
                    raise AssertionError(
                        f"no {method} call matching the predicate within {timeout}s; seen:\n{seen}"
                    )
                self.state.changed.wait(remaining)

    # ---- faults & reset --------------------------------------------------
    def fail(
        self,
        method: str = "*",
        status: int | None = None,
        count: int | None = None,
        mode: str = "error",
        error: str | None = None,
        retry_after: int = 1,
        delay: float | None = None,
    ) -> Fault:
        """Make matching calls fail; see ``Fault`` for the modes. Returns the live rule."""
        fault = Fault(
            method=method,
            mode=mode,
            status=status,
            count=count,
            error=error,
            retry_after=retry_after,
            delay=delay,
        )
        return self.faults.add(fault)

    def clear_faults(self) -> None:
        self.faults.clear()

    def reset(self) -> None:
        """Drop recorded calls, activity and faults; seeded users/channels/groups stay."""
        self.faults.clear()
        with self.state.lock:
            self.state.clear_activity()
            self.state.save()
