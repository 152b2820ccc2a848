"""Trend charts as PNG bytes (matplotlib, headless)."""

from __future__ import annotations

import io

from bot.formatting import score_text
from storage.metrics import SeriesPoint
from storage.survey_types import SURVEYS, SurveyType


def axis_label(survey: SurveyType) -> str:
    """``NPS``, ``CSAT %``, ``CES (1–7)``: what the y axis measures, unit included."""
    if survey.formula == "share":
        return f"{survey.label} %"
    if survey.formula == "mean":
        return f"{survey.label} ({survey.low}–{survey.high})"
    return survey.label


def trend_png(metric: str, points: list[SeriesPoint], title: str) -> bytes:
    """A weekly line chart; weeks without answers are gaps, not zeros."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    labels = [p.label.split("-")[1] for p in points]
    values = [p.summary.score if p.summary.score is not None else float("nan") for p in points]
    counts = [p.summary.n for p in points]
    figure, axis = plt.subplots(figsize=(8, 3.2), dpi=100)
    try:
        axis.plot(labels, values, marker="o", color="#1264a3", linewidth=2)
        for x, y, n in zip(labels, values, counts, strict=True):
            if n:
                axis.annotate(
                    f"n={n}",
                    (x, y),
                    textcoords="offset points",
                    xytext=(0, 7),
                    ha="center",
                    fontsize=7,
                    color="#616061",
                )
        survey = SURVEYS[metric]
        axis.set_ylim(*survey.score_limits)
        axis.set_ylabel(axis_label(survey))
        axis.set_title(title, fontsize=10)
        axis.grid(axis="y", alpha=0.3)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)


ALT_TEXT_LIMIT = 1000  # Slack's limit for a file's alt_txt (alt_txt_too_large above it)


def chart_alt_text(metric: str, points: list[SeriesPoint], title: str) -> str:
    """What the chart shows, for a screen reader: its title and each week's score and sample.

    Slack uploads without ``alt_txt`` reach screen readers as an undescribed image;
    the numbers are the chart's whole content, so they are the description.
    """
    weeks = "; ".join(
        f"{p.label.split('-')[1]} {score_text(metric, p.summary.score)} (n={p.summary.n})"
        if p.summary.n
        else f"{p.label.split('-')[1]} no answers"
        for p in points
    )
    text = f"Line chart: {title}. {weeks}." if weeks else f"Line chart: {title}. No weeks."
    return text if len(text) <= ALT_TEXT_LIMIT else text[: ALT_TEXT_LIMIT - 1] + "…"
