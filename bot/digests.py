"""Building and posting one weekly digest (the digests job and ``cxbot digests send --now``)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlite_utils import Database

from bot.blocks.digest import digest_blocks
from bot.cx.charts import trend_png
from bot.slack_client import post_in_channel
from storage import subscriptions as schedule
from storage.digest import Digest, build_digest
from storage.filters import Filters


def digest_for(db: Database, subscription: schedule.Subscription, now: datetime) -> Digest:
    return build_digest(db, ZoneInfo(subscription.timezone), now, Filters(team=subscription.team))


def deliver_digest(
    client: WebClient,
    db: Database,
    subscription: schedule.Subscription,
    labels: dict[str, str],
    now: datetime,
) -> None:
    """Post the digest and its 12-week chart to the channel, or to the subscriber's DM."""
    digest = digest_for(db, subscription, now)
    channel = (
        subscription.channel
        or client.conversations_open(users=subscription.subscriber)["channel"]["id"]
    )
    post_in_channel(  # joins a public channel the bot was not invited to
        client,
        channel,
        text=f"Weekly CX digest — {digest.week}",
        blocks=digest_blocks(digest, labels),
    )
    png = trend_png(
        "nps", digest.series, f"NPS, 12 weeks to {digest.week} · {digest.filters.describe()}"
    )
    client.files_upload_v2(
        channel=channel,
        content=png,
        filename=f"cx-digest-{digest.week}.png",
        title=f"NPS trend to {digest.week}",
    )
