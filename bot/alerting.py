"""Posts and updates detractor alerts from the alerts outbox (background worker)."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlite_utils import Database

from bot.blocks.alerts import alert_blocks, alert_text
from bot.slack_client import PERMANENT_ERRORS, slack_error
from storage import alerts

log = logging.getLogger("cxbot.alerts")


def publish_alerts(
    client: WebClient, db: Database, labels: dict[str, str], ticket_url: str | None
) -> int:
    """Post new alerts and refresh changed ones; returns how many went out."""
    done = 0
    for alert in alerts.pending_alerts(db):
        blocks = alert_blocks(alert, labels, ticket_url)
        try:
            if alert.slack_ts:
                reply = client.chat_update(
                    channel=alert.channel, ts=alert.slack_ts, text=alert_text(alert), blocks=blocks
                )
            else:
                reply = client.chat_postMessage(
                    channel=alert.channel, text=alert_text(alert), blocks=blocks
                )
        except SlackApiError as exc:
            error = slack_error(exc)
            alerts.alert_failed(
                db, alert.id, error, permanent=error in PERMANENT_ERRORS, revision=alert.revision
            )
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
        alerts.alert_posted(db, alert.id, reply.get("ts") or alert.slack_ts, alert.revision)
        done += 1
    return done
