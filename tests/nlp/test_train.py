"""Training: determinism, thresholds, sidecar contents, data checks."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.dataset import LabeledData
from nlp.model_io import load_model, save_model
from nlp.train import THRESHOLD_GRID, TrainingError, choose_thresholds, train_model
from tests.nlp import SMALL_FEATURES, small_data, small_model


def test_same_data_gives_the_same_model_bytes(tmp_path):
    data = small_data(step=24)
    first = train_model(data, folds=3, feature_params=SMALL_FEATURES)
    second = train_model(data, folds=3, feature_params=SMALL_FEATURES)
    save_model(first, tmp_path / "a")
    save_model(second, tmp_path / "b")
    assert (tmp_path / "a" / "model.skops").read_bytes() == (
        tmp_path / "b" / "model.skops"
    ).read_bytes()
    assert (tmp_path / "a" / "model.json").read_bytes() == (
        tmp_path / "b" / "model.json"
    ).read_bytes()
    texts = data.texts[:20]
    assert first.predict_themes(texts) == second.predict_themes(texts)


def test_sidecar_records_versions_labels_hash_and_cv_scores():
    model = small_model()
    info = model.info
    assert info["libraries"]["scikit-learn"]
    assert info["theme_labels"] == model.theme_labels and len(model.theme_labels) == 9
    assert info["sentiment_labels"] == ["negative", "neutral", "positive"]
    assert info["training_data"]["sha256"] == small_data().content_hash()
    assert info["model_version"].endswith(small_data().content_hash()[:10])
    scores = info["cv"]["scores"]
    assert 0.3 < scores["themes_micro_f1"] < 1.0 and 0.5 < scores["sentiment_accuracy"] < 1.0


def test_thresholds_maximise_f1_on_the_grid():
    Y = np.array([[1], [1], [0], [0]])
    probabilities = np.array([[0.9], [0.3], [0.2], [0.1]])
    assert choose_thresholds(Y, probabilities)[0] == pytest.approx(0.3)
    assert choose_thresholds(np.zeros((3, 1)), np.zeros((3, 1)))[0] == 0.5
    assert THRESHOLD_GRID.min() > 0 and THRESHOLD_GRID.max() < 1


def test_unthemed_rows_allow_an_empty_prediction_and_fully_themed_data_forces_one():
    assert small_model().min_themes == 0
    data = small_data(step=24)
    keep = [i for i, row in enumerate(data.themes) if row]
    themed = LabeledData([data.texts[i] for i in keep], [data.themes[i] for i in keep], None)
    model = train_model(themed, folds=3, feature_params=SMALL_FEATURES)
    assert model.min_themes == 1 and model.sentiment_classifier is None
    assert all(model.predict_themes(["zzz", "ok"]))


def test_any_label_names_work():
    texts = [f"the pasta was {w}" for w in ("great", "awful", "fine", "cold")] * 5
    themes = [["food"]] * 20
    for i in range(0, 20, 2):
        themes[i] = ["food", "service"]
    data = LabeledData(texts, themes, ["positive", "negative", "neutral", "conflict"] * 5)
    model = train_model(data, folds=2, feature_params=SMALL_FEATURES)
    assert model.theme_labels == ["service"]  # "food" is on every row: nothing to learn
    assert model.sentiment_labels == ["conflict", "negative", "neutral", "positive"]


def test_too_little_data_is_refused():
    with pytest.raises(TrainingError):
        train_model(LabeledData(["a", "b"], [["x"], []], ["positive", "negative"]))
    with pytest.raises(TrainingError, match="at least one theme"):
        train_model(LabeledData(["a"] * 20, [[]] * 20, ["positive"] * 20))


def _aspect_rows() -> LabeledData:
    """Polarity that depends on aspect × word: cold food is bad, a cold drink is good."""
    texts, labels = [], []
    for opener in ("it was", "honestly it came", "the one we got was", "as usual it was"):
        for aspect, word, polarity in (
            ("food", "cold", "negative"),
            ("drinks", "cold", "positive"),
            ("food", "hot", "positive"),
            ("drinks", "hot", "negative"),
        ):
            texts.append(f"{aspect}: {opener} {word}")
            labels.append(polarity)
    return LabeledData(texts, None, labels)


def test_aspect_block_learns_polarity_that_depends_on_the_aspect(tmp_path):
    data = _aspect_rows()
    unseen = ["food: tonight it was cold", "drinks: tonight it was cold"]
    aspect = train_model(data, folds=3, feature_params={**SMALL_FEATURES, "aspect_weight": 1.0})
    plain = train_model(data, folds=3, feature_params=SMALL_FEATURES)
    assert aspect.predict_sentiment(unseen) == ["negative", "positive"]
    assert plain.predict_sentiment(unseen)[0] == plain.predict_sentiment(unseen)[1]
    loaded = load_model(save_model(aspect, tmp_path))
    assert loaded.predict_sentiment(unseen) == ["negative", "positive"]


def test_cv_scores_are_also_split_by_language():
    model = small_model()
    scores = model.info["cv"]["scores"]
    per_language = scores["per_language"]
    assert {"en", "he", "zh", "ro", "ka", "fa"} <= set(per_language)
    assert sum(entry["n"] for entry in per_language.values()) == len(small_data())
    labeled = {lang: e for lang, e in per_language.items() if "sentiment_accuracy" in e}
    weighted = sum(e["sentiment_accuracy"] * e["n"] for e in labeled.values()) / sum(
        e["n"] for e in labeled.values()
    )
    assert weighted == pytest.approx(scores["sentiment_accuracy"], abs=1e-3)


def _char_preprocessor(features):
    return dict(features.transformer_list)["chars"].named_steps["hash"].preprocessor


def test_negation_marks_reach_the_character_block_only_for_a_sentiment_head():
    from nlp.pipeline import build_pipeline
    from nlp.text import char_text, marked_char_text

    data = small_data(step=24)
    themes_only = LabeledData(data.texts, data.themes, None)
    assert _char_preprocessor(small_model().features) is marked_char_text
    theme_model = train_model(themes_only, folds=3, feature_params=SMALL_FEATURES)
    assert _char_preprocessor(theme_model.features) is char_text
    assert _char_preprocessor(build_pipeline("single")[0]) is char_text
    assert _char_preprocessor(build_pipeline("sentiment")[0]) is marked_char_text
