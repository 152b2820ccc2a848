"""Shared helpers for the nlp tests: a small training set and one small model per run.

Training on the full corpus takes ~20 s, so tests that need *a* trained model
share ``small_model()`` (a few hundred rows, small hash spaces, 3 folds: ~2 s),
and tests about the shipped behaviour load the shipped default model.
"""

from __future__ import annotations

from functools import lru_cache

from nlp.dataset import LabeledData, load_corpus

SMALL_FEATURES = {"word_bits": 14, "char_bits": 15}


@lru_cache(maxsize=1)
def corpus() -> LabeledData:
    return load_corpus()


def small_data(step: int = 8, offset: int = 0) -> LabeledData:
    """Every ``step``-th corpus row (all languages, all labels): 450 rows by default."""
    full = corpus()
    rows = range(offset, len(full), step)
    return LabeledData(
        texts=[full.texts[i] for i in rows],
        themes=[full.themes[i] for i in rows],
        sentiments=[full.sentiments[i] for i in rows],
    )


@lru_cache(maxsize=1)
def small_model():
    from nlp.train import train_model

    return train_model(small_data(), folds=3, feature_params=SMALL_FEATURES)
