"""How numbers read to people: ``NPS 42``, ``CSAT 87%``, ``CES 5.6``, ``—`` for no data.

Shared by the terminal and Slack renderers so the same report never shows
two different roundings of one score.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from storage.alerts import FollowUpStats
from storage.formulas import ScoreSummary, round_half_up
from storage.survey_types import SURVEYS
from storage.timestamps import format_duration, parse_timestamp

NO_DATA = "—"
METRIC_NAMES = {name: survey.label for name, survey in SURVEYS.items()}


def _formula(metric: str) -> str:
    """How ``metric``'s numbers read: its type's formula, or ``metric`` itself (``share``, ``sentiment``)."""
    return SURVEYS[metric].formula if metric in SURVEYS else metric


def score_text(metric: str, score: float | None) -> str:
    """The bare score: ``42``, ``87%``, ``5.6`` or ``—``."""
    if score is None:
        return NO_DATA
    formula = _formula(metric)
    if formula == "net":
        return f"{int(score)}"
    if formula == "share":
        return f"{round_half_up(score):.0f}%"
    return f"{round_half_up(score, 1):.1f}"


def headline(summary: ScoreSummary) -> str:
    """``NPS 42`` / ``CSAT 87%`` / ``CES 5.6`` / ``NPS —``."""
    return f"{METRIC_NAMES[summary.metric]} {score_text(summary.metric, summary.score)}"


def delta_text(metric: str, change: float | None) -> str:
    """``▲ +5`` / ``▼ −3.2 pts`` / ``■ 0``; ``—`` when there is nothing to compare.

    ``metric`` may also be ``"share"`` (a percentage, in points) or
    ``"sentiment"`` (a mean on −1..+1, two decimals).
    """
    if change is None:
        return NO_DATA
    formula = _formula(metric)
    digits = {"net": 0, "sentiment": 2}.get(formula, 1)
    value = round_half_up(change, digits)
    arrow = "▲" if value > 0 else "▼" if value < 0 else "■"
    number = f"{abs(value):.{digits}f}"
    sign = "+" if value > 0 else "−" if value < 0 else ""
    unit = " pts" if formula == "share" else ""
    return f"{arrow} {sign}{number}{unit}"


def impact_text(impact: float | None) -> str:
    """A theme's impact on the score, signed (``+3``, ``-1``), or ``—``: /cx themes and the App Home alike."""
    return NO_DATA if impact is None else f"{impact:+g}"


def secondary_lines(summary: ScoreSummary) -> list[str]:
    """``Mean 4.21 / 5`` under a share score, ``Easy (5–7): 64%`` under a mean one: terminal and Slack alike."""
    survey = SURVEYS[summary.metric]
    if survey.formula == "share" and summary.mean is not None:
        return [f"Mean {summary.mean:.2f} / {survey.high}"]
    if survey.formula == "mean" and summary.share_easy is not None:
        bucket = f"{survey.high_bucket.capitalize()} ({survey.promoter_min}–{survey.high})"
        return [f"{bucket}: {summary.share_easy:g}%"]
    return []


def interval_text(summary: ScoreSummary) -> str:
    """``95% CI 35.1 – 48.9`` or an explanation of why there is none."""
    if summary.ci_low is None or summary.ci_high is None:
        return "no confidence interval (too few answers)" if summary.n else NO_DATA
    unit = "%" if _formula(summary.metric) == "share" else ""
    return f"95% CI {summary.ci_low:g}{unit} – {summary.ci_high:g}{unit}"


def buckets_text(summary: ScoreSummary) -> str:
    """``Promoters 45 (45%) · Passives 30 (30%) · Detractors 25 (25%)``."""
    parts = []
    for name in SURVEYS[summary.metric].buckets_best_first:
        count = summary.buckets.get(name, 0)
        share = f" ({round_half_up(100 * count / summary.n):.0f}%)" if summary.n else ""
        parts.append(f"{name.capitalize()} {count:,}{share}")
    return " · ".join(parts)


def local_minute(timestamp: str | None, tz: ZoneInfo) -> str:
    """A stored UTC timestamp as ``2026-11-23 18:24`` in ``tz``; ``—`` when there is none."""
    if not timestamp:
        return NO_DATA
    return f"{parse_timestamp(timestamp).astimezone(tz):%Y-%m-%d %H:%M}"


def count_text(count: int, noun: str, plural: str | None = None) -> str:
    """``1 ticket``, ``2 tickets``, ``1,204 surveys unanswered`` (``plural`` for irregular nouns)."""
    word = noun if count == 1 else plural or f"{noun}s"
    return f"{count:,} {word}"


def percent_text(value: float | None) -> str:
    return NO_DATA if value is None else f"{value:g}%"


def closing_the_loop_text(stats: FollowUpStats, metric: str | None = None) -> str | None:
    """``12 of 15 NPS detractor alerts followed up (80%), median time to follow-up 2h 00m; 9 resolved``.

    It counts alerts, not detractors: answers from before alerts were switched
    on (or with no alert channel) have none, and "0 of 1 detractors" beside
    "Detractors 58" read as a contradiction. None when no alert was raised.
    """
    if not stats.detractors:
        return None
    kind = f"{METRIC_NAMES[metric]} detractor alert" if metric else "detractor alert"
    return (
        f"{stats.followed_up:,} of {count_text(stats.detractors, kind)} followed up ({percent_text(stats.rate)}), "
        f"median time to follow-up {format_duration(stats.median_time_to_follow_up)}; {stats.resolved:,} resolved"
    )


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float | None], gap: str = "·") -> str:
    """A Unicode sparkline; ``gap`` marks weeks without data (never drawn as zero)."""
    present = [v for v in values if v is not None]
    if not present:
        return NO_DATA
    low, high = min(present), max(present)
    span = (high - low) or 1.0
    return "".join(
        gap if v is None else SPARKS[int((v - low) / span * (len(SPARKS) - 1))] for v in values
    )
