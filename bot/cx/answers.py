"""Answering a parsed ``/cx`` command from the database (runs on a worker thread)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from bot.blocks import metrics as render
from bot.cx.access import Viewer, resolve_agent
from bot.cx.grammar import CxCommand, UsageError
from bot.formatting import METRIC_NAMES, closing_the_loop_text, headline
from storage.alerts import follow_up_stats, open_follow_ups
from storage.comments import latest_comments
from storage.customers import at_risk_customers, customer_history
from storage.metrics import breakdown, metric_report, response_rate, weekly_series
from storage.operations import operations_report, satisfaction_by_resolution_time
from storage.teams import UnknownTeam, stored_team
from storage.themes import theme_report


@dataclass(frozen=True)
class Reply:
    blocks: list[dict]
    text: str


AT_RISK_SHOWN = 20


def _scope(command: CxCommand) -> str:
    return f"{command.period_text} · {command.filters.describe()}"


def with_resolved_filters(db: Database, command: CxCommand) -> CxCommand:
    """``agent=@user`` → that agent's name; ``team=Billing`` → the stored ``billing``.

    A team no ticket or answer has is a usage error listing the teams, so a
    typo does not read as "no answers".
    """
    changes = {}
    if command.filters.agent is not None:
        changes["agent"] = resolve_agent(db, command.filters.agent)
    if command.filters.team is not None:
        changes["team"] = _known_team(db, command.filters.team, command.name)
    if not changes:
        return command
    return replace(command, filters=replace(command.filters, **changes))


def digest_team(db: Database, team: str) -> str:
    """The stored spelling of a digest's team.

    A team no ticket or answer has is refused (``UnknownTeam``, a ValueError)
    while other teams exist: a typo would otherwise mean an empty digest every
    week. On a fresh install, with no teams yet, any name is taken.
    """
    try:
        return stored_team(db, team)
    except UnknownTeam as exc:
        if exc.teams:
            raise
        return team


def _known_team(db: Database, team: str, subcommand: str) -> str:
    try:
        return stored_team(db, team)
    except UnknownTeam as exc:
        raise UsageError(str(exc), subcommand) from None


def answer(
    db: Database,
    command: CxCommand,
    tz: ZoneInfo,
    now: datetime,
    viewer: Viewer,
    emails: tuple[str, ...] = (),
    *,
    labels: Mapping[str, str],
) -> Reply:
    """Blocks and fallback text for any subcommand but ``help``; ``labels`` name the themes."""
    name = command.name
    if name in ("nps", "csat", "ces"):
        report = metric_report(db, name, command.period, command.filters)
        loop = follow_up_stats(db, command.period, command.filters, survey_type=name)
        loop_text = closing_the_loop_text(loop, name)
        closing = f"Closing the loop: {loop_text}" if loop_text else None
        return Reply(
            render.metric_blocks(report, closing), f"{headline(report.current)} ({_scope(command)})"
        )
    if name == "trend":
        metric = command.metric or "nps"
        points = weekly_series(db, metric, command.weeks, tz, now, command.filters)
        note = "The chart image follows."
        return Reply(
            render.trend_blocks(metric, points, command.filters.describe(), note),
            f"{METRIC_NAMES[metric]} weekly trend",
        )
    if name == "themes":
        stats = theme_report(db, command.period, command.filters)
        return Reply(
            render.themes_blocks(stats, command.period_text, command.filters.describe(), labels),
            f"Themes, {command.period_text}",
        )
    if name == "comments":
        score = (command.score.op, command.score.value) if command.score else None
        comments, total = latest_comments(
            db, command.period, command.filters, metric=command.metric, theme=command.theme,
            sentiment=command.sentiment, score=score, limit=command.limit,
        )  # fmt: skip
        show_agent = viewer.is_admin or command.filters.agent in viewer.agent_names
        return Reply(
            render.comments_blocks(comments, total, _scope(command), labels, show_agent),
            f"{total} comments",
        )
    if name in ("agents", "teams"):
        metric = command.metric or "nps"
        rows = breakdown(db, metric, name[:-1], command.period, command.filters)
        return Reply(
            render.leaderboard_blocks(metric, name[:-1], rows, command.period_text),
            f"{METRIC_NAMES[metric]} by {name[:-1]}",
        )
    if name == "ops":
        return _operations(db, command)
    if name == "customer":
        keys = [command.subject or "", *emails]
        history = customer_history(db, keys)
        return Reply(
            render.customer_blocks(history, open_follow_ups(db, keys)),
            f"Customer {command.subject}",
        )
    if name == "at-risk":
        risky = at_risk_customers(db, command.period, limit=None)
        return Reply(
            render.at_risk_blocks(risky[:AT_RISK_SHOWN], command.period_text, total=len(risky)),
            f"{len(risky)} customers at risk",
        )
    return Reply(render.help_blocks(), "cxbot help")


def _operations(db: Database, command: CxCommand) -> Reply:
    """``/cx ops``: the ticket-speed numbers the CLI's ``metrics ops`` prints, beside the previous period."""
    metric = command.metric or "csat"
    period, filters = command.period, command.filters
    before = period.previous() if period else None
    report = operations_report(db, period, filters)
    blocks = render.operations_blocks(
        report,
        operations_report(db, before, filters) if before else None,
        response_rate(db, None, period, filters),
        satisfaction_by_resolution_time(db, metric, period, filters),
        metric,
        _scope(command),
    )
    return Reply(
        blocks, f"Operations: {report.tickets_closed:,} tickets closed ({_scope(command)})"
    )
