"""The fast inference path equals scikit-learn's own transform and predict_proba."""

from __future__ import annotations

import numpy as np

from nlp.classify import shipped_model_dir
from nlp.model_io import load_model
from tests.nlp import corpus, small_model


def test_fast_transform_matches_the_feature_union():
    model = small_model()
    texts = corpus().texts[::53] + ["", "👍", "x" * 3000]
    fast = model.transform(texts)
    reference = model.features.transform(texts)
    assert fast.shape == reference.shape
    assert abs(fast - reference).max() < 1e-6


def test_fast_probabilities_match_predict_proba():
    model = load_model(shipped_model_dir())
    X = model.transform(corpus().texts[::41])
    themes, sentiment = model.probabilities(X)
    assert np.allclose(themes, model.theme_classifier.predict_proba(X), atol=1e-6)
    assert np.allclose(sentiment, model.sentiment_classifier.predict_proba(X), atol=1e-6)
