"""The shipped default model belongs to the shipped corpus and this code."""

from __future__ import annotations

from nlp import pipeline
from nlp.classify import shipped_model_dir
from nlp.model_io import TRUSTED_TYPES, read_sidecar
from tests.nlp import corpus


def test_shipped_model_was_built_from_the_shipped_corpus():
    info = read_sidecar(shipped_model_dir())
    assert info["training_data"]["sha256"] == corpus().content_hash(), (
        "corpus changed: rebuild nlp/data/model (see nlp/data/README.md)"
    )
    assert info["pipeline_version"] == pipeline.PIPELINE_VERSION


def test_shipped_model_is_small_and_needs_only_trusted_types():
    import skops.io as sio

    path = shipped_model_dir() / "model.skops"
    assert path.stat().st_size < 10_000_000
    assert set(sio.get_untrusted_types(file=path)) <= set(TRUSTED_TYPES)


def test_shipped_model_reports_cross_validated_scores():
    scores = read_sidecar(shipped_model_dir())["cv"]["scores"]
    assert scores["themes_micro_f1"] > 0.6 and scores["sentiment_accuracy"] > 0.75
