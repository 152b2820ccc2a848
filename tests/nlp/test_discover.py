"""Theme discovery: deterministic clusters with readable names and examples."""

from __future__ import annotations

from nlp.discover import discover_themes

SHIPPING = [
    "parcel arrived late, courier lost the parcel twice",
    "courier never delivered the parcel",
    "parcel tracking says delivered but no parcel",
    "the courier left my parcel in the rain",
    "parcel delayed again, courier useless",
    "courier damaged the parcel box",
]
LOGIN = [
    "cannot login, password reset email never arrives",
    "password reset link expired before login",
    "login loop after password change",
    "two factor login code never arrives, password fine",
    "locked out of login after password reset",
    "password reset page errors on login",
]


def test_separates_two_obvious_topics():
    candidates = discover_themes(SHIPPING + LOGIN, n_clusters=2)
    assert [c.size for c in candidates] == [6, 6]
    names = {frozenset(c.terms[:2]) for c in candidates}
    assert any("parcel" in n or "courier" in n for n in names)
    assert any("password" in n or "login" in n for n in names)
    for candidate in candidates:
        assert len(candidate.examples) == 3 and candidate.share == 0.5


def test_is_deterministic_and_picks_k_itself():
    first = discover_themes(SHIPPING + LOGIN)
    second = discover_themes(SHIPPING + LOGIN)
    assert first == second and len(first) >= 2


def test_function_words_do_not_name_clusters():
    candidates = discover_themes(SHIPPING + LOGIN, n_clusters=2)
    assert not {"the", "and", "my"} & {t for c in candidates for t in c.terms}


def test_too_little_text_gives_nothing():
    assert discover_themes(["ok", "", "  "]) == []
    assert discover_themes(["a b", "c d", "e f", "g h"]) == []


def test_repeated_comments_count_but_do_not_fill_the_examples():
    repeated = ["average experience, nothing more to say"] * 9
    repeated.append("Average  experience, nothing MORE to say")  # the same, typed differently
    # said ten times but sharing no word with any other comment: no theme of its own
    alone = discover_themes(SHIPPING + LOGIN + repeated, n_clusters=2)
    assert sum(c.size for c in alone) == 12
    assert not any("average" in c.terms for c in alone)
    # with one other comment in common it is a theme, weighted by every occurrence
    grouped = discover_themes(
        SHIPPING + LOGIN + repeated + ["an average experience overall"], n_clusters=3
    )
    [average] = [c for c in grouped if "average" in c.terms]
    assert average.size == 11
    assert len(average.examples) == len(set(average.examples)) == 2
