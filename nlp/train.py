"""Training: cross-validate, pick per-theme thresholds, fit, and guard retrains.

``train_model`` is the one code path behind the shipped default model,
``cxbot nlp train`` and the benchmark. It

1. splits the rows into ``folds`` (fixed seed) and, per fold, fits the
   features and both heads on the other folds and predicts the held-out one;
2. picks each theme's threshold on those out-of-fold probabilities (rare
   themes need a lower bar than 0.5 to be found at all);
3. scores the folds — each fold judged with thresholds chosen on the *other*
   folds, so the reported numbers are not tuned on the rows they score;
4. fits the final model on all rows and stores the scores in its sidecar.

Same rows and same code → same thresholds, same weights, same bytes.
"""

from __future__ import annotations

import json
import platform
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from scipy import sparse
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, StratifiedKFold

from nlp import pipeline
from nlp.dataset import LabeledData
from nlp.evaluate import sentiment_scores, theme_scores
from nlp.model import FORMAT, Model
from nlp.text import detect_language

CV_FOLDS = 5
MIN_THEME_EXAMPLES = 3
THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)
HEADLINE_SCORES = ("themes_micro_f1", "sentiment_macro_f1")


class TrainingError(ValueError):
    """Data that cannot train a model (too few rows or classes)."""


def train_model(
    data: LabeledData,
    *,
    folds: int = CV_FOLDS,
    n_jobs: int = 1,
    feature_params: dict[str, Any] | None = None,
    theme_C: float | None = None,
    sentiment_C: float | None = None,
    sentiment_class_weight: str | None = "balanced",
) -> Model:
    """Cross-validate and fit a theme + sentiment model on ``data`` (see module docstring)."""
    feature_params = feature_params or {}
    theme_labels, Y = _theme_matrix(data)
    sentiments = np.asarray(data.sentiments if data.sentiments is not None else [""] * len(data))
    has_sentiment = data.sentiments is not None and len(set(sentiments) - {""}) >= 2
    if not theme_labels and not has_sentiment:
        raise TrainingError("need at least one theme with examples or two sentiment labels")
    if len(data) < 2 * folds:
        raise TrainingError(f"need at least {2 * folds} rows for {folds}-fold cross-validation")
    # Negation marks in the character block serve the sentiment head only.
    features = pipeline.build_features(**{"char_negation": has_sentiment, **feature_params})
    theme_head = pipeline.build_classifier("themes", C=theme_C) if theme_labels else None
    sentiment_head = (
        pipeline.build_classifier("sentiment", C=sentiment_C, class_weight=sentiment_class_weight)
        if has_sentiment
        else None
    )
    splits = _folds(sentiments, folds)
    texts = list(data.texts)
    results = Parallel(n_jobs=n_jobs)(
        delayed(_fit_fold)(features, theme_head, sentiment_head, texts, Y, sentiments, train, test)
        for train, test in splits
    )
    oof_themes = np.zeros(Y.shape)
    oof_sentiment = np.empty(len(texts), dtype=object)
    for (_, test), (theme_probs, sentiment_pred) in zip(splits, results, strict=True):
        if theme_head is not None:
            oof_themes[test] = theme_probs
        if sentiment_head is not None:
            oof_sentiment[test] = sentiment_pred
    min_themes = int(bool(theme_labels) and all(data.themes or []))
    thresholds = choose_thresholds(Y, oof_themes) if theme_labels else np.zeros(0)
    true_themes = [[theme_labels[j] for j in np.flatnonzero(row)] for row in Y]
    oof_theme_sets = (
        _oof_theme_sets(splits, theme_labels, Y, oof_themes, min_themes) if theme_labels else []
    )
    oof = {
        "themes": (true_themes, oof_theme_sets) if theme_labels else None,
        "sentiment": (list(sentiments), list(oof_sentiment)) if has_sentiment else None,
    }
    scores = _cv_scores(theme_labels, oof)
    scores["per_language"] = _per_language([detect_language(text) for text in texts], oof)
    fitted = _fit_all(features, theme_head, sentiment_head, texts, Y, sentiments)
    model = Model(
        features=fitted[0],
        theme_classifier=fitted[1],
        theme_labels=theme_labels,
        theme_thresholds=thresholds,
        min_themes=min_themes,
        sentiment_classifier=fitted[2],
        sentiment_labels=[str(c) for c in fitted[2].classes_] if fitted[2] is not None else [],
    )
    model.info = sidecar(model, data, scores, folds, feature_params)
    return model


def _theme_matrix(data: LabeledData) -> tuple[list[str], np.ndarray]:
    """Themes with enough examples (and not on every row) and their 0/1 matrix."""
    if data.themes is None:
        return [], np.zeros((len(data), 0), dtype=np.int8)
    counts = data.theme_counts()
    labels = [t for t, n in counts.items() if MIN_THEME_EXAMPLES <= n < len(data)]
    index = {label: j for j, label in enumerate(labels)}
    Y = np.zeros((len(data), len(labels)), dtype=np.int8)
    for i, row in enumerate(data.themes):
        for theme in row:
            if theme in index:
                Y[i, index[theme]] = 1
    return labels, Y


def _folds(strata: np.ndarray, folds: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified by sentiment when every class can fill the folds, else plain shuffled."""
    _, counts = np.unique(strata, return_counts=True)
    if len(counts) > 1 and counts.min() >= folds:
        splitter = StratifiedKFold(folds, shuffle=True, random_state=pipeline.SEED)
        return list(splitter.split(np.zeros(len(strata)), strata))
    splitter = KFold(folds, shuffle=True, random_state=pipeline.SEED)
    return list(splitter.split(np.zeros(len(strata))))


def _fit_heads(X, theme_head, sentiment_head, Y, sentiments):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.filterwarnings("ignore", message="Label .* is present in all training examples")
        warnings.filterwarnings("ignore", message="Label not .* is present in all training")
        themes = clone(theme_head).fit(X, Y) if theme_head is not None else None
        sentiment = None
        if sentiment_head is not None:
            labeled = np.flatnonzero(sentiments != "")
            sentiment = clone(sentiment_head).fit(X[labeled], sentiments[labeled])
    return themes, sentiment


def _fit_fold(features, theme_head, sentiment_head, texts, Y, sentiments, train, test):
    fitted = clone(features).fit([texts[i] for i in train])
    X_train = sparse.csr_matrix(fitted.transform([texts[i] for i in train]))
    X_test = sparse.csr_matrix(fitted.transform([texts[i] for i in test]))
    themes, sentiment = _fit_heads(X_train, theme_head, sentiment_head, Y[train], sentiments[train])
    theme_probs = themes.predict_proba(X_test) if themes is not None else None
    if theme_probs is not None and Y.shape[1] == 1 and theme_probs.shape[1] == 2:
        theme_probs = theme_probs[:, 1:]  # one theme: sklearn answers as a binary problem
    sentiment_pred = sentiment.predict(X_test) if sentiment is not None else None
    return theme_probs, sentiment_pred


def _fit_all(features, theme_head, sentiment_head, texts, Y, sentiments):
    fitted = clone(features)
    X = sparse.csr_matrix(fitted.fit_transform(texts))
    themes, sentiment = _fit_heads(X, theme_head, sentiment_head, Y, sentiments)
    return fitted, compact(themes), compact(sentiment)


def compact(classifier):
    """Store linear weights as sparse float32: most hashed columns never occur in training.

    An L2-regularised weight is exactly zero for a column that is zero in every
    training row, so this drops nothing; it shrinks the file several-fold and
    makes it load faster.
    """
    if classifier is None:
        return None
    for estimator in getattr(classifier, "estimators_", [classifier]):
        if hasattr(estimator, "coef_") and not sparse.issparse(estimator.coef_):
            estimator.coef_ = sparse.csr_matrix(estimator.coef_.astype(np.float32))
    return classifier


def choose_thresholds(Y: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """Per theme, the grid threshold with the best F1 on out-of-fold probabilities.

    Ties go to the highest threshold (fewer false alarms). A theme with no
    positives keeps 0.5.
    """
    thresholds = np.full(Y.shape[1], 0.5)
    for j in range(Y.shape[1]):
        y = Y[:, j].astype(bool)
        if not y.any():
            continue
        predicted = probabilities[:, j][:, None] >= THRESHOLD_GRID[None, :]
        tp = (predicted & y[:, None]).sum(axis=0)
        f1 = 2 * tp / (predicted.sum(axis=0) + y.sum())
        best = np.flatnonzero(f1 == f1.max())[-1]
        thresholds[j] = THRESHOLD_GRID[best]
    return thresholds


def _oof_theme_sets(splits, theme_labels, Y, oof_themes, min_themes) -> list[list[str]]:
    """Out-of-fold theme sets, each fold cut with thresholds chosen on the *other* folds."""
    predicted = np.zeros(Y.shape, dtype=bool)
    for _, test in splits:
        others = np.setdiff1d(np.arange(len(Y)), test)
        thresholds = choose_thresholds(Y[others], oof_themes[others])
        chosen = oof_themes[test] >= thresholds
        if min_themes:
            empty = ~chosen.any(axis=1)
            chosen[empty, oof_themes[test][empty].argmax(axis=1)] = True
        predicted[test] = chosen
    return [[theme_labels[j] for j in np.flatnonzero(row)] for row in predicted]


OutOfFold = dict[str, tuple[list, list] | None]


def _cv_scores(theme_labels: list[str], oof: OutOfFold) -> dict[str, Any]:
    """Headline and per-theme scores of the out-of-fold predictions."""
    scores: dict[str, Any] = {}
    if oof["themes"]:
        report = theme_scores(*oof["themes"], theme_labels)
        scores["themes_micro_f1"] = report["micro_f1"]
        scores["themes_macro_f1"] = report["macro_f1"]
        scores["themes_per_class_f1"] = {k: v["f1"] for k, v in report["per_class"].items()}
    if oof["sentiment"]:
        report = sentiment_scores(*_labeled(*oof["sentiment"], range(len(oof["sentiment"][0]))))
        scores["sentiment_accuracy"] = report["accuracy"]
        scores["sentiment_macro_f1"] = report["macro_f1"]
    return scores


def _per_language(languages: list[str], oof: OutOfFold) -> dict[str, dict[str, Any]]:
    """The same out-of-fold scores split by detected language.

    One overall figure hides a language that is served badly: a team whose
    customers write Georgian wants the Georgian number. A language none of
    whose rows has a theme (emoji-only "und") gets no theme score: there is
    no recall to measure.
    """
    report: dict[str, dict[str, Any]] = {}
    for lang in sorted(set(languages)):
        rows = [i for i, found in enumerate(languages) if found == lang]
        entry: dict[str, Any] = {"n": len(rows)}
        if oof["themes"] and any(oof["themes"][0][i] for i in rows):
            true, pred = oof["themes"]
            picked = [true[i] for i in rows], [pred[i] for i in rows]
            entry["themes_micro_f1"] = theme_scores(*picked)["micro_f1"]
        if oof["sentiment"]:
            true, pred = _labeled(*oof["sentiment"], rows)
            if true:
                entry["sentiment_accuracy"] = sentiment_scores(true, pred)["accuracy"]
        report[lang] = entry
    return report


def _labeled(true: list[str], predicted: list, rows) -> tuple[list[str], list[str]]:
    """The rows that carry a sentiment label (a file may label only some)."""
    kept = [i for i in rows if true[i] != ""]
    return [true[i] for i in kept], [str(predicted[i]) for i in kept]


def library_versions(*, embeddings: bool = False) -> dict[str, str]:
    """Versions that decide whether a saved model can be loaded and trusted.

    ``wordllama`` is listed only for a model that uses its vectors.
    """
    from importlib.metadata import PackageNotFoundError, version

    versions = {"python": platform.python_version()}
    names = ["scikit-learn", "numpy", "scipy", "nltk", "skops", "vaderSentiment"]
    for name in names + (["wordllama"] if embeddings else []):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "missing"
    return versions


def sidecar(
    model: Model, data: LabeledData, scores: dict, folds: int, feature_params: dict
) -> dict:
    """The JSON metadata saved beside the model (no timestamps: builds are reproducible)."""
    data_hash = data.content_hash()
    return {
        "format": FORMAT,
        "model_version": f"{pipeline.PIPELINE_VERSION}.{data_hash[:10]}",
        "pipeline_version": pipeline.PIPELINE_VERSION,
        "libraries": library_versions(
            embeddings=bool((feature_params or {}).get("embedding_weight"))
        ),
        "training_data": {
            "sha256": data_hash,
            "rows": len(data),
            "theme_counts": data.theme_counts(),
            "sentiment_counts": data.sentiment_counts(),
        },
        "theme_labels": model.theme_labels,
        "theme_thresholds": [float(t) for t in model.theme_thresholds],
        "min_themes": model.min_themes,
        "sentiment_labels": model.sentiment_labels,
        "features": feature_params or "default",
        "cv": {"folds": folds, "seed": pipeline.SEED, "scores": scores},
    }


# --- retrain guard -----------------------------------------------------------


@dataclass
class Decision:
    """Whether a retrained model may replace the current one, and why."""

    accepted: bool
    reasons: list[str]
    candidate_scores: dict[str, float]
    current_scores: dict[str, float]


@dataclass
class Candidate:
    """A freshly trained model, its CV scores and the guard's decision."""

    model: Model
    decision: Decision
    report: dict[str, Any] = field(default_factory=dict)


def headline_scores(info: dict[str, Any]) -> dict[str, float]:
    """The cross-validated scores the guard compares, from a sidecar."""
    scores = info.get("cv", {}).get("scores", {})
    return {name: float(scores[name]) for name in HEADLINE_SCORES if name in scores}


def decide(
    candidate: dict[str, float], current: dict[str, float] | None, *, tolerance: float = 0.0
) -> Decision:
    """Accept only if no headline CV score drops by more than ``tolerance``.

    With no current model (or no score in common) the candidate is accepted.
    """
    current = current or {}
    reasons: list[str] = []
    for name in HEADLINE_SCORES:
        if name in candidate and name in current and candidate[name] < current[name] - tolerance:
            reasons.append(f"{name} would drop from {current[name]:.4f} to {candidate[name]:.4f}")
    if not reasons:
        shared = [n for n in HEADLINE_SCORES if n in candidate and n in current]
        reasons = [f"{n}: {current[n]:.4f} → {candidate[n]:.4f}" for n in shared] or [
            "no current model scores to compare with"
        ]
        return Decision(True, reasons, candidate, current)
    return Decision(False, reasons, candidate, current)


def train_candidate(
    data: LabeledData,
    *,
    current_info: dict[str, Any] | None = None,
    extra: LabeledData | None = None,
    tolerance: float = 0.0,
    **train_options: Any,
) -> Candidate:
    """Train on ``data`` plus ``extra`` rows (e.g. stored corrections) and judge it.

    ``current_info`` is the sidecar of the model in use (``None`` → accept).
    Nothing is written here; ``apply_decision`` saves or keeps the candidate aside.
    """
    model = train_model(data.plus(extra), **train_options)
    decision = decide(
        headline_scores(model.info), headline_scores(current_info or {}), tolerance=tolerance
    )
    report = {
        "accepted": decision.accepted,
        "reasons": decision.reasons,
        "candidate_version": model.version,
        "current_version": (current_info or {}).get("model_version"),
        "candidate_scores": decision.candidate_scores,
        "current_scores": decision.current_scores,
        "extra_rows": len(extra) if extra is not None else 0,
    }
    return Candidate(model, decision, report)


def apply_decision(candidate: Candidate, model_dir: Path) -> Path:
    """Save an accepted candidate into ``model_dir``; keep a rejected one aside.

    A rejected model goes to ``model_dir/rejected/<version>/`` with a
    ``report.json`` explaining the drop, so a person can inspect or promote it.
    Returns the folder written.
    """
    from nlp.model_io import save_model

    model_dir = Path(model_dir)
    target = (
        model_dir
        if candidate.decision.accepted
        else model_dir / "rejected" / candidate.model.version
    )
    save_model(candidate.model, target)
    (target / "report.json").write_text(
        json.dumps(candidate.report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return target
