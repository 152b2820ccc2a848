"""Opt-in static word vectors: pooling, the feature block, persistence, and a missing package."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from functools import lru_cache

import numpy as np
import pytest
import skops.io as sio

from nlp import embeddings
from nlp.embeddings import EmbeddingsUnavailable, sentence_vectors
from nlp.model_io import TRUSTED_TYPES, ModelLoadError, load_model, save_model
from nlp.pipeline import build_features
from tests.nlp import SMALL_FEATURES, small_data

TEXTS = [
    "I want a refund for the card charge",
    "",
    "please give me my money back for that card payment",
    "👍",
    "המשלוח לא הגיע בזמן",
    "问题没有解决",
    "the agent was very friendly",
    "x" * 3000,
]


@lru_cache(maxsize=1)
def embedding_model():
    from nlp.train import train_model

    features = {**SMALL_FEATURES, "embedding_weight": 1.0}
    return train_model(small_data(step=16), folds=3, feature_params=features)


def _mean_of_token_vectors(text: str) -> np.ndarray:
    """Reference pooling, one text at a time, straight from the shipped table."""
    tokenizer, table = embeddings._encoder()
    ids = tokenizer.encode(text, add_special_tokens=False).ids
    if not ids:
        return np.zeros(table.shape[1], dtype=np.float32)
    mean = table[ids].mean(axis=0)
    return mean / np.linalg.norm(mean)


def test_batch_pooling_equals_per_text_mean_even_around_empty_texts():
    vectors = sentence_vectors(TEXTS)
    assert vectors.shape == (len(TEXTS), embeddings.dimensions())
    assert vectors.dtype == np.float32
    for text, vector in zip(TEXTS, vectors, strict=True):
        assert np.allclose(vector, _mean_of_token_vectors(text), atol=1e-5)
    norms = np.linalg.norm(vectors, axis=1)
    assert norms[1] == 0.0  # empty: a zero row, not NaN
    assert np.allclose(np.delete(norms, 1), 1.0, atol=1e-5)


def test_a_paraphrase_is_closer_than_an_unrelated_comment():
    refund, _, money_back, *_, friendly, _ = sentence_vectors(TEXTS)
    assert refund @ money_back > refund @ friendly + 0.1


def test_reading_the_vectors_does_not_import_wordllama():
    """Importing wordllama configures the root logger, and its loader falls back to the network."""
    code = (
        "import logging, sys; from nlp.embeddings import sentence_vectors; "
        "sentence_vectors(['hello']); "
        "assert 'wordllama' not in sys.modules, 'imported'; "
        "assert not logging.getLogger().handlers, 'root logger configured'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_block_is_off_by_default_and_adds_the_vectors_when_asked():
    assert "embedding" not in dict(build_features().transformer_list)
    union = build_features(embedding_weight=0.5, **SMALL_FEATURES)
    assert union.transformer_weights["embedding"] == 0.5
    X = union.fit_transform(TEXTS)
    plain = build_features(**SMALL_FEATURES).fit_transform(TEXTS)
    assert X.shape[1] == plain.shape[1] + embeddings.dimensions()


def test_model_with_vectors_round_trips_and_lists_the_package(tmp_path):
    model = embedding_model()
    texts = small_data(step=16, offset=5).texts[:40]
    fast, reference = model.transform(texts), model.features.transform(texts)
    assert abs(fast - reference).max() < 1e-6
    folder = save_model(model, tmp_path / "model")
    assert set(sio.get_untrusted_types(file=folder / "model.skops")) <= set(TRUSTED_TYPES)
    loaded = load_model(folder)
    assert loaded.predict_sentiment(texts) == model.predict_sentiment(texts)
    assert loaded.predict_themes(texts) == model.predict_themes(texts)
    info = json.loads((folder / "model.json").read_text())
    assert info["libraries"]["wordllama"] != "missing"
    assert info["features"]["embedding_weight"] == 1.0


def test_without_the_package_asking_for_vectors_fails_with_the_install_hint(tmp_path, monkeypatch):
    folder = save_model(embedding_model(), tmp_path / "model")
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "wordllama" else real(name, *a),
    )
    with pytest.raises(EmbeddingsUnavailable, match=r"cxbot\[embeddings\]"):
        build_features(embedding_weight=1.0)
    with pytest.raises(ModelLoadError, match=r"cxbot\[embeddings\]"):
        load_model(folder)
