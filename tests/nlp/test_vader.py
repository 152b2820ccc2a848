"""VADER features: the nltk data folder we build, and the no-lexicon-word shortcut."""

from __future__ import annotations

import zipfile

from nlp.text import detect_language
from nlp.vader import (
    LEXICON_MEMBER,
    analyzer,
    ensure_nltk_data,
    lexicon_source,
    lexicon_zip_bytes,
    vader_features,
    vader_scores,
)
from tests.nlp import corpus


def test_builds_the_lexicon_zip_nltk_expects(tmp_path):
    root = ensure_nltk_data(tmp_path / "nltk_data")
    archive = zipfile.ZipFile(root / "sentiment" / "vader_lexicon.zip")
    assert archive.namelist() == [LEXICON_MEMBER]
    assert archive.read(LEXICON_MEMBER) == lexicon_source().read_bytes()


def test_lexicon_zip_is_byte_stable():
    assert lexicon_zip_bytes(lexicon_source()) == lexicon_zip_bytes(lexicon_source())


def test_negated_praise_scores_negative():
    compound, positive, negative, _ = vader_scores("not helpful at all")
    assert compound < 0 and negative > positive


def test_other_languages_get_a_zero_row():
    assert vader_scores("לא עזרו לי בכלל") == (0.0, 0.0, 0.0, 0.0)


def test_shortcut_matches_nltk_on_every_english_corpus_comment():
    sia = analyzer()
    english = [t for t in corpus().texts if detect_language(t) == "en"]
    for text in english:
        scores = sia.polarity_scores(text)
        expected = (scores["compound"], scores["pos"], scores["neg"], scores["neu"])
        assert vader_scores(text) == expected, text


def test_feature_block_shape_and_dtype():
    block = vader_features(["great", "שלום", "", "meh"])
    assert block.shape == (4, 4) and block.dtype.name == "float32"
