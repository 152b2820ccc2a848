"""Building and posting one weekly digest (the digests job and ``cxbot digests send --now``).

The message is the digest; the chart is an attachment to it. Once the message
is out the week counts as sent, whatever happens to the chart: a chart that
fails is tried again once, alone, and if it still fails the message says so
instead of the whole digest going out again on every pass all week.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlite_utils import Database

from bot.blocks.digest import chart_missing_blocks, digest_blocks
from bot.cx.charts import chart_alt_text, trend_png
from bot.slack_client import post_in_channel, slack_error
from storage import subscriptions as schedule
from storage.digest import Digest, build_digest
from storage.filters import Filters

log = logging.getLogger("cxbot.digests")
CHART_ATTEMPTS = 2  # the upload alone, after the message is out (the client retries 5xx/429 too)


@dataclass(frozen=True)
class PostedDigest:
    """A digest whose message Slack accepted; ``chart_error`` says why its chart is missing."""

    channel: str
    ts: str
    chart_error: str | None = None


def digest_for(db: Database, subscription: schedule.Subscription, now: datetime) -> Digest:
    return build_digest(db, ZoneInfo(subscription.timezone), now, Filters(team=subscription.team))


def deliver_digest(
    client: WebClient,
    db: Database,
    subscription: schedule.Subscription,
    labels: dict[str, str],
    now: datetime,
) -> PostedDigest:
    """Post the digest and its 12-week chart to the channel, or to the subscriber's DM.

    Raises only while the message itself has not gone out; a chart failure after
    it is returned in ``chart_error`` (and noted in the message), never raised.
    """
    digest = digest_for(db, subscription, now)
    channel = (
        subscription.channel
        or client.conversations_open(users=subscription.subscriber)["channel"]["id"]
    )
    text, blocks = f"Weekly CX digest — {digest.week}", digest_blocks(digest, labels)
    reply = post_in_channel(client, channel, text=text, blocks=blocks)  # joins a public channel
    posted = PostedDigest(channel=reply["channel"], ts=reply["ts"])
    error = _attach_chart(client, posted.channel, digest)
    if error is None:
        return posted
    _note_missing_chart(client, posted, text, blocks, error)
    return PostedDigest(posted.channel, posted.ts, chart_error=error)


def _attach_chart(client: WebClient, channel: str, digest: Digest) -> str | None:
    """Upload the chart, trying at most CHART_ATTEMPTS times; the last error, or None."""
    title = f"NPS, 12 weeks to {digest.week} · {digest.filters.describe()}"
    png = trend_png("nps", digest.series, title)
    error = None
    for _ in range(CHART_ATTEMPTS):
        try:
            client.files_upload_v2(
                channel=channel,
                content=png,
                filename=f"cx-digest-{digest.week}.png",
                title=f"NPS trend to {digest.week}",
                alt_txt=chart_alt_text("nps", digest.series, title),
            )
            return None
        except SlackApiError as exc:
            error = f"slack: {slack_error(exc)}"
        except (OSError, ValueError) as exc:  # network faults after the client's own retries
            error = f"{type(exc).__name__}: {exc}"
    return error


def _note_missing_chart(
    client: WebClient, posted: PostedDigest, text: str, blocks: list[dict], error: str
) -> None:
    """Say in the digest that its chart is missing; if even that fails, the log says it."""
    log.warning("digest chart in %s could not be uploaded: %s", posted.channel, error)
    try:
        client.chat_update(
            channel=posted.channel,
            ts=posted.ts,
            text=text,
            blocks=chart_missing_blocks(blocks, error),
        )
    except (SlackApiError, OSError, ValueError) as exc:
        log.warning("digest in %s not updated with the chart note: %s", posted.channel, exc)
