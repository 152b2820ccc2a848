"""The CX score formulas and their confidence intervals, on score counts.

Pure functions over ``{score: count}`` so that every number a manager sees can
be checked by hand against a known case (tests/storage/test_formulas.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from storage.survey_types import SURVEYS, SurveyType, names_text

Z95 = 1.959963984540054
SMALL_SAMPLE = 30

#: Each type's scale, for callers that only check membership (see storage.survey_types).
SCALES: dict[str, range] = {name: survey.scale for name, survey in SURVEYS.items()}


def round_half_up(value: float, digits: int = 0) -> float:
    """Round halves away from zero (12.5 → 13, −12.5 → −13), as people expect.

    Python's round() sends 12.5 to 12, which makes an NPS disagree with a
    spreadsheet on exactly the cases someone checks by hand.
    """
    quantum = Decimal(1).scaleb(-digits)
    sign = -1 if value < 0 else 1
    rounded = Decimal(repr(abs(value))).quantize(quantum, rounding=ROUND_HALF_UP)
    return sign * float(rounded)


def bucket_counts(metric: str, counts: dict[int, int]) -> dict[str, int]:
    """Counts per named bucket (promoters/passives/detractors and friends)."""
    buckets = SURVEYS[metric].buckets
    return {name: sum(counts.get(score, 0) for score in scores) for name, scores in buckets}


def nps_score(promoters: int, detractors: int, n: int) -> int | None:
    """NPS = % promoters − % detractors, an integer in −100..100; None without data."""
    if n <= 0:
        return None
    return int(round_half_up(100.0 * (promoters - detractors) / n))


def nps_interval(promoters: int, detractors: int, n: int, z: float = Z95) -> tuple[float, float]:
    """95% adjusted-Wald interval for NPS (Rocks 2016; MeasuringU).

    Adds 3/4 of a promoter and of a detractor (3 to n) before the Wald
    formula, which keeps the interval honest for small n and for 0%/100%.
    """
    n_adj = n + 3
    p = (promoters + 0.75) / n_adj
    d = (detractors + 0.75) / n_adj
    center = p - d
    variance = (p + d - center * center) / n_adj
    margin = z * math.sqrt(max(variance, 0.0))
    low, high = max(center - margin, -1.0), min(center + margin, 1.0)
    return round_half_up(100 * low, 1), round_half_up(100 * high, 1)


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """95% Wilson score interval for a proportion, in percent; None without data."""
    if n <= 0:
        return None
    p = successes / n
    denom = 1 + z * z / n
    center = (p + z * z / (2 * n)) / denom
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return round_half_up(100 * (center - margin), 1), round_half_up(100 * (center + margin), 1)


def mean_and_interval(
    counts: dict[int, int], bounds: tuple[int, int] | None = None
) -> tuple[float | None, tuple[float, float] | None]:
    """Mean score with a 95% Student-t interval, clipped to the scale's bounds.

    No interval below two answers: one answer says nothing about spread.
    """
    n = sum(counts.values())
    if n == 0:
        return None, None
    mean = sum(score * c for score, c in counts.items()) / n
    if n < 2:
        return mean, None
    variance = sum(c * (score - mean) ** 2 for score, c in counts.items()) / (n - 1)
    from scipy.special import stdtrit  # lazy: keeps `cxbot --help` fast

    margin = float(stdtrit(n - 1, 0.975)) * math.sqrt(variance / n)
    low, high = mean - margin, mean + margin
    if bounds:
        low, high = max(low, bounds[0]), min(high, bounds[1])
    return mean, (round_half_up(low, 2), round_half_up(high, 2))


@dataclass(frozen=True)
class ScoreSummary:
    """One metric over one set of answers. ``score`` is None when there is no data."""

    metric: str
    n: int
    score: float | None
    ci_low: float | None
    ci_high: float | None
    buckets: dict[str, int]
    counts: dict[int, int] = field(default_factory=dict)
    mean: float | None = None
    share_easy: float | None = None

    @property
    def small_sample(self) -> bool:
        """True when n is too small for the number to be trusted (n < 30)."""
        return 0 < self.n < SMALL_SAMPLE

    @property
    def has_data(self) -> bool:
        return self.n > 0


def summarize(metric: str, counts: dict[int, int]) -> ScoreSummary:
    """Compute a metric, its interval and buckets from ``{score: count}``."""
    if metric not in SURVEYS:
        raise ValueError(f"unknown metric {metric!r} (use {names_text()})")
    survey = SURVEYS[metric]
    bad = [s for s in counts if s not in survey.scale]
    if bad:
        raise ValueError(f"{metric} scores must be {survey.low}..{survey.high}, got {bad}")
    clean = {s: c for s, c in sorted(counts.items()) if c}
    n = sum(clean.values())
    buckets = bucket_counts(metric, clean)
    if survey.formula == "net":
        return _net_summary(survey, clean, n, buckets)
    if survey.formula == "share":
        return _share_summary(survey, clean, n, buckets)
    return _mean_summary(survey, clean, n, buckets)


def _net_summary(
    survey: SurveyType, counts: dict[int, int], n: int, buckets: dict[str, int]
) -> ScoreSummary:
    pro, det = buckets[survey.high_bucket], buckets[survey.low_bucket]
    score = nps_score(pro, det, n)
    low, high = nps_interval(pro, det, n) if n else (None, None)
    return ScoreSummary(survey.name, n, score, low, high, buckets, counts)


def _share_summary(
    survey: SurveyType, counts: dict[int, int], n: int, buckets: dict[str, int]
) -> ScoreSummary:
    satisfied = buckets[survey.high_bucket]
    score = round_half_up(100 * satisfied / n, 1) if n else None
    interval = wilson_interval(satisfied, n)
    mean, _ = mean_and_interval(counts)
    low, high = interval if interval else (None, None)
    mean_r = round_half_up(mean, 2) if mean is not None else None
    return ScoreSummary(survey.name, n, score, low, high, buckets, counts, mean=mean_r)


def _mean_summary(
    survey: SurveyType, counts: dict[int, int], n: int, buckets: dict[str, int]
) -> ScoreSummary:
    mean, interval = mean_and_interval(counts, bounds=(survey.low, survey.high))
    score = round_half_up(mean, 2) if mean is not None else None
    low, high = interval if interval else (None, None)
    easy = round_half_up(100 * buckets[survey.high_bucket] / n, 1) if n else None
    return ScoreSummary(
        survey.name, n, score, low, high, buckets, counts, mean=score, share_easy=easy
    )


def delta(current: float | None, previous: float | None) -> float | None:
    """Change against the previous period; None when either side has no data."""
    if current is None or previous is None:
        return None
    return round_half_up(current - previous, 2)
