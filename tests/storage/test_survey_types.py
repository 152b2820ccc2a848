"""One definition per survey type drives the schema, the formulas and the validation.

Each test walks ``SURVEYS``, so a type added to the definition is checked by
every test here without editing them; a type added without its migration fails
the CHECK test with a message that says what is missing.
"""

from __future__ import annotations

import sqlite3

import pytest
from sqlite_utils.migrations import Migrations

from storage.customers import is_detractor, normalised
from storage.db import open_db
from storage.formulas import summarize
from storage.migrations import FIRST_SURVEY_TYPES, admit_survey_types
from storage.responses import InvalidResponse, parse_score
from storage.survey_types import SURVEYS, SurveyType

ANSWERED = "2026-11-01T10:00:00.000Z"


def _insert_answer(db, survey_type: str, score: int) -> None:
    db.execute(
        "INSERT INTO responses (dedupe_key, survey_type, score, answered_at, created_at) "
        "VALUES (randomblob(16), ?, ?, ?, ?)",
        [survey_type, score, ANSWERED, ANSWERED],
    )


def _accepts(db, survey_type: str, score: int) -> bool:
    try:
        _insert_answer(db, survey_type, score)
    except sqlite3.IntegrityError as exc:
        assert "CHECK" in str(exc)
        return False
    return True


@pytest.mark.parametrize("name", list(SURVEYS))
def test_schema_accepts_exactly_each_scale(db, name):
    survey = SURVEYS[name]
    tried = range(survey.low - 1, survey.high + 2)
    accepted = [score for score in tried if _accepts(db, name, score)]
    assert accepted == list(survey.scale), (
        f"the responses CHECK does not admit {name} {survey.low}..{survey.high}: "
        "a new survey type needs a migration that calls admit_survey_types()"
    )


@pytest.mark.parametrize("name", list(SURVEYS))
def test_surveys_table_accepts_each_type(db, name):
    db.execute(
        "INSERT INTO tickets (id, source, external_id, updated_at) VALUES (1, 't', 'T-1', ?)",
        [ANSWERED],
    )
    db.execute(
        "INSERT INTO surveys (ticket_id, survey_type, recipient, due_at, created_at) "
        "VALUES (1, ?, 'U1', ?, ?)",
        [name, ANSWERED, ANSWERED],
    )
    assert db.execute("SELECT survey_type FROM surveys").fetchall() == [(name,)]


def test_schema_rejects_an_unknown_type(db):
    assert not _accepts(db, "effort", 3)


def test_first_migration_writes_the_checks_it_shipped_with(db):
    """Generated from the definitions, 0001's SQL must stay what existing files hold."""
    responses = db.execute("SELECT sql FROM sqlite_master WHERE name = 'responses'").fetchone()[0]
    surveys = db.execute("SELECT sql FROM sqlite_master WHERE name = 'surveys'").fetchone()[0]
    shipped_type_check = "CHECK (survey_type IN ('nps', 'csat', 'ces'))"
    shipped_score_check = """score INTEGER NOT NULL CHECK (
                (survey_type = 'nps' AND score BETWEEN 0 AND 10)
                OR (survey_type = 'csat' AND score BETWEEN 1 AND 5)
                OR (survey_type = 'ces' AND score BETWEEN 1 AND 7)
            ),"""
    assert shipped_type_check in surveys
    assert shipped_type_check in responses
    assert shipped_score_check in responses


@pytest.mark.parametrize("name", list(SURVEYS))
def test_buckets_and_cut_offs_agree_with_the_formulas(name):
    survey = SURVEYS[name]
    for score in survey.scale:
        buckets = summarize(name, {score: 1}).buckets
        assert sum(buckets.values()) == 1
        assert (
            (buckets[survey.low_bucket] == 1)
            == survey.is_detractor(score)
            == is_detractor(name, score)
        )
        assert (buckets[survey.high_bucket] == 1) == survey.is_promoter(score)
    assert normalised(name, survey.low) == 0 and normalised(name, survey.high) == 1


@pytest.mark.parametrize("name", list(SURVEYS))
def test_headline_scores_stay_within_their_limits(name):
    survey = SURVEYS[name]
    worst, best = (summarize(name, {score: 10}).score for score in (survey.low, survey.high))
    assert (worst, best) == survey.score_limits
    assert survey.score_span == best - worst


@pytest.mark.parametrize("name", list(SURVEYS))
def test_imports_accept_exactly_each_scale(name):
    survey = SURVEYS[name]
    assert [parse_score(name, str(score)) for score in survey.scale] == list(survey.scale)
    for outside in (survey.low - 1, survey.high + 1):
        with pytest.raises(InvalidResponse, match=f"{survey.low}–{survey.high}"):
            parse_score(name, outside)


def test_buckets_must_split_the_scale():
    with pytest.raises(ValueError, match="buckets must split"):
        SurveyType(
            name="gap",
            label="GAP",
            title="A scale with a hole",
            scale=range(1, 6),
            buckets=(("low", range(1, 2)), ("mid", range(3, 4)), ("high", range(4, 6))),
            formula="share",
            score_limits=(0, 100),
        )


def test_admitting_a_new_type_keeps_existing_answers_and_their_alerts(db_path, monkeypatch):
    """What a new type's migration does to an existing file, inside a real migration run."""
    old = open_db(db_path)
    _insert_answer(old, "nps", 2)
    old.execute(
        "INSERT INTO alerts (response_id, channel, created_at) VALUES (1, 'C1', ?)", [ANSWERED]
    )
    old.close()
    wider = SurveyType(
        name="effort10",
        label="E10",
        title="Effort on ten",
        scale=range(0, 11),
        buckets=(("hard", range(0, 5)), ("ok", range(5, 8)), ("easy", range(8, 11))),
        formula="mean",
        score_limits=(0, 10),
    )
    monkeypatch.setitem(SURVEYS, wider.name, wider)
    step = Migrations("survey-type-test")

    @step(name="0001_effort10")
    def add_effort10(db) -> None:
        admit_survey_types(db, "effort10")

    handle = open_db(db_path)
    step.apply(handle)
    handle.close()

    reopened = open_db(db_path)  # a new connection reads the rewritten schema
    assert [s for s in range(-1, 12) if _accepts(reopened, "effort10", s)] == list(range(11))
    assert not _accepts(reopened, "nps", 11)
    assert not _accepts(reopened, "unknown", 1)
    assert reopened.execute("SELECT survey_type, score FROM responses WHERE id = 1").fetchone() == (
        "nps",
        2,
    )
    assert reopened.execute("SELECT count(*) FROM alerts").fetchone() == (1,)
    surveys_sql = reopened.execute("SELECT sql FROM sqlite_master WHERE name = 'surveys'")
    assert "('nps', 'csat', 'ces', 'effort10')" in surveys_sql.fetchone()[0]
    assert reopened.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_first_types_are_all_still_defined():
    """0001 generates its CHECKs from these definitions: none may disappear."""
    assert set(FIRST_SURVEY_TYPES) <= set(SURVEYS)
