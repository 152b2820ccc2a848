"""The App Home tab: the last 30 days at a glance, refreshed every time it is opened."""

from __future__ import annotations

from datetime import UTC, datetime

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlite_utils import Database

from bot.blocks.limits import context, fit, section
from bot.blocks.metrics import theme_name
from bot.formatting import (
    METRIC_NAMES,
    closing_the_loop_text,
    delta_text,
    headline,
    impact_text,
    sparkline,
)
from bot.settings import Settings
from bot.store import Store
from bot.themes import theme_labels
from storage.alerts import follow_up_stats
from storage.metrics import metric_report, weekly_series
from storage.periods import parse_period
from storage.themes import theme_report


def home_view(db: Database, settings: Settings, now: datetime) -> dict:
    period = parse_period("30d", settings.tz, now)
    blocks = [section("*Customer experience — last 30 days*")]
    for metric in ("nps", "csat", "ces"):
        report = metric_report(db, metric, period)
        weeks = weekly_series(db, metric, 12, settings.tz, now)
        trend = sparkline([p.summary.score for p in weeks])
        small = " ⚠ small sample" if report.current.small_sample else ""
        blocks.append(
            section(
                f"*{headline(report.current)}*  {delta_text(metric, report.delta)} vs the 30 days before · n = {report.current.n:,}{small}\n12 weeks: `{trend}`"
            )
        )
    loop = closing_the_loop_text(follow_up_stats(db, period))
    if loop:
        blocks.append(section(f"*Closing the loop*: {loop}"))
    stats, labels = theme_report(db, period)[:5], theme_labels(settings)
    if stats:
        lines = [
            f"• {theme_name(s.theme, labels)} — {s.count:,} comments, {METRIC_NAMES[s.impact_metric]} impact {impact_text(s.impact)}"
            for s in stats
        ]
        blocks.append(section("*Top themes*\n" + "\n".join(lines)))
    blocks.append(
        context(
            f"Updated {now.astimezone(settings.tz):%Y-%m-%d %H:%M} ({settings.timezone}) · `/cx help` for more"
        )
    )
    return {"type": "home", "blocks": fit(blocks)}


def register(app: AsyncApp, store: Store, settings: Settings) -> None:
    @app.event("app_home_opened")
    async def publish_home(event: dict, client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        view = await store.run(home_view, settings, datetime.now(UTC))
        await client.views_publish(user_id=event["user"], view=view)
