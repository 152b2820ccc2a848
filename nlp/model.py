"""A fitted comment model: shared features, a theme head and a sentiment head.

Both heads read the same feature matrix, so a batch is tokenised and hashed
once (the dominant cost) and then scored twice. The persisted form is a plain
dict of fitted scikit-learn objects and arrays (``to_state``), which keeps the
skops trusted-type list short, plus the JSON sidecar ``info``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.preprocessing import normalize

FORMAT = "cxbot-nlp-model/1"


@dataclass
class Model:
    """Fitted features + heads. ``info`` is the sidecar (versions, labels, scores)."""

    features: Any
    theme_classifier: Any | None
    theme_labels: list[str]
    theme_thresholds: np.ndarray
    min_themes: int
    sentiment_classifier: Any | None
    sentiment_labels: list[str]
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return str(self.info.get("model_version", "unversioned"))

    _heads: tuple | None = field(default=None, init=False, repr=False)

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        """Feature matrix for ``texts``; same numbers as ``features.transform``, faster.

        scikit-learn's per-call validation in ``FeatureUnion`` and
        ``TfidfTransformer`` costs milliseconds, most of the budget for one
        comment, so the TF-IDF arithmetic is done here directly on the fitted
        idf vectors (``tests/nlp/test_model.py`` checks it against sklearn).
        """
        blocks = []
        weights = self.features.transformer_weights or {}
        for name, transformer in self.features.transformer_list:
            if hasattr(transformer, "named_steps"):
                block = _tfidf(
                    transformer.named_steps["hash"], transformer.named_steps["tfidf"], texts
                )
            else:
                block = sparse.csr_matrix(transformer.transform(texts))
            weight = weights.get(name, 1.0)
            blocks.append(block * np.float32(weight) if weight != 1.0 else block)
        return sparse.hstack(blocks, format="csr", dtype=np.float32)

    def _linear_heads(self) -> tuple:
        """Dense (features × outputs) weights of both heads, stacked for one product."""
        if self._heads is None:
            parts, intercepts, themes = [], [], 0
            if self.theme_classifier is not None:
                for estimator in self.theme_classifier.estimators_:
                    parts.append(_dense(estimator.coef_))
                    intercepts.append(np.atleast_1d(estimator.intercept_))
                themes = len(self.theme_classifier.estimators_)
            if self.sentiment_classifier is not None:
                parts.append(_dense(self.sentiment_classifier.coef_))
                intercepts.append(np.atleast_1d(self.sentiment_classifier.intercept_))
            weights = np.ascontiguousarray(np.vstack(parts).T, dtype=np.float32) if parts else None
            intercept = np.concatenate(intercepts).astype(np.float64) if parts else None
            self._heads = (weights, intercept, themes)
        return self._heads

    def probabilities(self, X) -> tuple[np.ndarray, np.ndarray]:
        """(theme, sentiment) probabilities from one matrix product for both heads.

        Equal to ``predict_proba`` of the fitted heads — a logistic model per
        theme and a multinomial one for sentiment — without sklearn's per-call
        overhead. Empty matrices for a head the model lacks.
        """
        n = X.shape[0]
        theme_estimators = getattr(self.theme_classifier, "estimators_", [])
        if not _all_linear(theme_estimators):
            return self._sklearn_probabilities(X)
        weights, intercept, themes = self._linear_heads()
        if weights is None:
            return np.zeros((n, 0)), np.zeros((n, 0))
        raw = np.asarray(X @ weights, dtype=np.float64) + intercept
        theme_probs = 1.0 / (1.0 + np.exp(-raw[:, :themes]))
        sentiment_raw = raw[:, themes:]
        if sentiment_raw.shape[1] == 0:
            return theme_probs, sentiment_raw
        if sentiment_raw.shape[1] == 1:  # a two-class head stores one weight row
            positive = 1.0 / (1.0 + np.exp(-sentiment_raw[:, 0]))
            return theme_probs, np.column_stack([1.0 - positive, positive])
        sentiment_raw = sentiment_raw - sentiment_raw.max(axis=1, keepdims=True)
        odds = np.exp(sentiment_raw)
        return theme_probs, odds / odds.sum(axis=1, keepdims=True)

    def _sklearn_probabilities(self, X) -> tuple[np.ndarray, np.ndarray]:
        n = X.shape[0]
        themes = (
            self.theme_classifier.predict_proba(X) if self.theme_classifier else np.zeros((n, 0))
        )
        sentiment = (
            self.sentiment_classifier.predict_proba(X)
            if self.sentiment_classifier
            else np.zeros((n, 0))
        )
        return np.asarray(themes), np.asarray(sentiment)

    def theme_probabilities(self, X) -> np.ndarray:
        """(n_texts, n_themes) probabilities, columns in ``theme_labels`` order."""
        return self.probabilities(X)[0]

    def sentiment_probabilities(self, X) -> np.ndarray:
        """(n_texts, n_classes) probabilities, columns in ``sentiment_labels`` order."""
        return self.probabilities(X)[1]

    def theme_decisions(self, probabilities: np.ndarray) -> np.ndarray:
        """Boolean (n_texts, n_themes): probability ≥ the theme's CV-chosen threshold.

        When the training data never had an unthemed row (``min_themes == 1``)
        the most likely theme is kept for rows that pass no threshold.
        """
        chosen = probabilities >= self.theme_thresholds
        if self.min_themes and probabilities.shape[1]:
            empty = ~chosen.any(axis=1)
            chosen[empty, probabilities[empty].argmax(axis=1)] = True
        return chosen

    def predict_themes(self, texts: list[str]) -> list[list[str]]:
        """Theme ids per text (the trained themes only; no seed matching)."""
        chosen = self.theme_decisions(self.theme_probabilities(self.transform(texts)))
        return [[self.theme_labels[j] for j in np.flatnonzero(row)] for row in chosen]

    def predict_sentiment(self, texts: list[str]) -> list[str]:
        """The most probable sentiment label per text."""
        probabilities = self.sentiment_probabilities(self.transform(texts))
        return [self.sentiment_labels[j] for j in probabilities.argmax(axis=1)]

    def to_state(self) -> dict[str, Any]:
        """The object skops persists: fitted estimators, labels and thresholds."""
        return {
            "format": FORMAT,
            "features": self.features,
            "theme_classifier": self.theme_classifier,
            "theme_labels": list(self.theme_labels),
            "theme_thresholds": np.asarray(self.theme_thresholds, dtype=np.float64),
            "min_themes": int(self.min_themes),
            "sentiment_classifier": self.sentiment_classifier,
            "sentiment_labels": list(self.sentiment_labels),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any], info: dict[str, Any]) -> Model:
        return cls(
            features=state["features"],
            theme_classifier=state["theme_classifier"],
            theme_labels=list(state["theme_labels"]),
            theme_thresholds=np.asarray(state["theme_thresholds"], dtype=np.float64),
            min_themes=int(state["min_themes"]),
            sentiment_classifier=state["sentiment_classifier"],
            sentiment_labels=list(state["sentiment_labels"]),
            info=info,
        )


def _tfidf(hasher, tfidf, texts: list[str]) -> sparse.csr_matrix:
    counts = sparse.csr_matrix(hasher.transform(texts), dtype=np.float32)
    if tfidf.sublinear_tf:
        np.log(counts.data, out=counts.data)
        counts.data += 1.0
    if tfidf.use_idf:
        counts.data *= tfidf.idf_.astype(np.float32, copy=False)[counts.indices]
    return normalize(counts, norm=tfidf.norm, copy=False) if tfidf.norm else counts


def _dense(coef) -> np.ndarray:
    return coef.toarray() if sparse.issparse(coef) else np.asarray(coef)


def _all_linear(estimators) -> bool:
    """False when a theme had one class only (sklearn then keeps a constant predictor)."""
    return all(hasattr(e, "coef_") for e in estimators)
