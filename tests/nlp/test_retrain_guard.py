"""The retrain guard: a model whose CV score drops is kept aside, not used."""

from __future__ import annotations

import json

from nlp.dataset import LabeledData
from nlp.model_io import load_model, read_sidecar
from nlp.train import Candidate, apply_decision, decide, headline_scores, train_candidate
from tests.nlp import SMALL_FEATURES, small_data, small_model

CURRENT = {"themes_micro_f1": 0.70, "sentiment_macro_f1": 0.80}


def test_decide_rejects_any_drop():
    decision = decide({"themes_micro_f1": 0.71, "sentiment_macro_f1": 0.79}, CURRENT)
    assert not decision.accepted
    assert decision.reasons == ["sentiment_macro_f1 would drop from 0.8000 to 0.7900"]


def test_decide_accepts_equal_or_better_and_no_current_model():
    assert decide({"themes_micro_f1": 0.70, "sentiment_macro_f1": 0.85}, CURRENT).accepted
    assert decide({"themes_micro_f1": 0.10}, None).accepted


def test_decide_tolerance():
    assert decide(
        {"themes_micro_f1": 0.695, "sentiment_macro_f1": 0.80}, CURRENT, tolerance=0.01
    ).accepted


def test_worse_model_is_rejected_and_kept_aside(tmp_path):
    good_info = small_model().info
    noisy = small_data(step=24)
    shuffled = LabeledData(
        noisy.texts, noisy.themes[::-1], noisy.sentiments[::-1]
    )  # labels scrambled
    candidate = train_candidate(
        shuffled, current_info=good_info, folds=3, feature_params=SMALL_FEATURES
    )
    assert not candidate.decision.accepted
    written = apply_decision(candidate, tmp_path / "active")
    assert written == tmp_path / "active" / "rejected" / candidate.model.version
    assert not (tmp_path / "active" / "model.json").exists()
    report = json.loads((written / "report.json").read_text())
    assert report["accepted"] is False and "would drop" in report["reasons"][0]
    assert load_model(written).version == candidate.model.version


def test_accepted_model_replaces_the_active_one(tmp_path):
    candidate = Candidate(small_model(), decide(headline_scores(small_model().info), None))
    written = apply_decision(candidate, tmp_path)
    assert written == tmp_path and read_sidecar(tmp_path)["model_version"] == small_model().version


def test_extra_rows_are_trained_on(tmp_path):
    data = small_data(step=24)
    extra = LabeledData(["the widget exploded"] * 6, [["product_quality"]] * 6, ["negative"] * 6)
    candidate = train_candidate(data, extra=extra, folds=3, feature_params=SMALL_FEATURES)
    assert candidate.model.info["training_data"]["rows"] == len(data) + 6
    assert candidate.report["extra_rows"] == 6 and candidate.decision.accepted
