"""The survey types cxbot knows: one definition each, read by everything else.

A survey type's scale, its three buckets, its detractor and promoter cut-offs,
how far its headline score can move and its label lived in a dozen modules;
two copies had already drifted.  Everything that needs one of those facts
reads it from here (the schema's CHECK constraints included), so adding a type
is this table, its strings and a migration.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SurveyType:
    """One survey scale and how its answers are grouped and scored."""

    name: str
    label: str
    scale: range
    #: (low, middle, high) bucket names with the scores each holds, lowest first.
    buckets: tuple[tuple[str, range], tuple[str, range], tuple[str, range]]
    #: How far the headline score can move (NPS −100..100, CSAT 0..100 %, CES 1..7).
    score_span: float

    @property
    def low(self) -> int:
        return self.scale[0]

    @property
    def high(self) -> int:
        return self.scale[-1]

    @property
    def detractor_max(self) -> int:
        """The highest score that still counts as a detractor (the low bucket's top)."""
        return self.buckets[0][1][-1]

    @property
    def promoter_min(self) -> int:
        """The lowest score that counts as a promoter (the high bucket's bottom)."""
        return self.buckets[2][1][0]

    def is_detractor(self, score: int) -> bool:
        return score <= self.detractor_max

    def is_promoter(self, score: int) -> bool:
        return score >= self.promoter_min

    def relative(self, score: int) -> float:
        """The score's place on its scale, 0 (worst) to 1 (best): compares scales."""
        return (score - self.low) / (self.high - self.low)


SURVEYS: dict[str, SurveyType] = {
    survey.name: survey
    for survey in (
        SurveyType(
            "nps",
            "NPS",
            range(0, 11),
            (("detractors", range(0, 7)), ("passives", range(7, 9)), ("promoters", range(9, 11))),
            200,
        ),
        SurveyType(
            "csat",
            "CSAT",
            range(1, 6),
            (
                ("dissatisfied", range(1, 3)),
                ("neutral", range(3, 4)),
                ("satisfied", range(4, 6)),
            ),
            100,
        ),
        SurveyType(
            "ces",
            "CES",
            range(1, 8),
            (("difficult", range(1, 4)), ("neutral", range(4, 5)), ("easy", range(5, 8))),
            6,
        ),
    )
}
SURVEY_NAMES: tuple[str, ...] = tuple(SURVEYS)


def survey_type(name: str) -> SurveyType:
    """The definition of ``name``; a ValueError that lists the known types otherwise."""
    try:
        return SURVEYS[name]
    except KeyError:
        raise ValueError(
            f"unknown survey type {name!r}: expected one of {', '.join(SURVEY_NAMES)}"
        ) from None
