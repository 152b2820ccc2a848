"""The entry point: classify a batch of comments by theme, sentiment and language.

    from nlp.classify import classify_texts
    [c.to_dict() for c in classify_texts(["Refund took 3 weeks 😡"])]

Which model: ``load_default_model()`` takes, in order, the first that loads —
1. ``<cache>/model/`` — a model trained with ``cxbot nlp train`` (the active one);
2. ``nlp/data/model/`` — the default model shipped with the package;
3. ``<cache>/default-model/`` — the default rebuilt from the shipped corpus
   (done automatically, about 33 s on two cores, when the shipped model was built
   with another scikit-learn minor version).
``<cache>`` is the folder the caller passes (the bot: its ``CXBOT_MODEL_DIR``
setting), else ``~/.cache/cxbot`` (see ``nlp.cache``); the taxonomy likewise
is an argument, the shipped one when none is given.
A model that fails its checks is skipped with a warning, never loaded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from nlp.cache import cache_dir
from nlp.model import Model
from nlp.model_io import ModelLoadError, load_model, save_model
from nlp.taxonomy import Taxonomy, load_taxonomy, seed_matcher
from nlp.text import UNDETERMINED, detect_language, normalise
from nlp.vader import ensure_nltk_data

log = logging.getLogger(__name__)

ACTIVE_MODEL = "model"
REBUILT_DEFAULT = "default-model"


@dataclass(frozen=True)
class ThemeLabel:
    """One theme found in a comment; ``source`` is "model" or "seeds" (seed-term match)."""

    theme: str
    confidence: float
    source: str = "model"


@dataclass(frozen=True)
class Classification:
    """What cxbot knows about one comment. No themes means "unthemed"."""

    themes: tuple[ThemeLabel, ...]
    sentiment: str | None
    sentiment_confidence: float
    language: str
    model_version: str

    @property
    def theme_ids(self) -> list[str]:
        return [label.theme for label in self.themes]

    def to_dict(self) -> dict[str, Any]:
        return {
            "themes": [
                {"theme": t.theme, "confidence": t.confidence, "source": t.source}
                for t in self.themes
            ],
            "sentiment": self.sentiment,
            "sentiment_confidence": self.sentiment_confidence,
            "language": self.language,
            "model_version": self.model_version,
        }


def shipped_model_dir() -> Path:
    return Path(str(resources.files("nlp") / "data" / "model"))


def model_cache(preferred: Path | None = None) -> Path:
    """The writable cache folder (``preferred`` if possible), with nltk's VADER data inside it.

    Every model computes VADER features, so the lexicon goes where the models
    go rather than wherever nltk would look first.
    """
    folder = cache_dir(preferred)
    ensure_nltk_data(folder / "nltk_data")
    return folder


def active_model_dir(cache: Path | None = None) -> Path:
    """Where ``cxbot nlp train`` puts the model the bot uses, in the ``cache`` folder."""
    return model_cache(cache) / ACTIVE_MODEL


@lru_cache(maxsize=2)
def load_default_model(cache: Path | None = None) -> Model:
    """The model the bot uses (see module docstring); loaded once per process and cache folder."""
    for directory in (active_model_dir(cache), shipped_model_dir()):
        if (directory / "model.json").exists():
            try:
                return load_model(directory)
            except ModelLoadError as exc:
                log.warning("skipping model: %s", exc)
    return rebuild_default_model(model_cache(cache) / REBUILT_DEFAULT)


def rebuild_default_model(directory: Path) -> Model:
    """Load the rebuilt default from ``directory``, training it from the corpus if needed."""
    try:
        return load_model(directory)
    except ModelLoadError:
        pass
    from nlp.dataset import load_corpus
    from nlp.train import train_model

    log.warning("building the default comment model from the shipped corpus (once, about 30 s)")
    model = train_model(load_corpus(), n_jobs=-1)
    save_model(model, directory)
    return model


@lru_cache(maxsize=8)
def _taxonomy(path: str | None) -> Taxonomy:
    return load_taxonomy(path)


def default_taxonomy() -> Taxonomy:
    """The shipped taxonomy, for callers that pass none (the bot passes its own)."""
    return _taxonomy(None)


def classify_texts(
    texts: list[str], model: Model | None = None, taxonomy: Taxonomy | None = None
) -> list[Classification]:
    """Themes (with confidences), sentiment, language and model version per text.

    Themes come from the model for the taxonomy themes it was trained on, and
    from seed terms (confidence 0.5–0.6) for taxonomy themes it has never seen.
    Model themes missing from the taxonomy (a team replaced it) are dropped.
    """
    model = model or load_default_model()
    taxonomy = taxonomy or default_taxonomy()
    texts = ["" if text is None else str(text) for text in texts]
    if not texts:
        return []
    theme_probs, sentiment_probs = model.probabilities(model.transform(texts))
    chosen = model.theme_decisions(theme_probs)
    wanted = [j for j, theme in enumerate(model.theme_labels) if theme in taxonomy.themes]
    seed_only = tuple(t for t in taxonomy.ids if t not in model.theme_labels)
    matcher = seed_matcher(taxonomy, seed_only) if seed_only else None
    results = []
    for i, text in enumerate(texts):
        themes = [
            ThemeLabel(model.theme_labels[j], round(float(theme_probs[i, j]), 3))
            for j in wanted
            if chosen[i, j]
        ]
        if matcher is not None:
            found = matcher.match(normalise(text))
            themes += [ThemeLabel(t, c, "seeds") for t, c in found.items()]
        results.append(_classification(text, themes, sentiment_probs[i], model))
    return results


def _classification(text: str, themes: list[ThemeLabel], probs: np.ndarray, model: Model):
    if not text.strip():
        themes = []
    themes.sort(key=lambda label: (-label.confidence, label.theme))
    sentiment, confidence = None, 0.0
    if probs.size:
        best = int(probs.argmax())
        sentiment, confidence = model.sentiment_labels[best], round(float(probs[best]), 3)
    language = detect_language(text) if text.strip() else UNDETERMINED
    return Classification(tuple(themes), sentiment, confidence, language, model.version)


def classify_text(text: str, model: Model | None = None, taxonomy: Taxonomy | None = None):
    """One comment; same as ``classify_texts([text])[0]``."""
    return classify_texts([text], model, taxonomy)[0]
