"""``/cx digest subscribe|unsubscribe|list|preview``: its words and how a subscription reads."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.cx.grammar import UsageError, split_words
from storage.subscriptions import WEEKDAYS, Subscription

_CHANNEL = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$|^([CG][A-Z0-9]{6,})$|^(#[\w.-]+)$")
#: The keys each action takes.
KEYS = {
    "subscribe": {"day", "time", "tz", "team"},
    "unsubscribe": set(),
    "list": set(),
    "preview": {"team", "tz"},
}


@dataclass(frozen=True)
class DigestCommand:
    action: str
    channel: str | None = None
    day: str = "mon"
    time: str = "09:00"
    tz: str | None = None
    team: str | None = None
    public: bool = False

    @property
    def agent(self) -> None:
        """Digests are team numbers: no one agent's (access depends on it)."""
        return None


def _problem(text: str) -> UsageError:
    return UsageError(text, "digest")


def parse_digest_words(words: list[str], public: bool = False) -> DigestCommand:
    """The words after ``digest``."""
    if not words or words[0].lower() not in KEYS:
        raise _problem("say what to do: subscribe, unsubscribe, list or preview")
    action, values = words[0].lower(), {}
    for token in words[1:]:
        if match := _CHANNEL.match(token):
            if action not in ("subscribe", "unsubscribe"):
                raise _problem(f"a channel only goes with subscribe or unsubscribe, not {action}")
            values["channel"] = next(group for group in match.groups() if group)
            continue
        key, sep, value = token.partition("=")
        if not sep or key.lower() not in KEYS[action] or not value:
            raise _problem(f"don't know what {token!r} means for /cx digest {action}")
        values[key.lower()] = value
    return DigestCommand(action, public=public, **values)


def parse_digest(text: str) -> DigestCommand:
    """Everything after ``/cx`` when it starts with ``digest``."""
    return parse_digest_words(split_words(text)[1:])


def describe(subscription: Subscription) -> str:
    where = (
        f"<#{subscription.channel}>"
        if subscription.channel and not subscription.channel.startswith("#")
        else (subscription.channel or "your DM")
    )
    team = f", team {subscription.team}" if subscription.team else ""
    return f"#{subscription.id}: every {WEEKDAYS[subscription.weekday].capitalize()} at {subscription.at_time} ({subscription.timezone}) to {where}{team}"
