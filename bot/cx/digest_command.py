"""``/cx digest subscribe|unsubscribe|list|preview`` — weekly digests from Slack."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from bot.cx.grammar import UsageError
from storage.subscriptions import WEEKDAYS, Subscription

USAGE = "/cx digest subscribe [#channel] [day=mon] [time=09:00] [tz=Europe/Bucharest] [team=…] | unsubscribe [#channel] | list | preview [team=…]"
_CHANNEL = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$|^([CG][A-Z0-9]{6,})$|^(#[\w.-]+)$")
KEYS = {
    "subscribe": {"day", "time", "tz", "team"},
    "unsubscribe": set(),
    "list": set(),
    "preview": {"team", "tz"},
}


class DigestUsageError(UsageError):
    def __init__(self, problem: str):
        ValueError.__init__(self, f"{problem}\nUsage: {USAGE}")
        self.problem, self.subcommand = problem, "digest"


@dataclass(frozen=True)
class DigestCommand:
    action: str
    channel: str | None = None
    day: str = "mon"
    time: str = "09:00"
    tz: str | None = None
    team: str | None = None


def is_digest(text: str) -> bool:
    words = (text or "").split()
    return bool(words) and words[0].lower() == "digest"


def parse_digest(text: str) -> DigestCommand:
    try:
        tokens = shlex.split(text)[1:]
    except ValueError as exc:
        raise DigestUsageError(f"could not read the arguments ({exc})") from None
    if not tokens or tokens[0].lower() not in KEYS:
        raise DigestUsageError("say what to do: subscribe, unsubscribe, list or preview")
    action, values = tokens[0].lower(), {}
    for token in tokens[1:]:
        if match := _CHANNEL.match(token):
            if action not in ("subscribe", "unsubscribe"):
                raise DigestUsageError(
                    f"a channel only goes with subscribe or unsubscribe, not {action}"
                )
            values["channel"] = next(group for group in match.groups() if group)
            continue
        key, sep, value = token.partition("=")
        if not sep or key.lower() not in KEYS[action] or not value:
            raise DigestUsageError(f"don't know what {token!r} means for /cx digest {action}")
        values[key.lower()] = value
    return DigestCommand(action, **values)


def describe(subscription: Subscription) -> str:
    where = (
        f"<#{subscription.channel}>"
        if subscription.channel and not subscription.channel.startswith("#")
        else (subscription.channel or "your DM")
    )
    team = f", team {subscription.team}" if subscription.team else ""
    return f"#{subscription.id}: every {WEEKDAYS[subscription.weekday].capitalize()} at {subscription.at_time} ({subscription.timezone}) to {where}{team}"
