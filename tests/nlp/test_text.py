"""Normalisation, language detection, tokens and negation marking."""

from __future__ import annotations

import pytest

from nlp.text import (
    analyse,
    aspect_word_ngrams,
    char_text,
    detect_language,
    mark_negation,
    marked_char_text,
    normalise,
    tokenize,
    word_ngrams,
)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("The refund took three weeks and nobody answered", "en"),
        ("Mulțumesc, problema a fost rezolvată repede", "ro"),
        ("multumesc, problema a fost rezolvata repede", "ro"),
        ("שעה וחצי על הקו, לא עזרו לי", "he"),
        ("پشتیبانی خیلی دیر جواب داد", "fa"),
        ("等了三天才回复，问题还是没解决", "zh"),
        ("ნინო იყო ძალიან თავაზიანი", "ka"),
        ("האפליקציה של Salesforce קורסת כל יום", "he"),
        ("Over a week for a ticket, a joke", "en"),
        ("answered super fast", "en"),
        ("suport bun, recomand", "ro"),
        ("madloba, kargad mogvarda", "ka"),
        ("problema ar mogvarebula", "ka"),
        ("👍👍", "und"),
        ("12345 !!!", "und"),
        ("", "und"),
    ],
)
def test_detect_language(text, lang):
    assert detect_language(text) == lang


def test_normalise_folds_romanian_diacritics_and_cedillas():
    assert normalise("Mulţumesc ȘI mulțumesc") == "multumesc si multumesc"


def test_normalise_masks_numbers_links_and_long_repeats():
    assert (
        normalise("Waited 45 days!!!!! sooooo bad https://x.io/t/1")
        == "waited 0 days!!! sooo bad url"
    )


def test_normalise_unifies_persian_letters_and_joins_the_continuous_prefix():
    # ZWNJ, no space or a space: one verb ("gives"), never a stray "ده" ("ten").
    for typed in ("مي\u200cده كه", "میده که", "می ده که"):
        assert normalise(typed) == "میده که"


def test_tokenize_splits_chinese_into_characters_and_keeps_emoji():
    assert tokenize(normalise("没解决😡")) == ["没", "解", "决", "😡"]


def test_negation_scope_runs_to_the_clause_end():
    tokens = ["not", "helpful", "at", "all", ".", "thanks"]
    assert mark_negation(tokens, "en") == ["not", "helpful_NEG", "at_NEG", "all_NEG", ".", "thanks"]


def test_negation_scope_closes_at_but_and_spares_emoji():
    tokens = ["wasn't", "fast", "😡", "but", "polite"]
    assert mark_negation(tokens, "en") == ["wasn't", "fast_NEG", "😡", "but", "polite"]


def test_romanian_double_negation_does_not_cancel():
    assert mark_negation(["nu", "am", "primit", "nimic", "inca"], "ro")[-1] == "inca_NEG"


def test_hebrew_negators_are_found_behind_glued_prefixes():
    # "ולא" = "and not", "שלא" = "that ... not"
    assert analyse("איטי ולא פתרו")[1:] == ["ולא", "פתרו_NEG"]
    assert analyse("חבל שלא חזרו")[1:] == ["שלא", "חזרו_NEG"]
    assert analyse("ולדימיר עזר")[1] == "עזר"  # a name starting with ו is not a negator


def test_persian_negated_verbs_negate_the_words_before_them_within_the_clause():
    # "slow was and my problem also solved not-became"
    assert analyse("کند بود و مشکلم حل نشد") == ["کند", "بود", "و", "مشکلم_NEG", "حل_NEG", "نشد"]
    # a forward negator already covers the words; the negator itself stays plain
    assert analyse("هیچ کس جواب نداد") == ["هیچ", "کس_NEG", "جواب_NEG", "نداد"]


def test_analyse_stems_english_and_marks_negation():
    assert analyse("Not resolved") == ["not", "resolv_NEG"]


def test_word_ngrams_also_emit_the_plain_stem_of_negated_words():
    features = word_ngrams("not resolved")
    assert "resolv_NEG" in features and "resolv" in features and "not resolv_NEG" in features


def test_languages_without_a_stemmer_stay_as_written():
    assert analyse("שירות מעולה") == ["שירות", "מעולה"]


def test_aspect_word_ngrams_copy_the_text_features_under_the_leading_label():
    features = aspect_word_ngrams("service: not friendly")
    assert features == [f"service|{f}" for f in word_ngrams("not friendly")]
    assert "service|friend_NEG" in features


def test_aspect_word_ngrams_give_nothing_for_rows_without_a_label():
    assert aspect_word_ngrams("the service was not friendly") == []
    assert aspect_word_ngrams("note: see https://x.example") != []
    assert aspect_word_ngrams("12:30 was the wait") == []


def test_georgian_typed_in_latin_letters_is_negated_too():
    assert mark_negation(["problema", "ar", "mogvarda"], "ka") == [
        "problema",
        "ar",
        "mogvarda_NEG",
    ]


def test_negators_that_snowball_would_shorten_still_open_a_scope():
    assert analyse("nothing was resolved") == ["noth", "was_NEG", "resolv_NEG"]
    assert analyse("nowhere to be found")[1:] == ["to_NEG", "be_NEG", "found_NEG"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Not helpful at all, but fast", "not ¬helpful¬ ¬at¬ ¬all¬, but fast"),
        ("مشکلم حل نشد", "¬مشکلم¬ ¬حل¬ نشد"),
        ("לא עזרו לי", "לא ¬עזרו¬ ¬לי¬"),
        ("problema nu a fost rezolvată", "problema nu ¬a¬ ¬fost¬ ¬rezolvata¬"),
        ("客服不太专业", "客服不太专业"),
        ("Great, thanks!", "great, thanks!"),
    ],
)
def test_marked_char_text_sets_negated_words_apart(text, expected):
    assert marked_char_text(text) == expected
    assert char_text(text) == normalise(text)
