"""``/cx nps|csat|ces``: one survey's score with its interval, buckets, change and follow-ups."""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from bot.blocks.metrics import metric_blocks
from bot.cx.grammar import FILTER_KEYS, FILTER_USAGE, SURVEY_WORDS, CxCommand
from bot.cx.subcommand import Asked, Reply, Subcommand
from bot.formatting import closing_the_loop_text, headline
from bot.mrkdwn import escape_mrkdwn
from storage.alerts import FollowUpStats, follow_up_stats
from storage.metrics import MetricReport, metric_report
from storage.survey_types import SURVEY_NAMES


@dataclass(frozen=True)
class Score:
    report: MetricReport
    follow_ups: FollowUpStats


def scope(command: CxCommand) -> str:
    """``30d · team=billing``: the period and filters an answer covers."""
    return f"{command.period_text} · {command.filters.describe()}"


def answer(db: Database, asked: Asked[CxCommand]) -> Score:
    command = asked.command
    metric = command.metric or "nps"
    return Score(
        metric_report(db, metric, command.window, command.filters),
        follow_up_stats(db, command.period, command.filters, survey_type=metric),
    )


def render(score: Score, asked: Asked[CxCommand]) -> Reply:
    report = score.report
    loop_text = closing_the_loop_text(score.follow_ups, report.current.metric)
    closing = f"Closing the loop: {loop_text}" if loop_text else None
    text = f"{headline(report.current)} ({scope(asked.command)})"
    return Reply(escape_mrkdwn(text), metric_blocks(report, closing))


USAGE = f"/cx {SURVEY_WORDS} [period] {FILTER_USAGE}"
SUBCOMMANDS = tuple(
    Subcommand(
        name=name,
        usage=USAGE,
        summary="score, 95% CI, n, buckets, change, response rate",
        answer=answer,
        render=render,
        keys=FILTER_KEYS,
        survey=name,
    )
    for name in SURVEY_NAMES
)
