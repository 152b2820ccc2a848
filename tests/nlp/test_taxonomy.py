"""The theme taxonomy file: default, replace, extend, errors, seed terms."""

from __future__ import annotations

import json

import pytest

from nlp.classify import classify_texts
from nlp.taxonomy import SEED_CONFIDENCE, SeedMatcher, TaxonomyError, load_taxonomy
from nlp.text import LANGUAGES, normalise
from tests.nlp import small_model

DEFAULT_IDS = [
    "response_speed",
    "resolution",
    "agent_friendliness",
    "agent_expertise",
    "communication",
    "customer_effort",
    "product_quality",
    "billing_pricing",
    "self_service",
]
ONBOARDING = {
    "label": "Onboarding",
    "description": "Getting started.",
    "seeds": {"en": ["onboarding", "setup call"], "ro": ["configurare"]},
}


def write(tmp_path, data) -> str:
    path = tmp_path / "themes.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_default_has_nine_themes_with_seeds_in_six_languages(monkeypatch):
    monkeypatch.delenv("CXBOT_THEMES", raising=False)
    taxonomy = load_taxonomy()
    assert taxonomy.ids == DEFAULT_IDS
    for theme in taxonomy.themes.values():
        assert theme.description
        assert set(theme.seeds) == set(LANGUAGES)


def test_team_file_replaces_by_default(tmp_path):
    taxonomy = load_taxonomy(write(tmp_path, {"themes": {"onboarding": ONBOARDING}}))
    assert taxonomy.ids == ["onboarding"]


def test_extends_merges_overrides_and_removes(tmp_path):
    changed = {"description": "Money.", "seeds": {"en": ["money"]}}
    path = write(
        tmp_path,
        {
            "extends": True,
            "themes": {"onboarding": ONBOARDING, "billing_pricing": changed, "self_service": None},
        },
    )
    taxonomy = load_taxonomy(path)
    assert taxonomy.ids == [i for i in DEFAULT_IDS if i != "self_service"] + ["onboarding"]
    assert taxonomy.themes["billing_pricing"].description == "Money."


def test_the_environment_is_not_read(tmp_path, monkeypatch):
    """nlp gets the team file as an argument; the bot's settings read CXBOT_THEMES (tests/bot/test_settings.py)."""
    monkeypatch.setenv(
        "CXBOT_THEMES", write(tmp_path, {"extends": True, "themes": {"onboarding": ONBOARDING}})
    )
    assert load_taxonomy().ids == DEFAULT_IDS


@pytest.mark.parametrize(
    "data",
    [
        {"themes": []},
        {"themes": {"Bad Id": ONBOARDING}},
        {"themes": {"x": {"seeds": "nope"}}},
        {"themes": {}},
    ],
)
def test_malformed_files_raise_taxonomy_error(tmp_path, data):
    with pytest.raises(TaxonomyError):
        load_taxonomy(write(tmp_path, data))


def test_missing_file_is_a_taxonomy_error(tmp_path):
    with pytest.raises(TaxonomyError, match="not found"):
        load_taxonomy(tmp_path / "nope.json")


def test_seed_matcher_matches_word_starts_for_latin_and_substrings_otherwise():
    taxonomy = load_taxonomy(None)
    matcher = SeedMatcher([taxonomy.themes["billing_pricing"]])
    assert matcher.match(normalise("They refunded me")) == {"billing_pricing": SEED_CONFIDENCE}
    assert matcher.match(normalise("unrefundable")) == {}
    assert matcher.match(normalise("还没退款")) == {"billing_pricing": SEED_CONFIDENCE}


def test_untrained_team_theme_is_found_by_seed_terms_only(tmp_path):
    taxonomy = load_taxonomy(
        write(tmp_path, {"extends": True, "themes": {"onboarding": ONBOARDING}})
    )
    hit, miss = classify_texts(["The onboarding call was great", "ok"], small_model(), taxonomy)
    seeded = [t for t in hit.themes if t.theme == "onboarding"]
    assert seeded and seeded[0].source == "seeds" and seeded[0].confidence <= 0.6
    assert "onboarding" not in miss.theme_ids


def test_model_themes_missing_from_a_replacing_taxonomy_are_dropped(tmp_path):
    taxonomy = load_taxonomy(write(tmp_path, {"themes": {"onboarding": ONBOARDING}}))
    result = classify_texts(["Refund still missing, charged twice"], small_model(), taxonomy)[0]
    assert result.theme_ids == []
