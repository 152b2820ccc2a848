"""Scores for sentiment (single-label) and themes (multi-label), as plain dicts.

The same functions score cross-validation during training, ``cxbot nlp
evaluate`` and the benchmark, so every number cxbot prints means one thing.

A file may hold only some sentiment labels (e.g. only positive/negative):
per-class figures are reported for the labels in the file *and* the labels
predicted, so a ``neutral`` prediction on such a file counts as a mistake.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support
from sklearn.preprocessing import MultiLabelBinarizer

from nlp.dataset import LabeledData


def _per_class(precision, recall, f1, support, labels: list[str]) -> dict[str, dict[str, float]]:
    return {
        label: {
            "precision": round(float(precision[i]), 4),
            "recall": round(float(recall[i]), 4),
            "f1": round(float(f1[i]), 4),
            "support": int(support[i]),
        }
        for i, label in enumerate(labels)
    }


def sentiment_scores(y_true: list[str], y_pred: list[str]) -> dict[str, Any]:
    """Accuracy, macro F1 over the *true* labels, per-class P/R/F1 and confusion matrix.

    Macro F1 averages the classes present in ``y_true``: a class the file never
    contains cannot be scored, but predicting it still lowers accuracy and the
    recall of the true class.
    """
    labels = sorted(set(y_true) | set(y_pred))
    true_labels = sorted(set(y_true))
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    true_f1 = [f1[labels.index(label)] for label in true_labels]
    return {
        "n": len(y_true),
        "accuracy": round(float(accuracy_score(y_true, y_pred)), 4),
        "macro_f1": round(float(np.mean(true_f1)) if true_f1 else 0.0, 4),
        "per_class": _per_class(precision, recall, f1, support, labels),
        "labels": labels,
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


def theme_scores(
    true: list[list[str]], predicted: list[list[str]], labels: list[str] | None = None
) -> dict[str, Any]:
    """Micro and macro F1 plus per-theme P/R/F1 for multi-label theme sets.

    ``labels`` defaults to every theme seen in ``true`` or ``predicted``. Macro
    F1 averages the themes that occur in ``true`` (a theme absent from the file
    has no recall to measure). ``unthemed_accuracy`` tells how well "no theme"
    was recognised, which micro F1 ignores.
    """
    labels = labels or sorted({t for row in true + predicted for t in row})
    binarizer = MultiLabelBinarizer(classes=labels)
    Y_true = binarizer.fit_transform([[t for t in row if t in labels] for row in true])
    Y_pred = binarizer.transform([[t for t in row if t in labels] for row in predicted])
    precision, recall, f1, support = precision_recall_fscore_support(
        Y_true, Y_pred, average=None, zero_division=0
    )
    micro = precision_recall_fscore_support(Y_true, Y_pred, average="micro", zero_division=0)
    present = [i for i in range(len(labels)) if support[i] > 0]
    unthemed = [i for i, row in enumerate(true) if not row]
    return {
        "n": len(true),
        "micro_f1": round(float(micro[2]), 4),
        "micro_precision": round(float(micro[0]), 4),
        "micro_recall": round(float(micro[1]), 4),
        "macro_f1": round(float(np.mean(f1[present])) if present else 0.0, 4),
        "exact_match": round(
            float(np.mean([set(a) == set(b) for a, b in zip(true, predicted, strict=True)])), 4
        )
        if true
        else 0.0,
        "unthemed_accuracy": round(float(np.mean([not predicted[i] for i in unthemed])), 4)
        if unthemed
        else None,
        "per_class": _per_class(precision, recall, f1, support, labels),
    }


def evaluate_model(model, data: LabeledData) -> dict[str, Any]:
    """Score ``model`` on ``data`` for whichever label columns the data has."""
    report: dict[str, Any] = {"model_version": model.version, "n": len(data)}
    X = model.transform(data.texts)
    if data.sentiments is not None and model.sentiment_classifier is not None:
        keep = [i for i, label in enumerate(data.sentiments) if label]
        probabilities = model.sentiment_probabilities(X[keep])
        predicted = [model.sentiment_labels[j] for j in probabilities.argmax(axis=1)]
        report["sentiment"] = sentiment_scores([data.sentiments[i] for i in keep], predicted)
    if data.themes is not None and model.theme_classifier is not None:
        chosen = model.theme_decisions(model.theme_probabilities(X))
        predicted_themes = [[model.theme_labels[j] for j in np.flatnonzero(row)] for row in chosen]
        labels = sorted(set(model.theme_labels) | {t for row in data.themes for t in row})
        report["themes"] = theme_scores(data.themes, predicted_themes, labels)
    return report
