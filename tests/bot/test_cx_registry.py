"""The ``/cx`` registry: one declaration per subcommand, read by help, hints, access and answers."""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.blocks.metrics import help_blocks
from bot.cx.access import Viewer
from bot.cx.grammar import UsageError
from bot.cx.registry import SUBCOMMANDS, help_lines
from bot.cx.service import Answered, Denied, Invalid, Question, answer, parse_command, reply_for
from bot.cx.subcommand import Asked
from bot.cx.subcommands.scores import Score
from bot.mrkdwn import escape_mrkdwn
from storage.responses import ResponseRow, insert_responses
from storage.timestamps import to_db

UTC = ZoneInfo("UTC")


def asked_for(text: str, now, user: str = "U0ADMIN01", is_admin: bool = True) -> Question:
    subcommand, command = parse_command(text, UTC, now)
    return Question(subcommand, Asked(command, Viewer(user, is_admin), UTC, now))


def test_subcommands_are_listed_once_in_help_order():
    assert list(SUBCOMMANDS) == [
        "help", "nps", "csat", "ces", "trend", "themes", "comments", "agents", "teams",
        "customer", "at-risk", "ops", "digest",
    ]  # fmt: skip


@pytest.mark.parametrize("name", list(SUBCOMMANDS))
def test_each_usage_line_names_its_subcommand(name):
    spelled = SUBCOMMANDS[name].usage.split()[1]  # "nps|csat|ces" for the scores family
    assert SUBCOMMANDS[name].usage.startswith("/cx ") and name in spelled.split("|")


@pytest.mark.parametrize("name", list(SUBCOMMANDS))
def test_a_usage_hint_shows_the_registered_usage_line(name):
    assert str(UsageError("something was wrong", name)) == (
        f"something was wrong\nUsage: {SUBCOMMANDS[name].usage}"
    )


def test_a_hint_without_a_subcommand_points_to_help():
    assert str(UsageError("could not read it")) == "could not read it\nUsage: /cx help"


def test_help_has_every_usage_line_once_and_marks_admin_only_ones():
    text = json.dumps(help_blocks(help_lines()), ensure_ascii=False)
    for subcommand in SUBCOMMANDS.values():
        assert escape_mrkdwn(subcommand.usage) in text  # as Slack shows it (issue 16)
    assert text.count("/cx nps|csat|ces [period]") == 1  # a family sharing a usage: one line
    assert "`/cx agents [period] [nps|csat|ces]` — agent leaderboard (admins only)" in text
    assert "`/cx teams [period] [nps|csat|ces]` — team leaderboard\\n" in text


def test_an_unknown_subcommand_lists_every_registered_one(now):
    with pytest.raises(UsageError) as raised:
        parse_command("npx", UTC, now)
    assert raised.value.problem == f"unknown subcommand 'npx'; try one of: {', '.join(SUBCOMMANDS)}"


@pytest.mark.parametrize(
    "name", [n for n, s in SUBCOMMANDS.items() if s.parse is None and n != "help"]
)
def test_keys_outside_the_declared_ones_are_refused(name, now):
    with pytest.raises(UsageError) as raised:
        parse_command(f"{name} bogus=1", UTC, now)
    allowed = ", ".join(sorted(SUBCOMMANDS[name].keys))
    assert raised.value.problem == f"bogus= is not a filter of /cx {name} (allowed: {allowed})"


def test_only_the_declared_subcommands_are_for_admins():
    admins_only = {name for name, s in SUBCOMMANDS.items() if s.admin_only}
    assert admins_only == {"agents", "customer", "at-risk"}


def test_public_digest_is_a_digest_command(now):
    subcommand, command = parse_command("public digest list", UTC, now)
    assert subcommand.name == "digest" and command.action == "list" and command.public


def test_answering_returns_plain_data_and_rendering_builds_the_blocks(db, now):
    insert_responses(
        db,
        [
            ResponseRow("nps", score, to_db(now - timedelta(days=1, minutes=i)), ticket_ref=f"T{i}")
            for i, score in enumerate((10, 9, 3))
        ],
    )
    outcome = answer(db, asked_for("nps 30d", now))
    assert isinstance(outcome, Answered) and isinstance(outcome.data, Score)
    assert outcome.data.report.current.n == 3
    response_type, reply = reply_for(SUBCOMMANDS["nps"], outcome)
    assert response_type == "ephemeral" and reply.text == "NPS 33 (30d · all teams)"
    assert "NPS 33" in json.dumps(reply.blocks)


def test_access_and_bad_teams_are_decided_in_the_same_call(db, now):
    insert_responses(db, [ResponseRow("nps", 9, to_db(now - timedelta(days=1)), team="billing")])
    denied = answer(db, asked_for("agents 30d", now, user="U0NOBODY1", is_admin=False))
    assert (
        isinstance(denied, Denied) and "The agent leaderboard is for cxbot admins" in denied.reason
    )
    typo = answer(db, asked_for("nps team=biling", now))
    assert isinstance(typo, Invalid) and "teams: billing" in typo.message
    assert "Usage: /cx nps|csat|ces [period]" in typo.message
