"""Each formula against cases computed by hand (see the comments for the arithmetic)."""

from __future__ import annotations

import pytest

from storage.formulas import (
    bucket_counts,
    delta,
    nps_interval,
    nps_score,
    round_half_up,
    summarize,
    wilson_interval,
)


def test_nps_mixed_sample():
    # 5 promoters, 3 passives, 2 detractors: 50% − 20% = 30.
    summary = summarize("nps", {10: 3, 9: 2, 8: 2, 7: 1, 6: 1, 0: 1})
    assert summary.score == 30
    assert summary.buckets == {"detractors": 2, "passives": 3, "promoters": 5}
    # adjusted Wald: n'=13, p'=5.75/13, d'=2.75/13, nps'=0.230769,
    # var=(0.653846−0.053254)/13=0.046199, moe=1.96·0.214940=0.421283
    assert (summary.ci_low, summary.ci_high) == (-19.1, 65.2)
    assert summary.small_sample is True


def test_nps_all_promoters_interval_is_clipped_to_100():
    # n'=7, p'=4.75/7, d'=0.75/7, nps'=0.571429, var=0.065598, moe=0.501988
    summary = summarize("nps", {9: 2, 10: 2})
    assert summary.score == 100
    assert (summary.ci_low, summary.ci_high) == (6.9, 100.0)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({10: 1, 8: 7}, 13),  # 12.5 rounds away from zero
        ({0: 1, 8: 7}, -13),  # −12.5 likewise
        ({7: 3}, 0),  # a single bucket of passives
        ({0: 4}, -100),
    ],
)
def test_nps_rounding_ties_and_single_bucket(counts, expected):
    assert summarize("nps", counts).score == expected


def test_no_answers_is_no_data_not_zero():
    for metric in ("nps", "csat", "ces"):
        summary = summarize(metric, {})
        assert summary.score is None
        assert summary.ci_low is None and summary.ci_high is None
        assert summary.n == 0
        assert summary.small_sample is False
    assert nps_score(0, 0, 0) is None
    assert wilson_interval(0, 0) is None


def test_csat_share_and_wilson_interval():
    summary = summarize("csat", {5: 5, 4: 3, 2: 2})
    assert summary.score == 80.0
    assert (summary.ci_low, summary.ci_high) == (49.0, 94.3)  # Wilson 8/10: 0.4902–0.9433
    assert summary.mean == 4.1  # (5·5 + 3·4 + 2·2) / 10
    assert summary.buckets == {"dissatisfied": 2, "neutral": 0, "satisfied": 8}


def test_csat_nobody_satisfied():
    # Wilson upper bound for 0/5 is z²/(n+z²) = 3.8415/8.8415 = 0.4345.
    summary = summarize("csat", {1: 2, 3: 3})
    assert summary.score == 0.0
    assert (summary.ci_low, summary.ci_high) == (0.0, 43.4)


def test_ces_mean_interval_clipped_to_scale():
    # mean 19/4 = 4.75; s² = 12.75/3 = 4.25; se = 1.030776; t(3) = 3.182446 → ±3.280331
    summary = summarize("ces", {7: 1, 5: 2, 2: 1})
    assert summary.score == 4.75
    assert (summary.ci_low, summary.ci_high) == (1.47, 7.0)
    assert summary.share_easy == 75.0
    assert summary.buckets == {"difficult": 1, "neutral": 0, "easy": 3}


def test_ces_single_answer_has_no_interval():
    summary = summarize("ces", {6: 1})
    assert summary.score == 6.0
    assert summary.ci_low is None


def test_ties_in_every_bucket():
    summary = summarize("ces", {1: 10, 4: 10, 7: 10})
    assert summary.score == 4.0
    assert summary.share_easy == 33.3
    assert summary.small_sample is False  # n = 30 is enough


@pytest.mark.parametrize(("metric", "score"), [("nps", 11), ("csat", 0), ("ces", 8), ("nps", -1)])
def test_scores_outside_the_scale_are_refused(metric, score):
    with pytest.raises(ValueError, match="scale|must be"):
        summarize(metric, {score: 1})


def test_unknown_metric_is_refused():
    with pytest.raises(ValueError, match="unknown metric"):
        summarize("ces2", {1: 1})


def test_round_half_up():
    assert round_half_up(2.5) == 3
    assert round_half_up(-2.5) == -3
    assert round_half_up(0.125, 2) == 0.13
    assert round_half_up(1.05, 1) == 1.1


def test_delta_needs_both_sides():
    assert delta(42, 37) == 5
    assert delta(80.0, 82.5) == -2.5
    assert delta(None, 3) is None
    assert delta(3, None) is None


def test_interval_is_direct_function_of_counts():
    assert nps_interval(5, 2, 10) == (-19.1, 65.2)
    assert bucket_counts("nps", {6: 2, 7: 1, 9: 4}) == {
        "detractors": 2,
        "passives": 1,
        "promoters": 4,
    }
