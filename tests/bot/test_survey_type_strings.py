"""What the bot shows for each survey type follows its definition: strings, buttons, tone, charts.

Walks ``SURVEYS`` like tests/storage/test_survey_types.py, so a new type's
missing translations or a scale text that disagrees with its scale fail here.
"""

from __future__ import annotations

import pytest
import typer

from bot.blocks.survey import survey_blocks, tone
from bot.cli import app
from bot.cx.charts import axis_label
from bot.formatting import METRIC_NAMES, buckets_text, secondary_lines
from bot.i18n.messages import LANGUAGES, MESSAGES
from storage.formulas import summarize
from storage.survey_types import SURVEYS

NAMES = list(SURVEYS)


@pytest.mark.parametrize("name", NAMES)
def test_every_type_is_asked_and_explained_in_every_language(name):
    survey = SURVEYS[name]
    for key in (f"question_{name}", f"scale_{name}"):
        assert set(MESSAGES[key]) == set(LANGUAGES), key
    for language, scale_text in MESSAGES[f"scale_{name}"].items():
        # "0 = not at all likely · 10 = extremely likely": the ends named are the scale's
        assert scale_text.startswith(f"{survey.low} = "), language
        assert f" {survey.high} = " in scale_text, language


@pytest.mark.parametrize("name", NAMES)
def test_survey_offers_one_button_per_score(name):
    buttons = survey_blocks(7, name, "en", "T-1")[1]["elements"]
    assert [b["value"] for b in buttons] == [f"7:{score}" for score in SURVEYS[name].scale]


@pytest.mark.parametrize("name", NAMES)
def test_comment_prompt_follows_the_cut_offs(name):
    survey = SURVEYS[name]
    moods = {score: tone(name, score) for score in survey.scale}
    assert [s for s, mood in moods.items() if mood == "low"] == list(survey.buckets[0][1])
    assert [s for s, mood in moods.items() if mood == "high"] == list(survey.buckets[2][1])


def test_labels_and_bucket_order_come_from_the_definitions():
    assert METRIC_NAMES == {"nps": "NPS", "csat": "CSAT", "ces": "CES"}
    assert [axis_label(SURVEYS[n]) for n in ("nps", "csat", "ces")] == [
        "NPS",
        "CSAT %",
        "CES (1–7)",
    ]
    assert buckets_text(summarize("nps", {10: 1, 7: 1, 0: 2})) == (
        "Promoters 1 (25%) · Passives 1 (25%) · Detractors 2 (50%)"
    )


def test_cli_has_one_metric_command_per_type():
    metrics = typer.main.get_command(app).commands["metrics"].commands
    helps = {name: command.help.split(" for a period")[0] for name, command in metrics.items()}
    assert {name: helps[name] for name in SURVEYS} == {
        "nps": "Net Promoter Score (−100..100)",
        "csat": "Customer satisfaction (% of 4–5 answers)",
        "ces": "Customer effort score (mean of 1–7)",
    }


def test_secondary_lines_read_as_before():
    assert secondary_lines(summarize("csat", {5: 1, 4: 1})) == ["Mean 4.50 / 5"]
    assert secondary_lines(summarize("ces", {7: 1, 2: 1})) == ["Easy (5–7): 50%"]
    assert secondary_lines(summarize("nps", {10: 1})) == []
