"""The weekly digest as a short story: the numbers, what moved them, customers' words, the loop."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from bot.blocks.limits import clip, context, fit, quoted, section
from bot.effort_text import number_text
from bot.formatting import (
    METRIC_NAMES,
    NO_DATA,
    closing_the_loop_text,
    delta_text,
    percent_text,
    score_text,
)
from bot.mrkdwn import escape_mrkdwn
from bot.privacy import mask_personal_data
from storage.comments import Comment
from storage.digest import Digest, MetricWeek, ThemeMove
from storage.effort import EffortReport
from storage.formulas import delta
from storage.survey_types import SURVEYS
from storage.timestamps import format_duration


def _metric_line(week: MetricWeek) -> str:
    metric = week.metric
    name = METRIC_NAMES[metric]
    if not week.current.has_data:
        return f"*{name}* — no answers this week."
    baseline = score_text(metric, week.baseline.score)
    small = " (small sample)" if week.current.small_sample else ""
    return (
        f"*{name} {score_text(metric, week.current.score)}*{small} — {delta_text(metric, week.vs_previous)} vs last week, "
        f"{delta_text(metric, week.vs_baseline)} vs the 12-week level of {baseline} · n = {week.current.n:,}"
    )


def _relative_move(week: MetricWeek) -> float:
    """The change since last week as a share of the metric's whole range (signed)."""
    return (week.vs_previous or 0) / SURVEYS[week.metric].score_span


def _headline_metric(digest: Digest) -> MetricWeek | None:
    """The metric that moved most for its scale, or None when none can be compared."""
    moved = [m for m in digest.metrics if m.vs_previous is not None and m.current.has_data]
    if not moved:
        return None
    return max(moved, key=lambda m: abs(_relative_move(m)))


def _counter_move(digest: Digest, biggest: MetricWeek) -> MetricWeek | None:
    """A metric that moved the other way by at least half as much, on a sample large enough to say so.

    "NPS improved" alone hid a CSAT drop of 17.5 points in the same week; the
    headline is the one line a busy manager reads.
    """
    lead = _relative_move(biggest)
    against = [
        m
        for m in digest.metrics
        if m.vs_previous is not None
        and m.current.has_data
        and not m.current.small_sample
        and _relative_move(m) * lead < 0
        and abs(_relative_move(m)) >= abs(lead) / 2
    ]
    return max(against, key=lambda m: abs(_relative_move(m)), default=None)


def _moved(week: MetricWeek) -> str:
    """``NPS improved (▲ +37)``."""
    change = week.vs_previous or 0
    direction = "improved" if change > 0 else "slipped" if change < 0 else "held steady"
    return f"{METRIC_NAMES[week.metric]} {direction} ({delta_text(week.metric, week.vs_previous)})"


def _movers_in_order(digest: Digest) -> list[ThemeMove]:
    """Themes that moved the way the headline metric did first, then the rest (each by size)."""
    biggest = _headline_metric(digest)
    change = (biggest.vs_previous or 0) if biggest else 0
    return sorted(digest.movers, key=lambda m: not _pulled_the_same_way(m, change))


def _headline(digest: Digest, labels: dict[str, str]) -> str:
    """One sentence that says which way the week went."""
    biggest = _headline_metric(digest)
    if biggest is None:
        return "A quiet week: too few answers to compare with last week."
    lead = _moved(biggest)
    counter = _counter_move(digest, biggest)
    if counter is not None:
        lead = f"{lead}, but {_moved(counter)}"
    change = biggest.vs_previous or 0
    mover = next((m for m in digest.movers if _pulled_the_same_way(m, change)), None)
    if mover is None:
        return f"{lead}."
    return f"{lead}; the biggest mover was *{_theme_label(mover.theme, labels)}*."


def _pulled_the_same_way(move: ThemeMove, change: float) -> bool:
    """Whether a theme moved the way the headline metric did.

    The movers are ranked by how much they changed, in either direction; the
    headline names one as the cause, so it must not name a theme whose
    comments got warmer in a week the score slipped. A theme pulls down when
    its sentiment fell, or — sentiment unchanged — when a theme whose answers
    score below the rest (positive impact) came up more often.
    """
    if not change:
        return False
    if move.sentiment_change:
        return (move.sentiment_change > 0) == (change > 0)
    if move.impact and move.impact > 0 and move.share_change:
        return (move.share_change > 0) == (change < 0)
    return False


def _theme_label(theme: str, labels: dict[str, str]) -> str:
    return labels.get(theme, theme.replace("_", " ").capitalize())


def _mover_line(move, labels: dict[str, str]) -> str:
    name = _theme_label(move.theme, labels)
    share = f"in {percent_text(move.share)} of comments ({delta_text('share', move.share_change)})"
    feeling = NO_DATA if move.sentiment is None else f"{move.sentiment:+.2f}"
    change = (
        ""
        if move.sentiment_change is None
        else f" ({delta_text('sentiment', move.sentiment_change)} vs last week)"
    )
    impact = ""
    if move.impact is not None and move.impact > 0:
        impact = (
            f"; {METRIC_NAMES[move.impact_metric]} would be {move.impact:+g} without those answers"
        )
    return f"• *{name}* came up {share}, sentiment {feeling}{change}{impact}"


def _quote(comment: Comment) -> str:
    text = mask_personal_data(comment.text)
    return clip(
        f"{quoted(text)}\n{METRIC_NAMES[comment.survey_type]} {comment.score} · ticket {escape_mrkdwn(comment.ticket or NO_DATA)} · {comment.sentiment}",
        1500,
    )


_EFFORT_PARTS: tuple[tuple[str, Callable[[EffortReport], str]], ...] = (
    ("median handle time", lambda r: format_duration(r.median_handle_time)),
    ("contacts per resolution", lambda r: number_text(r.contacts_per_resolution)),
    ("one-touch", lambda r: percent_text(r.one_touch_rate)),
)


def _effort_line(now: EffortReport | None, before: EffortReport | None) -> str | None:
    """``*Effort*: median handle time 12m 00s (last week 15m 00s) · …``; None when neither
    week has a single ticket figure, so a helpdesk that gives none adds no line of dashes."""
    if now is None or not (now.has_data or (before is not None and before.has_data)):
        return None
    parts = []
    for name, show in _EFFORT_PARTS:
        was = f" (last week {show(before)})" if before is not None else ""
        parts.append(f"{name} {show(now)}{was}")
    return "*Effort*: " + " · ".join(parts) + "."


def digest_paragraphs(digest: Digest, labels: dict[str, str]) -> list[str]:
    """The digest as mrkdwn paragraphs (blocks for Slack, lines for the terminal)."""
    start, end = digest.period.start, digest.period.end
    assert start is not None and end is not None  # a digest always covers one bounded week
    scope = f" · {digest.filters.describe()}" if digest.filters.as_dict() else ""
    rate = digest.rate
    paragraphs = [
        f"*Weekly CX digest — {digest.week}*{scope}",
        _headline(digest, labels),
        "\n".join(_metric_line(m) for m in digest.metrics),
        f"{digest.answers:,} answers; {rate.answered:,} of {rate.sent:,} surveys sent this week were answered (response rate {percent_text(rate.rate)}).",
    ]
    effort = _effort_line(digest.effort, digest.effort_before)
    if effort:
        paragraphs.append(effort)
    drops = [m for m in digest.team_moves if (m[2].score or 0) < (m[3].score or 0)]
    if drops:
        lines = [
            f"• *{team}*: {METRIC_NAMES[metric]} {score_text(metric, now.score)}, "
            f"{delta_text(metric, delta(now.score, before.score))} vs last week (n = {now.n})"
            for team, metric, now, before in drops
        ]
        paragraphs.append("*Teams to look at*\n" + "\n".join(lines))
    if digest.movers:
        paragraphs.append(
            "*What moved the score*\n"
            + "\n".join(_mover_line(m, labels) for m in _movers_in_order(digest))
        )
    quotes = [*digest.worst, *digest.best]
    if quotes:
        paragraphs.append("*In their words*\n" + "\n".join(_quote(c) for c in quotes))
    loop = closing_the_loop_text(digest.follow_up)
    if loop:
        paragraphs.append(f"*Closing the loop*: {loop}.")
    if digest.failed:
        reasons = ", ".join(f"{error} ×{n}" for error, n in digest.failed.most_common())
        paragraphs.append(
            f"*Delivery*: {sum(digest.failed.values())} surveys could not be delivered ({reasons}) — see `cxbot surveys --state failed`."
        )
    first_day = start.astimezone(digest.tz).date()
    last_day = (end.astimezone(digest.tz) - timedelta(days=1)).date()
    paragraphs.append(
        f"Week of {first_day:%Y-%m-%d} to {last_day:%Y-%m-%d} ({digest.tz.key}) · the 12-week trend chart follows."
    )
    return paragraphs


def digest_blocks(digest: Digest, labels: dict[str, str]) -> list[dict]:
    paragraphs = digest_paragraphs(digest, labels)
    return fit([section(p) for p in paragraphs[:-1]] + [context(paragraphs[-1])])


def chart_missing_blocks(blocks: list[dict], error: str) -> list[dict]:
    """The posted digest with a line saying its chart could not be attached, and why."""
    note = context(
        f"The 12-week chart could not be attached ({escape_mrkdwn(error)}); "
        "`/cx trend` draws it on demand."
    )
    return fit([*blocks, note])
