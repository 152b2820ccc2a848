"""Scores checked against small cases computed by hand."""

from __future__ import annotations

import pytest

from nlp.dataset import LabeledData
from nlp.evaluate import evaluate_model, sentiment_scores, theme_scores
from tests.nlp import small_model


def test_sentiment_scores_by_hand():
    true = ["positive", "positive", "negative", "negative", "neutral"]
    pred = ["positive", "negative", "negative", "negative", "positive"]
    report = sentiment_scores(true, pred)
    assert report["accuracy"] == 0.6
    # positive: P=1/2 R=1/2 F1=.5; negative: P=2/3 R=1 F1=.8; neutral: P=0 R=0 F1=0
    assert report["per_class"]["positive"] == {
        "precision": 0.5,
        "recall": 0.5,
        "f1": 0.5,
        "support": 2,
    }
    assert report["per_class"]["negative"]["f1"] == 0.8
    assert report["macro_f1"] == pytest.approx((0.5 + 0.8 + 0.0) / 3, abs=1e-4)
    assert report["confusion_matrix"] == [
        [2, 0, 0],
        [0, 0, 1],
        [1, 0, 1],
    ]  # negative, neutral, positive


def test_binary_file_counts_a_neutral_prediction_as_wrong():
    report = sentiment_scores(["positive", "negative"], ["neutral", "negative"])
    assert report["accuracy"] == 0.5
    assert report["labels"] == ["negative", "neutral", "positive"]
    # macro over the file's own classes: negative F1 = 1, positive F1 = 0
    assert report["macro_f1"] == 0.5


def test_theme_scores_by_hand():
    true = [["a", "b"], ["a"], [], ["c"]]
    pred = [["a"], ["a", "c"], [], []]
    report = theme_scores(true, pred)
    # tp=2 fp=1 fn=2 → micro P=2/3 R=1/2 F1=4/7
    assert report["micro_f1"] == pytest.approx(4 / 7, abs=1e-4)
    # a: F1=1; b: 0; c: 0 → macro 1/3
    assert report["macro_f1"] == pytest.approx(1 / 3, abs=1e-4)
    assert report["per_class"]["c"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert report["exact_match"] == 0.25 and report["unthemed_accuracy"] == 1.0


def test_evaluate_model_reports_only_the_columns_given():
    model = small_model()
    only_sentiment = evaluate_model(
        model, LabeledData(["great!", "awful"], None, ["positive", "negative"])
    )
    assert "themes" not in only_sentiment and only_sentiment["sentiment"]["n"] == 2
    only_themes = evaluate_model(model, LabeledData(["refund please"], [["billing_pricing"]], None))
    assert (
        "sentiment" not in only_themes and "billing_pricing" in only_themes["themes"]["per_class"]
    )
