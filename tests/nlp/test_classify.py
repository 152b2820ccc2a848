"""The entry point on the shipped default model: the behaviour people will see."""

from __future__ import annotations

import pytest

from nlp.classify import (
    Classification,
    classify_text,
    classify_texts,
    load_default_model,
    shipped_model_dir,
)
from nlp.model_io import load_model
from nlp.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def model():
    return load_model(shipped_model_dir())


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy(None)


def classify(model, taxonomy, text: str) -> Classification:
    return classify_texts([text], model, taxonomy)[0]


def test_negation_makes_praise_negative(model, taxonomy):
    assert classify(model, taxonomy, "The agent was not helpful at all").sentiment == "negative"
    assert classify(model, taxonomy, "The agent was very helpful").sentiment == "positive"


def test_multi_theme_comment_gets_several_themes(model, taxonomy):
    result = classify(
        model, taxonomy, "Waited 5 days for a reply and I was charged twice, still no refund"
    )
    assert {"response_speed", "billing_pricing"} <= set(result.theme_ids)
    assert result.sentiment == "negative"


def test_unthemed_comment_gets_no_theme(model, taxonomy):
    result = classify(model, taxonomy, "ok")
    assert result.themes == () and result.sentiment == "neutral"


@pytest.mark.parametrize(
    ("text", "lang", "theme", "sentiment"),
    [
        ("The refund took three weeks, terrible", "en", "billing_pricing", "negative"),
        ("Mulțumesc, Andrei mi-a rezolvat problema foarte repede!", "ro", "resolution", "positive"),
        ("חיכיתי שבוע שלם לתשובה, ממש לא מקצועי", "he", "response_speed", "negative"),
        ("دو بار پول از حسابم کم شد و هنوز برنگشته، افتضاحه", "fa", "billing_pricing", "negative"),
        ("客服态度很好，很有耐心，谢谢！", "zh", "agent_friendliness", "positive"),
        ("ძალიან სწრაფად მომიგვარეს პრობლემა, მადლობა!", "ka", "resolution", "positive"),
    ],
)
def test_each_language_gets_sensible_labels(model, taxonomy, text, lang, theme, sentiment):
    result = classify(model, taxonomy, text)
    assert result.language == lang
    assert theme in result.theme_ids
    assert result.sentiment == sentiment


def test_right_to_left_with_bidi_marks_and_latin_words(model, taxonomy):
    result = classify(model, taxonomy, "\u200fהאפליקציה של Zoom קורסת כל הזמן, באג מעצבן\u200f")
    assert result.language == "he"
    assert "product_quality" in result.theme_ids


def test_emoji_only_comments(model, taxonomy):
    happy, angry = classify_texts(["👍👍", "😡😡😡"], model, taxonomy)
    assert happy.language == angry.language == "und"
    assert happy.sentiment == "positive" and angry.sentiment == "negative"


def test_three_thousand_character_comment(model, taxonomy):
    text = ("The app crashes every time I open the invoice page and support never answered. " * 40)[
        :3000
    ]
    result = classify(model, taxonomy, text)
    assert len(text) == 3000
    assert "product_quality" in result.theme_ids and result.sentiment == "negative"


def test_blank_text_has_no_themes(model, taxonomy):
    result = classify(model, taxonomy, "   ")
    assert result.themes == () and result.language == "und"


def test_batch_keeps_order_and_confidences_are_probabilities(model, taxonomy):
    texts = ["great, thanks", "charged twice!!", "", "the docs are outdated"]
    results = classify_texts(texts, model, taxonomy)
    assert [r.sentiment for r in results][:2] == ["positive", "negative"]
    for result in results:
        assert 0.0 <= result.sentiment_confidence <= 1.0
        assert all(0.0 < t.confidence <= 1.0 for t in result.themes)
        assert result.model_version == model.version
    assert classify_texts([], model, taxonomy) == []


def test_themes_sorted_by_confidence_and_serialisable(model, taxonomy):
    result = classify(model, taxonomy, "Slow reply, rude agent and the bug is still there")
    confidences = [t.confidence for t in result.themes]
    assert confidences == sorted(confidences, reverse=True)
    assert result.to_dict()["themes"][0]["theme"] == result.theme_ids[0]


def test_default_model_is_the_shipped_one_when_nothing_is_trained(tmp_path, monkeypatch, model):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # the default cache: ~/.cache/cxbot
    load_default_model.cache_clear()
    try:
        assert load_default_model(tmp_path / "cache").version == model.version
        assert load_default_model().version == model.version
        assert classify_text("thanks!").model_version == model.version
        assert (tmp_path / "cache" / "nltk_data" / "sentiment" / "vader_lexicon.zip").is_file()
    finally:
        load_default_model.cache_clear()


def test_default_is_rebuilt_from_the_corpus_when_no_model_loads(tmp_path, monkeypatch):
    import nlp.classify
    import nlp.train
    from tests.nlp import small_model

    trained = small_model()  # before patching train_model, which small_model uses
    monkeypatch.setattr(nlp.classify, "shipped_model_dir", lambda: tmp_path / "nothing-here")
    monkeypatch.setattr(nlp.train, "train_model", lambda data, **_: trained)
    load_default_model.cache_clear()
    try:
        assert load_default_model(tmp_path / "cache").version == small_model().version
        assert (tmp_path / "cache" / "default-model" / "model.skops").exists()
    finally:
        load_default_model.cache_clear()
