"""Parsing ``/cx`` words into a command, with errors that say what was wrong.

``/cx [public] <subcommand> [period] [key=value …] [score<=6]`` — periods and
filters use the metrics engine's grammar (``storage.periods``).  Which
subcommands exist, and which keys each takes, is the registry's business
(``bot.cx.registry``); this module only reads words.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from storage.filters import Filters
from storage.periods import PERIOD_HELP, Period, PeriodError, parse_period
from storage.survey_types import SURVEY_NAMES, SURVEYS

SENTIMENTS = ("negative", "neutral", "positive")
#: The filters most subcommands take, as the usage lines spell them.
FILTER_KEYS = frozenset({"team", "agent", "tag", "channel"})
FILTER_USAGE = "[team=…] [agent=…] [tag=…] [channel=…]"
#: A survey named as a word: ``[nps|csat|ces]``.
SURVEY_WORDS = "|".join(SURVEY_NAMES)
_SCORE = re.compile(r"^score(<=|>=|<|>|=)(\d{1,2})$")
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


class UsageError(ValueError):
    """What was wrong, plus the usage line of the subcommand (or ``/cx help``).

    The usage line is looked up in the registry when the message is read, so
    it is written once, beside the subcommand it describes.
    """

    def __init__(self, problem: str, subcommand: str | None = None):
        super().__init__(problem, subcommand)
        self.problem, self.subcommand = problem, subcommand

    @property
    def usage(self) -> str:
        from bot.cx.registry import usage_of  # the registry imports this module

        return usage_of(self.subcommand)

    def __str__(self) -> str:
        return f"{self.problem}\nUsage: {self.usage}"


@dataclass(frozen=True)
class Words:
    """What a subcommand accepts besides a period, for the shared grammar."""

    name: str
    keys: frozenset[str] = frozenset()
    survey: str | None = None  # the survey the subcommand is about (``/cx nps``)
    takes_survey: bool = False  # a survey named as a word (``/cx trend csat``)
    takes_score: bool = False  # ``score<=6`` (``/cx comments``)


@dataclass(frozen=True)
class ScoreCondition:
    op: str
    value: int


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
    subject_keys: tuple[str, ...] = ()  # the customer's other keys, found in Slack

    @property
    def agent(self) -> str | None:
        """The one agent whose numbers this asks for (access depends on it)."""
        return self.filters.agent

    @property
    def window(self) -> Period:
        """The period; every subcommand read by the shared grammar has one (30 days by default)."""
        assert self.period is not None, f"/cx {self.name} was not read with the shared grammar"
        return self.period


def split_words(text: str) -> list[str]:
    """Shell-like words; curly quotes (as Slack on a Mac types them) count as straight ones.

    The text is first read back from Slack's escaping (``unescape``), so the
    words are what the person typed, whichever way the command is set up.
    """
    try:
        return shlex.split(unescape(text).replace("“", '"').replace("”", '"'))
    except ValueError as exc:
        raise UsageError(f"could not read the arguments ({exc}); close your quotes") from None


def unescape(text: str) -> str:
    """Slash-command text as typed, from the form Slack sends with ``should_escape`` on.

    ``&amp; &lt; &gt;`` → ``& < >`` (so ``score&lt;=6`` is ``score<=6``);
    ``<mailto:a@b.c|a@b.c>`` → ``a@b.c``; ``<https://x.io|x.io>`` → its label
    (what was typed), ``<https://x.io>`` → the URL; ``<@U123|name>`` →
    ``<@U123>`` and ``<#C123|name>`` → ``<#C123>`` (ids are what we match on,
    and Slack says not to rely on the old name).  Anything else in ``<…>``
    (``<!here>``) stays as it came.  One pass, so a decoded ``&lt;`` never
    reads as a control sequence.  Text without escaping comes back unchanged
    unless it holds one of those sequences itself.
    """
    return _ESCAPED.sub(_unescape_one, text)


_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_ESCAPED = re.compile(r"<([^<>|\s]+)(?:\|([^<>]*))?>|&(amp|lt|gt);")


def _unescape_one(match: re.Match[str]) -> str:
    target, label, entity = match.groups()
    if entity:
        return _ENTITIES[entity]
    if target[0] in "@#":
        return f"<{target}>"
    if target.startswith("mailto:"):
        return unescape(target.removeprefix("mailto:"))
    if target.startswith(("http://", "https://")):
        typed = unescape(label) if label else ""
        return typed if typed and not re.search(r"[\s'\"]", typed) else unescape(target)
    return match.group(0)


def _int_option(name: str, value: str, low: int, high: int, subcommand: str) -> int:
    if not value.isdigit() or not low <= int(value) <= high:
        raise UsageError(
            f"{name} must be a whole number from {low} to {high}, not {value!r}", subcommand
        )
    return int(value)


def parse_words(
    spec: Words, words: list[str], public: bool, tz: ZoneInfo, now: datetime
) -> CxCommand:
    """The words after the subcommand's name, read with the shared grammar."""
    name = spec.name
    values: dict = {"name": name, "public": public}
    filters: dict[str, str] = {}
    period_text: str | None = None
    for token in words:
        period_text = _apply(token, spec, values, filters, period_text)
    values["filters"] = Filters(**filters)
    values["period_text"] = period_text or "30d"
    try:
        values["period"] = parse_period(values["period_text"], tz, now)
    except PeriodError as exc:
        raise UsageError(str(exc), name) from None
    if spec.survey:
        values["metric"] = spec.survey
    _check_score(values)
    return CxCommand(**values)


def _apply(
    token: str, spec: Words, values: dict, filters: dict[str, str], period_text: str | None
) -> str | None:
    lowered, name = token.lower(), spec.name
    if match := _SCORE.match(lowered):
        if not spec.takes_score:
            raise UsageError(f"{token!r}: score conditions only work with /cx comments", name)
        values["score"] = ScoreCondition(match.group(1), int(match.group(2)))
        return period_text
    if lowered in SURVEYS and spec.takes_survey:
        values["metric"] = lowered
        return period_text
    if "=" in token:
        key, _, value = token.partition("=")
        _key_value(key.lower(), value, spec, values, filters)
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


def _key_value(key: str, value: str, spec: Words, values: dict, filters: dict[str, str]) -> None:
    name = spec.name
    if key not in spec.keys:
        allowed = ", ".join(sorted(spec.keys)) or "none"
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
        if value.lower() not in SURVEYS:
            raise UsageError(f"survey must be {_or_list(SURVEY_NAMES)}, not {value!r}", name)
        values["metric"] = value.lower()
    else:
        filters[key] = value


def _or_list(names: tuple[str, ...]) -> str:
    """``nps, csat or ces``."""
    return f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else names[0]


def _check_score(values: dict) -> None:
    score = values.get("score")
    if score is None:
        return
    metric = values.get("metric") or "nps"
    if score.value not in SURVEYS[metric].scale:
        raise UsageError(f"score {score.value} is outside the {metric} scale", "comments")


def parse_customer(words: list[str], public: bool) -> CxCommand:
    """``/cx customer <email | @user>``: exactly one customer key."""
    if len(words) != 1:
        raise UsageError("name exactly one customer: an email address or an @mention", "customer")
    token = words[0]
    if match := _MENTION.match(token):
        return CxCommand("customer", public=public, subject=match.group(1))
    if re.match(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$", token):
        return CxCommand("customer", public=public, subject=token.lower())
    if re.match(r"^[UW][A-Z0-9]{6,}$", token):
        return CxCommand("customer", public=public, subject=token)
    raise UsageError(f"{token!r} is neither an email address nor an @mention", "customer")
