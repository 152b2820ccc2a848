"""The survey types cxbot knows: one definition each, read by everything else.

A survey type's scale, its three buckets, its detractor and promoter cut-offs,
how far its headline score can move and its label lived in a dozen modules;
two copies had already drifted.  Everything that needs one of those facts
reads it from here (the schema's CHECK constraints included), so adding a type
is this table, its strings (``bot/i18n/messages.py``) and a migration that
admits it to the CHECK constraints (``storage.migrations.admit_survey_types``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: How a type's headline score is computed from its answers:
#: ``net`` % high bucket − % low bucket (NPS), ``share`` % in the high bucket
#: (CSAT), ``mean`` the mean answer (CES).
Formula = Literal["net", "share", "mean"]


@dataclass(frozen=True)
class SurveyType:
    """One survey scale and how its answers are grouped and scored."""

    name: str
    label: str
    #: The name spelled out, for help texts: ``Net Promoter Score``.
    title: str
    scale: range
    #: (low, middle, high) bucket names with the scores each holds, lowest first.
    buckets: tuple[tuple[str, range], tuple[str, range], tuple[str, range]]
    formula: Formula
    #: The lowest and highest headline score (NPS −100..100, CSAT 0..100 %, CES 1..7).
    score_limits: tuple[float, float]

    def __post_init__(self) -> None:
        # A gap or overlap would count an answer in no bucket, or in two.
        covered = [score for _, scores in self.buckets for score in scores]
        if covered != list(self.scale):
            raise ValueError(
                f"{self.name}: buckets must split {self.scale} in order, got {covered}"
            )

    @property
    def low(self) -> int:
        return self.scale[0]

    @property
    def high(self) -> int:
        return self.scale[-1]

    @property
    def score_span(self) -> float:
        """How far the headline score can move: compares a week's change across types."""
        return self.score_limits[1] - self.score_limits[0]

    @property
    def detractor_max(self) -> int:
        """The highest score that still counts as a detractor (the low bucket's top)."""
        return self.buckets[0][1][-1]

    @property
    def promoter_min(self) -> int:
        """The lowest score that counts as a promoter (the high bucket's bottom)."""
        return self.buckets[2][1][0]

    @property
    def low_bucket(self) -> str:
        return self.buckets[0][0]

    @property
    def high_bucket(self) -> str:
        return self.buckets[2][0]

    @property
    def buckets_best_first(self) -> tuple[str, ...]:
        """Bucket names as reports list them: ``promoters, passives, detractors``."""
        return tuple(name for name, _ in reversed(self.buckets))

    def is_detractor(self, score: int) -> bool:
        return score <= self.detractor_max

    def is_promoter(self, score: int) -> bool:
        return score >= self.promoter_min

    def relative(self, score: int) -> float:
        """The score's place on its scale, 0 (worst) to 1 (best): compares scales."""
        return (score - self.low) / (self.high - self.low)

    def score_at(self, quality: float) -> int:
        """The answer a customer of 0..1 ``quality`` gives: cuts the scale in equal slices (sample data)."""
        steps = len(self.scale)
        return self.low + min(steps - 1, int(quality * steps))


SURVEYS: dict[str, SurveyType] = {
    survey.name: survey
    for survey in (
        SurveyType(
            name="nps",
            label="NPS",
            title="Net Promoter Score",
            scale=range(0, 11),
            buckets=(
                ("detractors", range(0, 7)),
                ("passives", range(7, 9)),
                ("promoters", range(9, 11)),
            ),
            formula="net",
            score_limits=(-100, 100),
        ),
        SurveyType(
            name="csat",
            label="CSAT",
            title="Customer satisfaction",
            scale=range(1, 6),
            buckets=(
                ("dissatisfied", range(1, 3)),
                ("neutral", range(3, 4)),
                ("satisfied", range(4, 6)),
            ),
            formula="share",
            score_limits=(0, 100),
        ),
        SurveyType(
            name="ces",
            label="CES",
            title="Customer effort score",
            scale=range(1, 8),
            buckets=(("difficult", range(1, 4)), ("neutral", range(4, 5)), ("easy", range(5, 8))),
            formula="mean",
            score_limits=(1, 7),
        ),
    )
}
SURVEY_NAMES: tuple[str, ...] = tuple(SURVEYS)


def names_text(names: tuple[str, ...] = SURVEY_NAMES) -> str:
    """``nps, csat or ces``: the known types for an error message."""
    return f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else names[0]


def survey_type(name: str) -> SurveyType:
    """The definition of ``name``; a ValueError that lists the known types otherwise."""
    try:
        return SURVEYS[name]
    except KeyError:
        raise ValueError(
            f"unknown survey type {name!r}: expected one of {', '.join(SURVEY_NAMES)}"
        ) from None
