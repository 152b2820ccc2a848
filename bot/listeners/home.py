"""The App Home tab: the last 30 days at a glance, refreshed every time it is opened.

Queried in one database-thread call, rendered back on the event loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient
from sqlite_utils import Database

from bot.blocks.limits import context as context_block
from bot.blocks.limits import fit, section
from bot.blocks.metrics import theme_name
from bot.formatting import (
    METRIC_NAMES,
    closing_the_loop_text,
    delta_text,
    headline,
    impact_text,
    sparkline,
)
from bot.listeners.middleware import services
from bot.themes import theme_labels
from storage.alerts import FollowUpStats, follow_up_stats
from storage.metrics import MetricReport, SeriesPoint, metric_report, weekly_series
from storage.periods import parse_period
from storage.survey_types import SURVEY_NAMES
from storage.themes import ThemeStat, theme_report


@dataclass(frozen=True)
class Home:
    surveys: list[tuple[MetricReport, list[SeriesPoint]]]  # each survey's 30 days and 12 weeks
    follow_ups: FollowUpStats
    themes: list[ThemeStat]  # the top five


def home_data(db: Database, tz: ZoneInfo, now: datetime) -> Home:
    period = parse_period("30d", tz, now)
    surveys = [
        (metric_report(db, metric, period), weekly_series(db, metric, 12, tz, now))
        for metric in SURVEY_NAMES
    ]
    return Home(surveys, follow_up_stats(db, period), theme_report(db, period)[:5])


def home_view(home: Home, tz: ZoneInfo, now: datetime, labels: Mapping[str, str]) -> dict:
    blocks = [section("*Customer experience — last 30 days*")]
    for report, weeks in home.surveys:
        metric = report.current.metric
        trend = sparkline([p.summary.score for p in weeks])
        small = " ⚠ small sample" if report.current.small_sample else ""
        blocks.append(
            section(
                f"*{headline(report.current)}*  {delta_text(metric, report.delta)} vs the 30 days before · n = {report.current.n:,}{small}\n12 weeks: `{trend}`"
            )
        )
    loop = closing_the_loop_text(home.follow_ups)
    if loop:
        blocks.append(section(f"*Closing the loop*: {loop}"))
    if home.themes:
        lines = [
            f"• {theme_name(s.theme, labels)} — {s.count:,} comments, {METRIC_NAMES[s.impact_metric]} impact {impact_text(s.impact)}"
            for s in home.themes
        ]
        blocks.append(section("*Top themes*\n" + "\n".join(lines)))
    blocks.append(
        context_block(
            f"Updated {now.astimezone(tz):%Y-%m-%d %H:%M} ({tz.key}) · `/cx help` for more"
        )
    )
    return {"type": "home", "blocks": fit(blocks)}


async def publish_home(event: dict, client: AsyncWebClient, context: AsyncBoltContext) -> None:
    if event.get("tab", "home") != "home":
        return
    shared = services(context)
    tz, now = shared.settings.tz, datetime.now(UTC)
    home = await shared.store.run(home_data, tz, now)
    labels = theme_labels(shared.settings)
    await client.views_publish(user_id=event["user"], view=home_view(home, tz, now, labels))


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(publish_home)
