"""``/cx at-risk``: customers with repeated detractor answers or a sharp drop, most severe first."""

from __future__ import annotations

from sqlite_utils import Database

from bot.blocks.metrics import at_risk_blocks
from bot.cx.grammar import FILTER_KEYS, CxCommand
from bot.cx.subcommand import Asked, Reply, Subcommand
from storage.customers import AtRisk, at_risk_customers

SHOWN = 20


def answer(db: Database, asked: Asked[CxCommand]) -> list[AtRisk]:
    return at_risk_customers(db, asked.command.window, limit=None)


def render(risky: list[AtRisk], asked: Asked[CxCommand]) -> Reply:
    blocks = at_risk_blocks(risky[:SHOWN], asked.command.period_text, total=len(risky))
    return Reply(f"{len(risky)} customers at risk", blocks)


SUBCOMMAND = Subcommand(
    name="at-risk",
    usage="/cx at-risk [period]",
    summary="early churn warning",
    answer=answer,
    render=render,
    keys=FILTER_KEYS,
    admin_only="The at-risk customer list",
)
