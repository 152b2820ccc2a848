"""``/cx ops``: the ticket-speed and effort numbers ``cxbot metrics ops`` prints, beside the previous period."""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from bot.blocks.metrics import operations_blocks
from bot.cx.grammar import FILTER_KEYS, FILTER_USAGE, SURVEY_WORDS, CxCommand
from bot.cx.subcommand import Asked, Reply, Subcommand
from bot.cx.subcommands.scores import scope
from bot.mrkdwn import escape_mrkdwn
from storage.effort import Effort, effort
from storage.formulas import ScoreSummary
from storage.metrics import ResponseRate, response_rate
from storage.operations import (
    OperationsReport,
    operations_report,
    satisfaction_by_resolution_time,
)


@dataclass(frozen=True)
class Operations:
    report: OperationsReport
    previous: OperationsReport | None
    rate: ResponseRate
    by_resolution_time: list[tuple[str, ScoreSummary]]
    effort: Effort
    effort_before: Effort | None


def answer(db: Database, asked: Asked[CxCommand]) -> Operations:
    command = asked.command
    period, filters = command.period, command.filters
    before = period.previous() if period else None
    metric = command.metric or "csat"
    return Operations(
        operations_report(db, period, filters),
        operations_report(db, before, filters) if before else None,
        response_rate(db, None, period, filters),
        satisfaction_by_resolution_time(db, metric, period, filters),
        effort(db, metric, period, filters),
        effort(db, metric, before, filters) if before else None,
    )


def render(ops: Operations, asked: Asked[CxCommand]) -> Reply:
    command = asked.command
    blocks = operations_blocks(
        ops.report,
        ops.previous,
        ops.rate,
        ops.by_resolution_time,
        command.metric or "csat",
        scope(command),
        ops.effort,
        ops.effort_before,
    )
    text = f"Operations: {ops.report.tickets_closed:,} tickets closed ({scope(command)})"
    return Reply(escape_mrkdwn(text), blocks)


SUBCOMMAND = Subcommand(
    name="ops",
    usage=f"/cx ops [period] [{SURVEY_WORDS}] {FILTER_USAGE}",
    summary="first-response, resolution and handle time, reopens, contacts per resolution, one-touch rate, response rate, score by resolution time and by contacts",
    answer=answer,
    render=render,
    keys=FILTER_KEYS,
    takes_survey=True,
)
