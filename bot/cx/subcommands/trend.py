"""``/cx trend``: the weekly series as a sparkline at once, then a chart image."""

from __future__ import annotations

import asyncio
import logging

from slack_bolt.async_app import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient
from sqlite_utils import Database

from bot.blocks.metrics import trend_blocks
from bot.cx.charts import chart_alt_text, trend_png
from bot.cx.grammar import FILTER_KEYS, FILTER_USAGE, SURVEY_WORDS, CxCommand
from bot.cx.subcommand import Asked, Reply, Subcommand
from bot.formatting import METRIC_NAMES
from storage.metrics import SeriesPoint, weekly_series

log = logging.getLogger("cxbot.commands")


def answer(db: Database, asked: Asked[CxCommand]) -> list[SeriesPoint]:
    command = asked.command
    metric = command.metric or "nps"
    return weekly_series(db, metric, command.weeks, asked.tz, asked.now, command.filters)


def render(points: list[SeriesPoint], asked: Asked[CxCommand]) -> Reply:
    command = asked.command
    metric = command.metric or "nps"
    blocks = trend_blocks(metric, points, command.filters.describe(), "The chart image follows.")
    return Reply(f"{METRIC_NAMES[metric]} weekly trend", blocks)


async def upload_chart(
    points: list[SeriesPoint],
    asked: Asked[CxCommand],
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """The same weeks as a PNG: to the channel when public, else to the asker's DM."""
    command = asked.command
    metric = command.metric or "nps"
    try:
        title = f"{METRIC_NAMES[metric]} by week · {command.filters.describe()}"
        png = await asyncio.to_thread(trend_png, metric, points, title)
        user = asked.viewer.user_id
        target = (
            asked.channel
            if command.public
            else (await client.conversations_open(users=user))["channel"]["id"]
        )
        await client.files_upload_v2(
            channel=target, content=png, filename=f"cx-{metric}-trend.png", title=title,
            alt_txt=chart_alt_text(metric, points, title),
        )  # fmt: skip
    except Exception as exc:  # the sparkline already answered; say why the image is missing
        log.exception("trend chart upload failed")
        await respond(
            response_type="ephemeral",
            text=f"The chart could not be uploaded ({exc}); the sparkline above has the same numbers.",
        )


SUBCOMMAND = Subcommand(
    name="trend",
    usage=f"/cx trend [{SURVEY_WORDS}] [weeks=12] {FILTER_USAGE}",
    summary="weekly chart",
    answer=answer,
    render=render,
    keys=FILTER_KEYS | {"weeks"},
    takes_survey=True,
    after=upload_chart,
)
