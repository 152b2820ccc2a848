"""VADER polarity as extra features for English comments.

nltk's ``SentimentIntensityAnalyzer`` reads its lexicon only from an nltk data
folder (``sentiment/vader_lexicon.zip``), and ``nltk.download`` needs a
network. The ``vaderSentiment`` package ships the same lexicon file, so we
build that zip once in cxbot's cache folder and put the folder on
``nltk.data.path``. VADER is a feature here, not the classifier: its four
scores sit beside the n-grams and the linear model learns how much to trust them.
"""

from __future__ import annotations

import io
import string
import zipfile
from functools import lru_cache
from pathlib import Path

import nltk
import numpy as np

from nlp.cache import cache_dir, write_atomically
from nlp.text import detect_language

LEXICON_MEMBER = "vader_lexicon/vader_lexicon.txt"
VADER_LANGUAGES = frozenset({"en"})
N_FEATURES = 4
_registered: list[Path] = []  # data folders ensure_nltk_data has set up in this process


def lexicon_source() -> Path:
    """The ``vader_lexicon.txt`` shipped inside the vaderSentiment package."""
    import vaderSentiment

    return Path(vaderSentiment.__file__).parent / "vader_lexicon.txt"


def lexicon_zip_bytes(source: Path) -> bytes:
    """The zip nltk expects, with a fixed timestamp so it is byte-for-byte stable."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(LEXICON_MEMBER, date_time=(2020, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, source.read_bytes())
    return buffer.getvalue()


def ensure_nltk_data(root: Path | None = None) -> Path:
    """Create ``<root>/sentiment/vader_lexicon.zip`` if missing and register ``root`` with nltk.

    ``root`` defaults to ``nltk_data`` in the default cache folder; the bot
    passes one inside its ``CXBOT_MODEL_DIR`` (``nlp.classify.model_cache``).
    """
    root = root or cache_dir() / "nltk_data"
    target = root / "sentiment" / "vader_lexicon.zip"
    if not target.exists():
        write_atomically(target, lexicon_zip_bytes(lexicon_source()))
    if str(root) not in nltk.data.path:
        nltk.data.path.insert(0, str(root))
    if root not in _registered:
        _registered.append(root)
    return root


@lru_cache(maxsize=1)
def analyzer():  # -> SentimentIntensityAnalyzer, imported lazily with the data path set
    """The shared nltk VADER analyser (the lexicon is parsed once per process).

    Uses the data folder a caller already set up, else the default one.
    """
    if not _registered:
        ensure_nltk_data()
    from nltk.sentiment.vader import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def _has_lexicon_word(text: str, lexicon: dict) -> bool:
    for word in text.split():
        lowered = word.lower()
        if lowered in lexicon or lowered.strip(string.punctuation) in lexicon:
            return True
    return False


def vader_scores(text: str) -> tuple[float, float, float, float]:
    """(compound, positive, negative, neutral) for English text, zeros otherwise.

    The lexicon is English; on other languages it would only score stray
    Latin words, so those comments get a neutral "no opinion" row. A comment
    with no lexicon word at all scores (0, 0, 0, 1) in VADER — every word
    neutral — so that answer is given without running VADER (which costs
    ~100 µs a comment; ``tests/nlp/test_vader.py`` checks the shortcut).
    """
    if detect_language(text) not in VADER_LANGUAGES:
        return (0.0, 0.0, 0.0, 0.0)
    sia = analyzer()
    if not _has_lexicon_word(text, sia.lexicon):
        has_word = any(len(word) > 1 for word in text.split())
        return (0.0, 0.0, 0.0, 1.0 if has_word else 0.0)
    scores = sia.polarity_scores(text)
    return (scores["compound"], scores["pos"], scores["neg"], scores["neu"])


def vader_features(texts) -> np.ndarray:
    """Feature block for ``FunctionTransformer``: one row of VADER scores per text."""
    rows = [vader_scores(str(text)) for text in texts]
    return np.asarray(rows, dtype=np.float32).reshape(len(rows), N_FEATURES)
