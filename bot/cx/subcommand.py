"""What a ``/cx`` subcommand is: one declaration that help, usage hints, access and answering read.

A subcommand module builds one ``Subcommand`` (or a family of them) and the
registry (``bot.cx.registry``) lists it.  Answering runs in three steps, each
in its place:

1. ``lookup`` (optional, on the event loop): what only Slack knows — a
   mentioned user's email, the asker's time zone.
2. ``resolve`` then ``answer`` (one call on a database thread): the stored
   spelling of ``team=``/``agent=``, the access check, then the query.  It
   returns plain data, never Block Kit.
3. ``render`` (back on the event loop): data → ``Reply``; ``after``
   (optional) does what follows the answer, such as uploading a chart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar
from zoneinfo import ZoneInfo

from slack_bolt.async_app import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient
from sqlite_utils import Database

from bot.cx.access import Viewer, resolve_agent
from bot.cx.grammar import CxCommand, UsageError, Words
from bot.mrkdwn import escape_mrkdwn
from storage.teams import UnknownTeam, stored_team

PENDING = "Crunching the numbers… the answer follows in a moment."


class Command(Protocol):
    """What the shared steps read from any parsed command."""

    @property
    def public(self) -> bool: ...

    @property
    def agent(self) -> str | None: ...


C = TypeVar("C", bound=Command)
D = TypeVar("D")


@dataclass(frozen=True)
class Reply:
    text: str
    blocks: list[dict] | None = None


@dataclass(frozen=True)
class Asked(Generic[C]):
    """One ``/cx`` request: the parsed command, who asked, when and where."""

    command: C
    viewer: Viewer
    tz: ZoneInfo  # CXBOT_TIMEZONE: weeks and periods are counted in it
    now: datetime
    channel: str = ""
    theme_labels: dict[str, str] = field(default_factory=dict)

    def with_command(self, command: C) -> Asked[C]:
        return replace(self, command=command)


def resolve_filters(db: Database, asked: Asked[CxCommand]) -> CxCommand:
    """``agent=@user`` → that agent's name; ``team=Billing`` → the stored ``billing``.

    A team no ticket or answer has is a usage error listing the teams, so a
    typo does not read as "no answers".
    """
    command = asked.command
    changes = {}
    if command.filters.agent is not None:
        changes["agent"] = resolve_agent(db, command.filters.agent)
    if command.filters.team is not None:
        try:
            changes["team"] = stored_team(db, command.filters.team)
        except UnknownTeam as exc:
            raise UsageError(str(exc), command.name) from None
    if not changes:
        return command
    return replace(command, filters=replace(command.filters, **changes))


def _pending(command: Any) -> str:
    return PENDING


@dataclass(frozen=True)
class Subcommand(Generic[C, D]):
    """One ``/cx`` subcommand, declared once.

    ``usage`` is the line shown in ``/cx help``, in usage hints and in the
    README's ``/cx`` table (a test keeps them equal); ``admin_only`` names
    what only admins may see ("The agent leaderboard") and is None when
    everyone may run it.  ``parse`` is the subcommand's own grammar; None
    reads ``keys`` and the ``words`` flags with the shared one.
    """

    name: str
    usage: str
    summary: str
    render: Callable[[D, Asked[C]], Reply]
    answer: Callable[[Database, Asked[C]], D] | None = None  # None: no data needed (help)
    keys: frozenset[str] = frozenset()
    admin_only: str | None = None
    survey: str | None = None
    takes_survey: bool = False
    takes_score: bool = False
    parse: Callable[[list[str], bool], C] | None = None
    resolve: Callable[[Database, Asked[C]], C] = resolve_filters  # type: ignore[assignment]
    lookup: Callable[[Asked[C], AsyncWebClient], Awaitable[Asked[C]]] | None = None
    after: Callable[[D, Asked[C], AsyncWebClient, AsyncRespond], Awaitable[None]] | None = None
    pending: Callable[[C], str] = _pending

    @property
    def words(self) -> Words:
        return Words(self.name, self.keys, self.survey, self.takes_survey, self.takes_score)

    @property
    def help_line(self) -> str:
        admins = " (admins only)" if self.admin_only else ""
        return f"`{escape_mrkdwn(self.usage)}` — {self.summary}{admins}"
