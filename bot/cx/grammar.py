"""Parsing ``/cx`` text into a command, with errors that say what was wrong.

``/cx [public] <subcommand> [period] [key=value …] [score<=6]`` — periods and
filters use the metrics engine's grammar (``storage.periods``).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from storage.filters import Filters
from storage.formulas import SCALES
from storage.periods import PERIOD_HELP, Period, PeriodError, parse_period

SUBCOMMANDS = (
    "help",
    "nps",
    "csat",
    "ces",
    "trend",
    "themes",
    "comments",
    "agents",
    "teams",
    "customer",
    "at-risk",
    "ops",
)
SENTIMENTS = ("negative", "neutral", "positive")
USAGE = {
    "help": "/cx help",
    "nps": "/cx nps [period] [team=…] [agent=…] [tag=…] [channel=…]",
    "csat": "/cx csat [period] [team=…] [agent=…] [tag=…] [channel=…]",
    "ces": "/cx ces [period] [team=…] [agent=…] [tag=…] [channel=…]",
    "trend": "/cx trend [nps|csat|ces] [weeks=12] [team=…] [agent=…] [tag=…] [channel=…]",
    "themes": "/cx themes [period] [team=…] [agent=…] [tag=…] [channel=…]",
    "comments": "/cx comments [theme=…] [sentiment=negative|neutral|positive] [score<=6] [period] [limit=10] [filters]",
    "agents": "/cx agents [period] [nps|csat|ces]",
    "teams": "/cx teams [period] [nps|csat|ces]",
    "customer": "/cx customer <email | @user>",
    "at-risk": "/cx at-risk [period]",
    "ops": "/cx ops [period] [nps|csat|ces] [team=…] [agent=…] [tag=…] [channel=…]",
}
_SCORE = re.compile(r"^score(<=|>=|<|>|=)(\d{1,2})$")
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_KEYS = {
    "nps": {"team", "agent", "tag", "channel"},
    "csat": {"team", "agent", "tag", "channel"},
    "ces": {"team", "agent", "tag", "channel"},
    "trend": {"team", "agent", "tag", "channel", "weeks"},
    "themes": {"team", "agent", "tag", "channel"},
    "comments": {"team", "agent", "tag", "channel", "theme", "sentiment", "limit", "survey"},
    "agents": {"team", "tag", "channel"},
    "teams": {"tag", "channel"},
    "at-risk": {"team", "agent", "tag", "channel"},
    "ops": {"team", "agent", "tag", "channel"},
    "customer": set(),
    "help": set(),
}


class UsageError(ValueError):
    """What was wrong, plus the usage line of the subcommand (or the whole grammar)."""

    def __init__(self, problem: str, subcommand: str | None = None):
        self.problem, self.subcommand = problem, subcommand
        usage = USAGE.get(subcommand or "", "/cx help")
        super().__init__(f"{problem}\nUsage: {usage}")


@dataclass(frozen=True)
class ScoreCondition:
    op: str
    value: int

    def sql(self, column: str = "r.score") -> tuple[str, int]:
        return f"{column} {self.op} ?", self.value


@dataclass(frozen=True)
class CxCommand:
    name: str
    public: bool = False
    period: Period | None = None
    period_text: str = "30d"
    filters: Filters = Filters()
    metric: str | None = None
    weeks: int = 12
    limit: int = 10
    theme: str | None = None
    sentiment: str | None = None
    score: ScoreCondition | None = None
    subject: str | None = None  # the customer: an email or a Slack user id
    extra: dict[str, str] = field(default_factory=dict)


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text.replace("“", '"').replace("”", '"'))
    except ValueError as exc:
        raise UsageError(f"could not read the arguments ({exc}); close your quotes") from None


def _int_option(name: str, value: str, low: int, high: int, subcommand: str) -> int:
    if not value.isdigit() or not low <= int(value) <= high:
        raise UsageError(
            f"{name} must be a whole number from {low} to {high}, not {value!r}", subcommand
        )
    return int(value)


def parse_command(text: str, tz: ZoneInfo, now: datetime) -> CxCommand:
    """Parse everything after ``/cx``."""
    tokens = _split(text or "")
    public = bool(tokens) and tokens[0].lower() == "public"
    tokens = tokens[1:] if public else tokens
    if not tokens:
        return CxCommand("help", public=public)
    name = tokens[0].lower()
    if name not in SUBCOMMANDS:
        # digest is parsed on its own (bot.cx.digest_command) but is a subcommand all the same
        known = ", ".join([*SUBCOMMANDS, "digest"])
        raise UsageError(f"unknown subcommand {tokens[0]!r}; try one of: {known}")
    if name == "customer":
        return _customer(tokens[1:], public)
    values: dict = {"name": name, "public": public}
    filters: dict[str, str] = {}
    period_text: str | None = None
    for token in tokens[1:]:
        period_text = _apply(token, name, values, filters, period_text)
    values["filters"] = Filters(**filters)
    values["period_text"] = period_text or "30d"
    try:
        values["period"] = parse_period(values["period_text"], tz, now)
    except PeriodError as exc:
        raise UsageError(str(exc), name) from None
    if name in ("nps", "csat", "ces"):
        values["metric"] = name
    _check_score(values)
    return CxCommand(**values)


def _apply(
    token: str, name: str, values: dict, filters: dict[str, str], period_text: str | None
) -> str | None:
    lowered = token.lower()
    if match := _SCORE.match(lowered):
        if name != "comments":
            raise UsageError(f"{token!r}: score conditions only work with /cx comments", name)
        values["score"] = ScoreCondition(match.group(1), int(match.group(2)))
        return period_text
    if lowered in SCALES and name in ("trend", "agents", "teams", "comments", "ops"):
        values["metric"] = lowered
        return period_text
    if "=" in token:
        key, _, value = token.partition("=")
        _key_value(key.lower(), value, name, values, filters)
        return period_text
    if period_text is not None:
        raise UsageError(
            f"don't know what {token!r} means (the period is already {period_text!r})", name
        )
    try:
        parse_period(lowered, ZoneInfo("UTC"))
    except PeriodError:
        raise UsageError(
            f"don't know what {token!r} means; periods look like {PERIOD_HELP}", name
        ) from None
    return lowered


def _key_value(key: str, value: str, name: str, values: dict, filters: dict[str, str]) -> None:
    if key not in _KEYS[name]:
        allowed = ", ".join(sorted(_KEYS[name])) or "none"
        raise UsageError(f"{key}= is not a filter of /cx {name} (allowed: {allowed})", name)
    if not value:
        raise UsageError(f"{key}= needs a value", name)
    if key == "weeks":
        values["weeks"] = _int_option("weeks", value, 1, 52, name)
    elif key == "limit":
        values["limit"] = _int_option("limit", value, 1, 50, name)
    elif key == "sentiment":
        if value.lower() not in SENTIMENTS:
            raise UsageError(
                f"sentiment must be negative, neutral or positive, not {value!r}", name
            )
        values["sentiment"] = value.lower()
    elif key == "theme":
        values["theme"] = value.lower()
    elif key == "survey":
        if value.lower() not in SCALES:
            raise UsageError(f"survey must be nps, csat or ces, not {value!r}", name)
        values["metric"] = value.lower()
    else:
        filters[key] = value


def _check_score(values: dict) -> None:
    score = values.get("score")
    if score is None:
        return
    scale = SCALES[values.get("metric") or "nps"]
    if not scale.start <= score.value <= scale.stop - 1:
        raise UsageError(
            f"score {score.value} is outside the {values.get('metric') or 'nps'} scale", "comments"
        )


def _customer(tokens: list[str], public: bool) -> CxCommand:
    if len(tokens) != 1:
        raise UsageError("name exactly one customer: an email address or an @mention", "customer")
    token = tokens[0]
    if match := _MENTION.match(token):
        return CxCommand("customer", public=public, subject=match.group(1))
    if re.match(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$", token):
        return CxCommand("customer", public=public, subject=token.lower())
    if re.match(r"^[UW][A-Z0-9]{6,}$", token):
        return CxCommand("customer", public=public, subject=token)
    raise UsageError(f"{token!r} is neither an email address nor an @mention", "customer")
