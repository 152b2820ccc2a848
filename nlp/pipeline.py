"""Factories for the unfitted scikit-learn pipelines (features → linear model).

Features are the union of three blocks, each L2-normalised on its own scale:
- word uni/bigrams of stemmed, negation-marked tokens (``nlp.text.word_ngrams``);
- character 3–5-grams inside word boundaries, which keep Chinese (no spaces),
  Georgian and Hebrew morphology, typos and missing diacritics working; when
  the model has a sentiment head, negated words are marked in that text too
  (``nlp.text.marked_char_text``);
- four VADER scores for English comments (``nlp.vader.vader_features``);
- opt-in, off in the default model: category-prefixed word n-grams for
  aspect-level rows, and averaged static word vectors (``nlp.embeddings``).

Both text blocks are *hashed* rather than given a vocabulary: a stored char
n-gram vocabulary made a model of 87 MB that took ~5 s to load, while hashing
stores nothing per n-gram and the fitted linear weights are kept sparse (see
``nlp.train.compact``). Features are float32 end to end: half the memory, and
scikit-learn multiplies sparse matrices only when both sides share a dtype. Everything is deterministic: no random projections,
solvers with fixed seeds.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import LinearSVC

from nlp.embeddings import package_dir, sentence_vectors
from nlp.text import aspect_word_ngrams, char_text, marked_char_text, word_ngrams
from nlp.vader import vader_features

Task = Literal["themes", "sentiment", "single"]

WORD_HASH_BITS = 17
CHAR_HASH_BITS = 18
CHAR_NGRAMS = (3, 5)
THEME_C = 8.0
SENTIMENT_C = 4.0
SINGLE_C = 0.5
SINGLE_MULTI_CLASS = "crammer_singer"
ASPECT_WEIGHT = 0.0  # opt-in: only for "<aspect>: <text>" rows (aspect-level sentiment)
VADER_WEIGHT = 1.0
EMBEDDING_WEIGHT = 0.0  # opt-in: helps intents and aspect categories, hurts support sentiment
SEED = 0
# Bump when features or heads change in a way that makes saved models stale.
PIPELINE_VERSION = "3"


def build_features(
    *,
    word_bits: int = WORD_HASH_BITS,
    char_bits: int = CHAR_HASH_BITS,
    char_ngrams: tuple[int, int] = CHAR_NGRAMS,
    vader_weight: float = VADER_WEIGHT,
    aspect_weight: float = ASPECT_WEIGHT,
    char_negation: bool = True,
    embedding_weight: float = EMBEDDING_WEIGHT,
) -> FeatureUnion:
    """Word + character TF-IDF (hashed) and VADER scores, side by side.

    ``char_negation`` marks negated words in the character block's text. It
    is for sentiment: on the comment corpus it moved CV sentiment accuracy by
    +0.4 to +0.8 points over three seeds and themes micro-F1 by −0.3, and on
    SemEval's training set category detection CV fell 0.812 → 0.807. Callers
    with no sentiment head turn it off (``train_model``, ``build_pipeline``).

    ``aspect_weight`` > 0 adds a fourth block for aspect-level rows written as
    ``"<aspect>: <text>"``: the word n-grams again, prefixed with the aspect
    (``nlp.text.aspect_word_ngrams``), hashed into their own ``word_bits`` space.

    ``embedding_weight`` > 0 adds averaged static word vectors
    (``nlp.embeddings``; needs the ``embeddings`` extra). That module's
    docstring has the measurements behind keeping it off by default.
    """
    words = _hashed_tfidf(word_bits, analyzer=word_ngrams)
    chars = _hashed_tfidf(
        char_bits,
        analyzer="char_wb",
        preprocessor=marked_char_text if char_negation else char_text,
        ngram_range=char_ngrams,
    )
    blocks = [("words", words), ("chars", chars)]
    weights = {"words": 1.0, "chars": 1.0}
    if aspect_weight:
        blocks.append(("aspect", _hashed_tfidf(word_bits, analyzer=aspect_word_ngrams)))
        weights["aspect"] = aspect_weight
    if vader_weight:
        blocks.append(("vader", FunctionTransformer(vader_features)))
        weights["vader"] = vader_weight
    if embedding_weight:
        package_dir()  # fail now, with the install hint, rather than mid-training
        blocks.append(("embedding", FunctionTransformer(sentence_vectors)))
        weights["embedding"] = embedding_weight
    return FeatureUnion(blocks, transformer_weights=weights)


def _hashed_tfidf(bits: int, **analysis: Any) -> Pipeline:
    """Hashed n-gram counts (``analysis``: HashingVectorizer's analyzer settings), then sublinear TF-IDF."""
    return Pipeline(
        [
            (
                "hash",
                HashingVectorizer(
                    n_features=2**bits,
                    alternate_sign=False,
                    norm=None,
                    dtype=np.float32,
                    **analysis,
                ),
            ),
            ("tfidf", TfidfTransformer(sublinear_tf=True)),
        ]
    )


def build_classifier(task: Task, *, C: float | None = None, class_weight: str | None = "balanced"):
    """The linear model for a task; logistic regression gives usable probabilities.

    - ``themes``: one binary model per theme (multi-label), balanced weights so
      rare themes are not drowned; per-theme thresholds are chosen later by CV.
    - ``sentiment``: one multinomial model over the classes (probabilities
      give the confidence shown to people).
    - ``single``: many-class single-label tasks (intents) where only the argmax
      matters; a Crammer–Singer multi-class linear SVM (one joint problem, so
      the class scores are comparable) trains in well under a minute on 10k
      rows where a multinomial logistic model over 77 classes takes many minutes.

    ``class_weight`` is the sentiment head's: ``"balanced"`` (the default) keeps
    the rare class heard, which is what macro F1 and a team reading "negative"
    need; ``None`` favours plain accuracy when classes are skewed.
    """
    if task == "themes":
        binary = LogisticRegression(
            C=C or THEME_C,
            class_weight="balanced",
            solver="liblinear",
            random_state=SEED,
            max_iter=1000,
        )
        return OneVsRestClassifier(binary)
    if task == "single":
        return LinearSVC(C=C or SINGLE_C, multi_class=SINGLE_MULTI_CLASS, random_state=SEED)
    return LogisticRegression(
        C=C or SENTIMENT_C,
        class_weight=class_weight,
        solver="newton-cg",
        max_iter=1000,
    )


def build_pipeline(task: Task = "sentiment", *, C: float | None = None, **features) -> Pipeline:
    """Unfitted ``Pipeline(features, clf)`` for one task (see module docstring)."""
    features.setdefault("char_negation", task == "sentiment")
    return Pipeline(
        [("features", build_features(**features)), ("clf", build_classifier(task, C=C))]
    )
