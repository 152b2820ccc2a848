"""The emulated workspace: seeded directory data plus everything the bot did to it.

One ``SlackState`` is shared by every request thread, so all access goes through
``state.lock`` (an ``RLock`` wrapped in a ``Condition`` so ``wait_for`` can sleep
until a new call is recorded instead of busy-polling).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TEAM_ID = "T0CXBOT01"
TEAM_NAME = "cxbot-emulator"
BOT_USER_ID = "U0CXBOT01"
BOT_USER_NAME = "cxbot"
BOT_ID = "B0CXBOT01"
APP_ID = "A0CXBOT01"

DEFAULT_USERS: tuple[dict[str, Any], ...] = (
    {
        "id": "U01ALICE",
        "name": "alice",
        "real_name": "Alice Popescu",
        "email": "alice@example.com",
        "tz": "Europe/Bucharest",
    },
    {
        "id": "U02BOB",
        "name": "bob",
        "real_name": "Bob Smith",
        "email": "bob@example.com",
        "tz": "America/New_York",
    },
    {
        "id": "U03CAROL",
        "name": "carol",
        "real_name": "Carol Tanaka",
        "email": "carol@example.com",
        "tz": "Asia/Tokyo",
    },
)
# Seeded with the default people as members; the bot is in no channel until invited.
DEFAULT_CHANNELS: tuple[tuple[str, str], ...] = (
    ("C01GENERAL", "general"),
    ("C02FEEDBACK", "cx-feedback"),
)
DEFAULT_USERGROUP = ("S01CXTEAM", "cx-team", ("U01ALICE", "U02BOB"))

# Real ids are upper-case alphanumerics; anything shaped like one is accepted so
# tests need not seed every channel/user they route messages to.
_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]+")
USER_ID = re.compile(r"[UW][A-Z0-9]+")


def _tz_offset(tz: str) -> int:
    """Current UTC offset in seconds, as Slack reports it (DST-aware)."""
    try:
        offset = datetime.now(ZoneInfo(tz)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return 0
    return int(offset.total_seconds()) if offset else 0


def _stable_id(prefix: str, key: str) -> str:
    """Deterministic Slack-looking id, so a DM id survives restarts without storage."""
    digest = base64.b32encode(hashlib.sha1(key.encode()).digest()).decode()
    return prefix + digest[:10]


def make_user(
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
    """Build a ``users.info``-shaped user object (``locale`` shown with include_locale).

    A ``team_id`` other than the workspace's makes a Slack Connect member of another org:
    ``is_stranger``, seen in shared channels but not found by ``users.lookupByEmail``."""
    name = name or user_id.lower()
    real_name = real_name or name.title()
    profile: dict[str, Any] = {
        "real_name": real_name,
        "real_name_normalized": real_name,
        "display_name": name,
        "display_name_normalized": name,
    }
    if email:
        profile["email"] = email
    if is_bot:
        profile["bot_id"] = BOT_ID if user_id == BOT_USER_ID else _stable_id("B", user_id)
    external = team_id not in (None, TEAM_ID)
    return {
        "id": user_id,
        "team_id": team_id or TEAM_ID,
        **({"is_stranger": True} if external else {}),
        "name": name,
        "real_name": real_name,
        "deleted": False,
        "is_bot": is_bot,
        "is_app_user": False,
        "tz": tz,
        "locale": locale,
        "tz_label": tz,
        "tz_offset": _tz_offset(tz),
        "profile": profile,
    }


class SlackState:
    """All mutable emulator data, optionally mirrored to a JSON file."""

    def __init__(self, state_file: str | os.PathLike[str] | None = None) -> None:
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.state_file = Path(state_file) if state_file else None
        self.root_url = ""  # set by the server once the port is known
        self.socket_url: str | None = None  # set when Socket Mode is enabled
        self.scopes: tuple[str, ...] = ()  # the bot token's grant (SlackEmulator sets it)
        self.users: dict[str, dict[str, Any]] = {
            BOT_USER_ID: make_user(BOT_USER_ID, BOT_USER_NAME, is_bot=True)
        }
        self.channels: dict[str, dict[str, Any]] = {}
        self.usergroups: dict[str, dict[str, Any]] = {}
        self.calls: list[dict[str, Any]] = []
        self.messages: dict[str, dict[str, dict[str, Any]]] = {}  # channel -> ts -> message
        self.ephemerals: list[dict[str, Any]] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.files: dict[str, dict[str, Any]] = {}  # metadata plus raw "content" bytes
        self.responses: list[dict[str, Any]] = []
        self._last_ts_us = 0
        self._counter = 0

    # ---- ids -------------------------------------------------------------
    def next_ts(self) -> str:
        """A message ts that is unique and strictly increasing, even within one microsecond."""
        with self.lock:
            self._last_ts_us = max(self._last_ts_us + 1, int(time.time() * 1_000_000))
            seconds, micros = divmod(self._last_ts_us, 1_000_000)
            return f"{seconds}.{micros:06d}"

    def new_id(self, prefix: str) -> str:
        with self.lock:
            self._counter += 1
            return f"{prefix}{self._counter:010d}"

    # ---- directory -------------------------------------------------------
    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        is_private: bool = False,
        members: list[str] | None = None,
    ) -> dict[str, Any]:
        """A channel with these members; the bot is in it only if listed (invited), as in Slack."""
        with self.lock:
            members = list(dict.fromkeys(members or []))
            channel = {
                "id": channel_id,
                "name": name,
                "is_channel": not is_private,
                "is_group": is_private,
                "is_im": False,
                "is_mpim": False,
                "is_private": is_private,
                "is_member": BOT_USER_ID in members,
                "members": members,
                "is_archived": False,
                "created": int(time.time()),
            }
            self.channels[channel_id] = channel
            return channel

    def invite(self, channel_id: str, user_ids: list[str]) -> dict[str, Any]:
        """Add members to a channel (created public if unknown), like ``/invite``."""
        with self.lock:
            channel = self.channels.get(channel_id) or self.add_channel(
                channel_id, channel_id.lower(), is_private=channel_id.startswith("G")
            )
            members = channel.setdefault("members", [])
            members.extend(u for u in user_ids if u not in members)
            channel["is_member"] = BOT_USER_ID in members
            return channel

    def is_member(self, channel_id: str, user_id: str = BOT_USER_ID) -> bool:
        """Whether the user (the bot by default) is in the channel; a DM counts its own user."""
        with self.lock:
            channel = self.channels.get(channel_id) or {}
            if channel.get("is_im"):
                return user_id in (BOT_USER_ID, channel.get("user"))
            return user_id in channel.get("members", [])

    def add_usergroup(
        self, group_id: str, user_ids: list[str], handle: str | None = None
    ) -> dict[str, Any]:
        with self.lock:
            handle = handle or group_id.lower()
            group = {
                "id": group_id,
                "team_id": TEAM_ID,
                "handle": handle,
                "name": handle,
                "users": list(user_ids),
            }
            self.usergroups[group_id] = group
            return group

    def resolve_channel(self, ref: str | None) -> str | None:
        """Map an id, ``#name``/``name`` or user id (→ DM) to a channel id; None if unknown."""
        if not ref:
            return None
        with self.lock:
            if ref in self.channels:
                return ref
            name = ref.removeprefix("#")
            for channel in self.channels.values():
                if channel.get("name") == name:
                    return channel["id"]
            if USER_ID.fullmatch(ref):
                return self.open_conversation([ref])[0]["id"]
            if _CHANNEL_ID.fullmatch(ref):  # unseeded: nobody (not the bot) is in it yet
                return self.add_channel(ref, ref.lower(), is_private=ref.startswith("G"))["id"]
            return None

    def open_conversation(self, user_ids: list[str]) -> tuple[dict[str, Any], bool]:
        """Return the (stable) DM or group DM for these users and whether it already existed."""
        with self.lock:
            if len(user_ids) == 1:
                channel_id = _stable_id("D", user_ids[0])
            else:
                channel_id = _stable_id("G", ",".join(sorted(user_ids)))
            existed = channel_id in self.channels
            if not existed:
                self.channels[channel_id] = {
                    "id": channel_id,
                    "is_im": len(user_ids) == 1,
                    "is_mpim": len(user_ids) > 1,
                    "is_private": True,
                    "is_open": True,
                    "created": int(time.time()),
                    **(
                        {"user": user_ids[0]}
                        if len(user_ids) == 1
                        else {"members": [BOT_USER_ID, *user_ids]}
                    ),
                }
            return self.channels[channel_id], existed

    # ---- activity --------------------------------------------------------
    def clear_activity(self) -> None:
        """Forget everything the bot did; seeded users/channels/groups and the ts clock stay."""
        with self.lock:
            self.calls = []
            self.messages = {}
            self.ephemerals = []
            self.views = {}
            self.files = {}
            self.responses = []

    def record_call(self, call: dict[str, Any]) -> None:
        with self.lock:
            self.calls.append(call)
            self.changed.notify_all()

    def find_message(self, channel: str, ts: str) -> dict[str, Any] | None:
        with self.lock:
            return self.messages.get(channel, {}).get(ts)

    def store_message(self, channel: str, message: dict[str, Any]) -> None:
        with self.lock:
            self.messages.setdefault(channel, {})[message["ts"]] = message

    # ---- persistence -----------------------------------------------------
    # The workspace survives a restart; the call log and faults belong to one process.
    _PERSISTED = ("users", "channels", "usergroups", "messages", "ephemerals", "views", "responses")

    def save(self) -> None:
        """Rewrite the state file atomically (temp + rename): a kill never leaves half a file."""
        if self.state_file is None:
            return
        with self.lock:
            data: dict[str, Any] = {key: getattr(self, key) for key in self._PERSISTED}
            data["files"] = {
                fid: {**meta, "content": _b64(meta["content"])} for fid, meta in self.files.items()
            }
            data["last_ts_us"] = self._last_ts_us
            data["counter"] = self._counter
            directory = self.state_file.parent
            directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=".emulator-", suffix=".json")
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
            self.files = {
                fid: {**meta, "content": _unb64(meta["content"])}
                for fid, meta in data["files"].items()
            }
            self._last_ts_us = data["last_ts_us"]
            self._counter = data["counter"]
        return True


def public_file(meta: dict[str, Any]) -> dict[str, Any]:
    """A stored file as the API shows it: everything but the raw bytes."""
    return {key: value for key, value in meta.items() if key != "content"}


def _b64(content: bytes | None) -> str | None:
    return None if content is None else base64.b64encode(content).decode("ascii")


def _unb64(content: str | None) -> bytes | None:
    return None if content is None else base64.b64decode(content)
