"""Detractor alerts: post new ones and update changed ones from the alerts outbox.

Listeners and storage only flag an alert (``needs_update``); this job renders
and posts it, so a Slack fault is retried here instead of failing a click.
A permanent Slack error stops the retries and stays visible on the alert.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlite_utils import Database

from bot.blocks.alerts import alert_blocks, alert_text
from bot.slack_client import (
    PERMANENT_ERRORS,
    TOKEN_ERRORS,
    TokenHealth,
    channel_error,
    post_in_channel,
    slack_error,
)
from storage import alerts

log = logging.getLogger("cxbot.alerts")


@dataclass(frozen=True)
class AlertPolicy:
    """How an alert shows themes and links its ticket."""

    theme_labels: dict[str, str] = field(default_factory=dict)
    ticket_url: str | None = None


def publish_alerts(
    client: WebClient, db: Database, policy: AlertPolicy, token: TokenHealth | None = None
) -> int:
    """Post new alerts and refresh changed ones; returns how many went out.

    A dead bot token (the app uninstalled) stops the pass and leaves every alert
    pending as it was: it is not those alerts' fault, and they go out once the token works.
    """
    done = 0
    for alert in alerts.pending_alerts(db):
        blocks = alert_blocks(alert, policy.theme_labels, policy.ticket_url)
        try:
            if alert.slack_ts:
                reply = client.chat_update(
                    channel=alert.channel, ts=alert.slack_ts, text=alert_text(alert), blocks=blocks
                )
            else:
                reply = post_in_channel(
                    client, alert.channel, text=alert_text(alert), blocks=blocks
                )
        except SlackApiError as exc:
            if token is not None and slack_error(exc) in TOKEN_ERRORS:
                token.failed(slack_error(exc))
                break
            error = channel_error(exc, alert.channel)
            permanent = slack_error(exc) in PERMANENT_ERRORS
            alerts.alert_failed(db, alert.id, error, permanent=permanent, revision=alert.revision)
            log.warning("alert %s not posted: %s", alert.id, error)
            continue
        except Exception as exc:  # network: retried on the next pass
            alerts.alert_failed(
                db,
                alert.id,
                f"{type(exc).__name__}: {exc}",
                permanent=False,
                revision=alert.revision,
            )
            continue
        alerts.alert_posted(db, alert.id, reply.get("ts") or alert.slack_ts or "", alert.revision)
        done += 1
    return done


def unreachable_alert_channels(db: Database) -> list[dict[str, str]]:
    """Alert channels whose latest alert could not be posted because the bot is not in them.

    Only the newest attempted alert of each channel counts, so the problem leaves
    ``/healthz`` once an alert gets through (after someone invited the bot).
    """
    rows = db.execute(
        "SELECT channel, last_error FROM alerts a WHERE id = (SELECT MAX(id) FROM alerts b "
        "WHERE b.channel = a.channel AND (b.slack_ts IS NOT NULL OR b.last_error IS NOT NULL)) "
        "AND (last_error LIKE 'not_in_channel:%' OR last_error LIKE 'channel_not_found:%')"
    ).fetchall()
    return [{"channel": channel, "for": "alerts", "error": error} for channel, error in rows]


class PublishAlerts:
    """Posts and updates alert messages on every tick."""

    name = "alerts"
    every: timedelta | None = None

    def __init__(self, client: WebClient, policy: AlertPolicy, token: TokenHealth | None = None):
        self._client, self.policy = client, policy
        self.token = token or TokenHealth()

    def prepare(self, db: Database) -> None:
        """Nothing to release: an alert is settled only after Slack accepted it."""

    def run(self, db: Database, now: datetime) -> dict[str, int]:
        if not self.token.usable(self._client):
            return {}
        done = publish_alerts(self._client, db, self.policy, self.token)
        return {"alerts": done} if done else {}
