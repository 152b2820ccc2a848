"""Block Kit for ``/cx`` answers and the App Home: pure functions from data to blocks."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.blocks.limits import clip, context, fit, quoted, section
from bot.effort_text import by_contacts_lines, effort_facts, fact_text
from bot.formatting import (
    METRIC_NAMES,
    NO_DATA,
    buckets_text,
    count_text,
    delta_text,
    headline,
    impact_text,
    interval_text,
    percent_text,
    score_text,
    secondary_lines,
    sparkline,
)
from bot.mrkdwn import escape_mrkdwn
from storage.comments import Comment
from storage.customers import AtRisk, CustomerHistory
from storage.effort import Effort
from storage.formulas import ScoreSummary
from storage.metrics import Breakdown, MetricReport, ResponseRate, SeriesPoint
from storage.operations import OperationsReport
from storage.themes import ThemeStat
from storage.timestamps import format_duration

SENTIMENT_ICON = {"negative": "🔴", "neutral": "⚪", "positive": "🟢", None: "·"}

HELP_TITLE = "*cxbot* — customer-experience numbers from your surveys."
HELP_FOOTER = """`/cx public …` — post the answer to the channel instead of only to you
*Periods:* `7d` `30d` `this-week` `last-month` `q3` `2026` `2026-10-01..2026-10-31` `all`
*Examples:* `/cx nps 30d team=billing` · `/cx themes last-month` · `/cx comments sentiment=negative limit=5`"""


def theme_name(theme: str, labels: Mapping[str, str]) -> str:
    """The taxonomy's label (``Billing and pricing``), or the id made readable."""
    return labels.get(theme) or theme.replace("_", " ").capitalize()


def help_blocks(lines: list[str]) -> list[dict]:
    """``/cx help``: the subcommands' lines (from the registry) between a title and examples."""
    return [section("\n".join([HELP_TITLE, *lines, HELP_FOOTER]))]


def error_blocks(message: str) -> list[dict]:
    problem, _, usage = message.partition("\nUsage: ")
    blocks = [section(f":warning: {escape_mrkdwn(problem)}")]
    if usage:
        blocks.append(context(f"Usage: `{escape_mrkdwn(usage)}` · `/cx help` for everything"))
    return blocks


def _scope(report_label: str, filters_text: str) -> str:
    return escape_mrkdwn(f"{report_label} · {filters_text}")


def metric_blocks(report: MetricReport, follow_up: str | None = None) -> list[dict]:
    """``NPS 42`` with its interval, n, buckets, change, response rate and warnings."""
    current, metric = report.current, report.current.metric
    lines = [f"*{headline(current)}*  {delta_text(metric, report.delta)} vs previous period"]
    if current.has_data:
        lines.append(f"{interval_text(current)} · n = {current.n:,}")
        lines.append(buckets_text(current))
        lines.extend(secondary_lines(current))
    else:
        lines.append("No answers in this period.")
    previous = report.previous
    if previous is not None:
        lines.append(f"Previous period: {score_text(metric, previous.score)} (n = {previous.n:,})")
    rate = report.response_rate
    lines.append(
        f"Response rate {percent_text(rate.rate)} ({rate.answered:,} of {rate.sent:,} surveys answered)"
    )
    if follow_up:
        lines.append(follow_up)
    blocks = [section("\n".join(lines))]
    if current.small_sample:
        blocks.append(
            context(
                ":warning: "
                + escape_mrkdwn(
                    f"Small sample: n = {current.n} < 30 — treat this score with caution."
                )
            )
        )
    blocks.append(context(_scope(report.period.label, report.filters.describe())))
    return blocks


def trend_blocks(
    metric: str, points: list[SeriesPoint], filters_text: str, chart_note: str | None = None
) -> list[dict]:
    """The weekly series as a sparkline (the text fallback of the chart) and per-week values."""
    scores = [p.summary.score for p in points]
    first, last = points[0].label, points[-1].label
    rows = [
        f"`{p.label}`  {score_text(metric, p.summary.score):>5}  n={p.summary.n:,}" for p in points
    ]
    blocks = [
        section(f"*{METRIC_NAMES[metric]} by week* ({first} → {last})\n`{sparkline(scores)}`"),
        section("\n".join(rows)),
        context(filters_text),
    ]
    if chart_note:
        blocks.append(context(chart_note))
    return blocks


def themes_blocks(
    stats: list[ThemeStat], period_label: str, filters_text: str, labels: Mapping[str, str]
) -> list[dict]:
    if not stats:
        return [section(f"No classified comments in {period_label}."), context(filters_text)]
    metric = METRIC_NAMES[stats[0].impact_metric]
    lines = []
    for stat in stats:
        mood = NO_DATA if stat.mean_sentiment is None else f"{stat.mean_sentiment:+.2f}"
        change = delta_text("share", stat.share_change).replace(" pts", " pts share")
        impact = impact_text(stat.impact)
        lines.append(
            f"*{theme_name(stat.theme, labels)}* — {stat.count:,} comments ({percent_text(stat.share)}), sentiment {mood}, {change}, {metric} impact {impact}"
        )
    pulling = [s for s in stats if s.impact is not None and s.impact > 0]
    pulling.sort(key=lambda s: -(s.impact or 0))
    blocks = [section(f"*Themes in {period_label}*"), *[section(line) for line in lines]]
    if pulling:
        top = ", ".join(f"{theme_name(s.theme, labels)} ({s.impact:+g})" for s in pulling[:3])
        blocks.insert(
            1,
            section(
                f":chart_with_downwards_trend: *Pulling {metric} down most:* {top} — {metric} without these answers would be that much higher."
            ),
        )
    blocks.append(context(filters_text))
    return fit(blocks, noun="more themes")


def _comment_block(comment: Comment, show_agent: bool, labels: Mapping[str, str]) -> dict:
    themes = ", ".join(theme_name(t, labels) for t in comment.themes) or "unthemed"
    who = f" · agent {escape_mrkdwn(comment.agent)}" if show_agent and comment.agent else ""
    meta = f"{METRIC_NAMES[comment.survey_type]} {comment.score} · {SENTIMENT_ICON[comment.sentiment]} {comment.sentiment or 'unclassified'} · {themes} · ticket {escape_mrkdwn(comment.ticket or NO_DATA)}{who} · {comment.answered_at[:10]}"
    return section(clip(f"{quoted(comment.text)}\n{meta}"))


def comments_blocks(
    comments: list[Comment],
    total: int,
    filters_text: str,
    labels: Mapping[str, str],
    show_agent: bool = True,
) -> list[dict]:
    if not comments:
        return [section("No comments match."), context(filters_text)]
    blocks = [section(f"*Latest comments* ({len(comments)} of {total:,})")]
    blocks += [_comment_block(c, show_agent, labels) for c in comments]
    blocks.append(context(filters_text))
    return fit(
        blocks,
        hidden=max(total - len(comments), 0),
        noun="more comments (raise limit= or narrow the filters)",
    )


def leaderboard_blocks(
    metric: str, by: str, rows: list[Breakdown], period_label: str
) -> list[dict]:
    if not rows:
        return [section(f"No {METRIC_NAMES[metric]} answers in {period_label}.")]
    ranked = sorted(
        rows, key=lambda r: (r.summary.score is None, -(r.summary.score or 0), -r.summary.n)
    )
    lines = [
        f"{i}. *{escape_mrkdwn(r.key)}* — {score_text(metric, r.summary.score)} (n = {r.summary.n:,}){' ⚠ small sample' if r.summary.small_sample else ''}"
        for i, r in enumerate(ranked, start=1)
    ]
    chunks = ["\n".join(lines[i : i + 25]) for i in range(0, len(lines), 25)]
    blocks = [
        section(f"*{METRIC_NAMES[metric]} by {by}, {period_label}*"),
        *[section(chunk) for chunk in chunks],
    ]
    return fit(blocks, noun=f"more {by}s")


def customer_blocks(history: CustomerHistory, follow_ups: list[dict] | None = None) -> list[dict]:
    who = " / ".join(history.keys)
    if not history.tickets and not history.answers:
        return [section(f"No tickets or answers for {who}.")]
    scores = (
        " → ".join(f"{METRIC_NAMES[a.survey_type]} {a.score}" for a in history.answers[-12:])
        or NO_DATA
    )
    blocks = [
        section(
            f"*Customer {who}*\n{count_text(len(history.tickets), 'ticket')} · {count_text(len(history.answers), 'answer')} · "
            f"{count_text(history.surveys_unanswered, 'survey unanswered', 'surveys unanswered')}\nScores over time: {scores}"
        ),
    ]
    for ticket in history.tickets[-10:]:
        blocks.append(
            context(
                f"Ticket {escape_mrkdwn(ticket['source'])}:{escape_mrkdwn(ticket['external_id'])} · {ticket['status']} · team {escape_mrkdwn(ticket['team'] or NO_DATA)} · agent {escape_mrkdwn(ticket['agent_name'] or NO_DATA)} · closed {str(ticket['closed_at'] or NO_DATA)[:10]} · reopened {ticket['reopen_count']}×"
            )
        )
    for answer in [a for a in history.answers if a.comment][-10:]:
        blocks.append(
            section(
                clip(
                    f"{quoted(answer.comment or '')}\n{METRIC_NAMES[answer.survey_type]} {answer.score} · ticket {escape_mrkdwn(answer.ticket or NO_DATA)} · {answer.answered_at[:10]}"
                )
            )
        )
    if follow_ups:
        items = "; ".join(
            f"{METRIC_NAMES[f['survey_type']]} {f['score']} on ticket {escape_mrkdwn(f['ticket_ref'] or NO_DATA)} — "
            + (f"<@{f['owner']}> following up" if f["owner"] else "nobody has taken it yet")
            for f in follow_ups
        )
        blocks.append(section(f":rotating_light: *Open follow-ups ({len(follow_ups)})*: {items}"))
    else:
        blocks.append(context("Open follow-ups: none."))
    return fit(blocks)


def at_risk_blocks(
    customers: list[AtRisk], period_label: str, total: int | None = None
) -> list[dict]:
    """The most severe first; ``total`` says how many there are when only some are shown."""
    if not customers:
        return [
            section(
                f"No customers at risk in {period_label}: no repeated detractors and no sharp drops."
            )
        ]
    total = max(total or 0, len(customers))
    count = f"{total}" if total == len(customers) else f"{len(customers)} most severe of {total}"
    blocks = [section(f"*Customers at risk, {period_label}* ({count})")]
    for risk in customers:
        latest = risk.latest
        comment = f"\n{quoted(latest.comment)}" if latest.comment else ""
        blocks.append(
            section(
                clip(
                    f"*{escape_mrkdwn(risk.customer)}* — {risk.reason}; latest {METRIC_NAMES[latest.survey_type]} {latest.score} on {latest.answered_at[:10]} (ticket {escape_mrkdwn(latest.ticket or NO_DATA)}){comment}"
                )
            )
        )
    return fit(blocks, noun="more customers")


def _was(now: str, before: str | None) -> str:
    return now if before is None else f"{now} (previous period {before})"


def operations_blocks(
    report: OperationsReport,
    previous: OperationsReport | None,
    rate: ResponseRate,
    by_time: list[tuple[str, ScoreSummary]],
    metric: str,
    scope: str,
    effort: Effort | None = None,
    effort_before: Effort | None = None,
) -> list[dict]:
    """Speed, reopens, effort and survey response for the period, and what speed and the
    number of contacts do to the score.

    Times are medians of closed tickets; the previous period is written out
    ("previous period 3h 02m") rather than arrowed, because a time going up
    is bad news and a ▲ would read as good. Each effort figure has its own n:
    only tickets whose source gave that figure count.
    """
    before = previous if previous and previous.tickets_closed else None
    facts: list[tuple[str, Callable[[OperationsReport], str]]] = [
        ("Tickets closed", lambda r: f"{r.tickets_closed:,}"),
        ("Median first response", lambda r: format_duration(r.median_first_response)),
        ("Median resolution", lambda r: format_duration(r.median_resolution)),
        ("Reopen rate", lambda r: percent_text(r.reopen_rate)),
    ]
    lines = [
        f"{name}: *{_was(show(report), show(before) if before else None)}*" for name, show in facts
    ]
    lines.append(
        f"Survey response rate: *{percent_text(rate.rate)}* ({rate.answered:,} of {rate.sent:,} surveys answered, "
        f"{rate.abandoned:,} not)"
    )
    by_bucket = [
        f"• {escape_mrkdwn(label)}: {score_text(metric, summary.score)} (n = {summary.n:,})"
        for label, summary in by_time
        if summary.has_data
    ]
    blocks = [section("*Operations*\n" + "\n".join(lines))]
    if by_bucket:
        blocks.append(
            section(f"*{METRIC_NAMES[metric]} by resolution time*\n" + "\n".join(by_bucket))
        )
    if effort is not None:
        blocks.extend(_effort_blocks(effort, effort_before if before else None, metric))
    blocks.append(context(escape_mrkdwn(scope)))
    return blocks


def _effort_blocks(effort: Effort, before: Effort | None, metric: str) -> list[dict]:
    """Handle time, contacts per resolution, one-touch rate, and the score by number of contacts."""
    facts = effort_facts(effort.report, before.report if before else None)
    lines = [fact_text(fact) for fact in facts]
    by_contacts = by_contacts_lines(metric, effort, before) or [NO_DATA]
    return [
        section("*Effort* (closed tickets whose helpdesk gave the figure)\n" + "\n".join(lines)),
        section(f"*{METRIC_NAMES[metric]} by number of contacts*\n" + "\n".join(by_contacts)),
    ]


def denied_blocks(reason: str) -> list[dict]:
    return [section(f":lock: {reason}")]
