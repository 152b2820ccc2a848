"""Weekly digests: send each subscription's digest when its schedule says it is due.

A due digest is claimed for its week before it is built; a failure before its
message went out is recorded and the digest is tried again once the claim's
lease has run out. Once the message is out the week is sent, even when the
chart after it failed (that is recorded as the subscription's last error), and
a sent week is never sent again.  Building and posting one digest lives in
``bot.digests`` (``cxbot digests send --now`` uses it too).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlite_utils import Database

from bot.digests import deliver_digest
from bot.slack_client import NOT_A_MEMBER, TOKEN_ERRORS, TokenHealth, channel_error, slack_error
from storage import subscriptions as schedule

log = logging.getLogger("cxbot.digests")


@dataclass(frozen=True)
class DigestPolicy:
    """How a digest shows themes."""

    theme_labels: dict[str, str] = field(default_factory=dict)


def send_due_digests(
    client: WebClient,
    db: Database,
    policy: DigestPolicy,
    now: datetime,
    token: TokenHealth | None = None,
) -> int:
    """Send every digest due now; a failure is recorded and retried after the claim's lease.

    A dead bot token stops the pass (``token`` is told): the rest stay due.
    """
    sent = 0
    for subscription, week in schedule.claim_due(db, now):
        try:
            posted = deliver_digest(client, db, subscription, policy.theme_labels, now)
        except (SlackApiError, OSError, ValueError) as exc:
            log.warning("digest %s for %s failed: %s", subscription.id, week, exc)
            schedule.mark_failed(db, subscription.id, _failure(exc, subscription.channel))
            if isinstance(exc, SlackApiError) and slack_error(exc) in TOKEN_ERRORS:
                if token is not None:
                    token.failed(slack_error(exc))
                break
            continue
        problem = f"chart not attached: {posted.chart_error}" if posted.chart_error else None
        schedule.mark_sent(db, subscription.id, week, now, problem)
        sent += 1
    return sent


def _failure(exc: Exception, channel: str | None) -> str:
    """What is recorded on the subscription: for a channel the bot is not in, the fix."""
    if isinstance(exc, SlackApiError) and channel:
        error = channel_error(exc, channel)
        if error.split(":", 1)[0] in NOT_A_MEMBER:
            return error
    return str(exc)[:500]


def unreachable_digest_channels(db: Database) -> list[dict[str, str]]:
    """Subscribed channels whose last digest failed because the bot is not in them."""
    rows = db.execute(
        "SELECT id, channel, last_error FROM digest_subscriptions WHERE channel IS NOT NULL "
        "AND (last_error LIKE 'not_in_channel:%' OR last_error LIKE 'channel_not_found:%')"
    ).fetchall()
    return [{"channel": c, "for": f"digest {i}", "error": e} for i, c, e in rows]


class SendDigests:
    """Sends due digests on every tick (the schedule itself is in each subscription)."""

    name = "digests"
    every: timedelta | None = None

    def __init__(self, client: WebClient, policy: DigestPolicy, token: TokenHealth | None = None):
        self._client, self.policy = client, policy
        self.token = token or TokenHealth()

    def prepare(self, db: Database) -> None:
        """Nothing to release: a claim left by a crash runs out with its lease."""

    def run(self, db: Database, now: datetime) -> dict[str, int]:
        if not self.token.usable(self._client):
            return {}  # the bot's token is dead: every digest stays due
        sent = send_due_digests(self._client, db, self.policy, now, self.token)
        return {"digests": sent} if sent else {}
