"""Who may see what: CXBOT_ADMINS see everything; others see team-level numbers and their own.

Admins are Slack user ids and/or user-group ids (S…); group members are
looked up with ``usergroups.users.list`` and cached for five minutes.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlite_utils import Database

GROUP_TTL = 300.0
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


@dataclass(frozen=True)
class Viewer:
    user_id: str
    is_admin: bool
    agent_names: tuple[str, ...] = ()


class AdminDirectory:
    def __init__(self, admins: list[str], client: AsyncWebClient):
        self.users = {a for a in admins if not a.startswith("S")}
        self.groups = [a for a in admins if a.startswith("S")]
        self._client = client
        self._members: dict[str, tuple[float, set[str]]] = {}

    async def _group_members(self, group: str) -> set[str]:
        cached = self._members.get(group)
        if cached and time.monotonic() - cached[0] < GROUP_TTL:
            return cached[1]
        try:
            members = set((await self._client.usergroups_users_list(usergroup=group))["users"])
        except SlackApiError:
            members = cached[1] if cached else set()  # keep the last known list on a Slack hiccup
        self._members[group] = (time.monotonic(), members)
        return members

    async def is_admin(self, user_id: str) -> bool:
        if user_id in self.users:
            return True
        for group in self.groups:
            if user_id in await self._group_members(group):
                return True
        return False


def own_agent_names(db: Database, user_id: str) -> tuple[str, ...]:
    """The agent names this Slack user appears under in tickets."""
    rows = db.execute(
        "SELECT DISTINCT agent_name FROM tickets WHERE agent_slack_id = ? AND agent_name IS NOT NULL",
        [user_id],
    )
    return tuple(row[0] for row in rows)


def resolve_agent(db: Database, value: str) -> str:
    """``agent=<@U123>`` means that user's agent name; anything else is a name already."""
    match = _MENTION.match(value)
    if not match:
        return value
    names = own_agent_names(db, match.group(1))
    return names[0] if names else value


def denial(admin_only: str | None, agent: str | None, viewer: Viewer) -> str | None:
    """Why this viewer may not have this answer, or None when they may.

    ``admin_only`` names what an admins-only subcommand shows ("The agent
    leaderboard"); ``agent`` is the one agent whose numbers are asked for.
    """
    if viewer.is_admin:
        return None
    if admin_only is not None:
        return (
            f"{admin_only} is for cxbot admins (CXBOT_ADMINS). "
            "You can see team numbers, e.g. `/cx nps team=billing`, and your own with `/cx nps agent=@you`."
        )
    if agent is not None and agent not in viewer.agent_names:
        return (
            f"Numbers for agent {agent!r} are for admins and for that agent only. "
            "Ask an admin to add you to CXBOT_ADMINS, or look at team numbers instead."
        )
    return None
