"""``cxbot nlp`` commands through typer's CliRunner on ``nlp_app``."""

from __future__ import annotations

import csv
import importlib.util
import json

import pytest
from typer.testing import CliRunner

from bot.cli_nlp import nlp_app
from nlp.classify import load_default_model
from tests.nlp import small_data

runner = CliRunner()


@pytest.fixture(autouse=True)
def empty_cache(tmp_path, monkeypatch):
    """Point the cache at an empty folder so the shipped model is the default."""
    monkeypatch.setenv("CXBOT_MODEL_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CXBOT_THEMES", raising=False)
    load_default_model.cache_clear()
    yield
    load_default_model.cache_clear()


def write_csv(path, rows, header):
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_classify_json():
    result = runner.invoke(nlp_app, ["classify", "Refund took three weeks, awful", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["sentiment"] == "negative" and data["language"] == "en"
    assert "billing_pricing" in [t["theme"] for t in data["themes"]]


def test_classify_text_output_says_unthemed():
    result = runner.invoke(nlp_app, ["classify", "ok"])
    assert result.exit_code == 0
    assert "none (unthemed)" in result.output and "Sentiment: neutral" in result.output


def test_evaluate_json_with_binary_sentiment(tmp_path):
    path = write_csv(
        tmp_path / "eval.csv",
        [["Great support, thank you!", "positive"], ["Terrible, nobody answered", "negative"]],
        ["comment", "label"],
    )
    result = runner.invoke(
        nlp_app,
        ["evaluate", str(path), "--text-col", "comment", "--sentiment-col", "label", "--json"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert set(report["sentiment"]) >= {"accuracy", "macro_f1", "per_class"}
    assert report["sentiment"]["accuracy"] == 1.0 and "themes" not in report


def test_evaluate_tables(tmp_path):
    path = write_csv(
        tmp_path / "eval.csv",
        [["charged twice", "billing_pricing", "negative"], ["ok", "", "neutral"]],
        ["text", "themes", "sentiment"],
    )
    result = runner.invoke(nlp_app, ["evaluate", str(path)])
    assert result.exit_code == 0, result.output
    assert "Confusion matrix" in result.output and "Themes micro F1" in result.output


def corpus_rows(step: int = 24) -> list[list[str]]:
    """Every ``step``-th corpus row as CSV cells: text, ';'-joined themes, sentiment."""
    data = small_data(step=step)
    return [
        [t, ";".join(th), s]
        for t, th, s in zip(data.texts, data.themes, data.sentiments, strict=True)
    ]


def test_train_saves_then_keeps_a_worse_model_aside(tmp_path):
    rows = corpus_rows()
    good = write_csv(tmp_path / "good.csv", rows, ["text", "themes", "sentiment"])
    out = tmp_path / "model"
    first = runner.invoke(nlp_app, ["train", "--data", str(good), "--data-only", "--out", str(out)])
    assert first.exit_code == 0, first.output
    assert (out / "model.skops").exists() and "Saved model" in first.output
    assert "Per language" in first.output
    georgian = next(line for line in first.output.splitlines() if "│ ka " in line)
    ka = json.loads((out / "model.json").read_text())["cv"]["scores"]["per_language"]["ka"]
    assert f"{ka['sentiment_accuracy']:.4f}" in georgian
    scrambled = [[t, th, s] for (t, _, _), (_, th, s) in zip(rows, rows[::-1], strict=True)]
    bad = write_csv(tmp_path / "bad.csv", scrambled, ["text", "themes", "sentiment"])
    second = runner.invoke(nlp_app, ["train", "--data", str(bad), "--data-only", "--out", str(out)])
    assert second.exit_code == 1
    assert "Kept aside" in second.output and (out / "rejected").is_dir()


def test_train_with_embedding_weight_saves_a_model_that_uses_the_vectors(tmp_path):
    path = write_csv(tmp_path / "data.csv", corpus_rows(), ["text", "themes", "sentiment"])
    out = tmp_path / "model"
    args = ["train", "--data", str(path), "--data-only", "--out", str(out)]
    result = runner.invoke(nlp_app, [*args, "--embedding-weight", "0.5"])
    assert result.exit_code == 0, result.output
    info = json.loads((out / "model.json").read_text())
    assert info["features"] == {"embedding_weight": 0.5}
    classified = runner.invoke(nlp_app, ["classify", "refund please", "--model", str(out)])
    assert classified.exit_code == 0, classified.output


def test_embedding_weight_without_the_package_prints_the_install_hint(tmp_path, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "wordllama" else real(name, *a),
    )
    path = write_csv(tmp_path / "data.csv", corpus_rows(), ["text", "themes", "sentiment"])
    args = ["train", "--data", str(path), "--data-only", "--out", str(tmp_path / "model")]
    result = runner.invoke(nlp_app, [*args, "--embedding-weight", "1"])
    assert result.exit_code == 2
    assert "pip install 'cxbot[embeddings]'" in result.output  # brackets survive rich markup
    assert not (tmp_path / "model").exists()


def test_negative_embedding_weight_is_a_usage_error(tmp_path):
    result = runner.invoke(nlp_app, ["train", "--embedding-weight", "-1"])
    assert result.exit_code == 2 and "embedding-weight" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["evaluate", "/nonexistent/file.csv"],
        ["train", "--data", "/nonexistent/file.csv"],
        ["classify", "hi", "--model", "/nonexistent/model"],
    ],
)
def test_errors_are_one_line_with_exit_code_2(args):
    result = runner.invoke(nlp_app, args)
    assert result.exit_code == 2
    assert "error:" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_missing_text_column_is_reported(tmp_path):
    path = write_csv(tmp_path / "x.csv", [["a", "positive"]], ["body", "sentiment"])
    result = runner.invoke(nlp_app, ["evaluate", str(path)])
    assert result.exit_code == 2 and "no 'text' column" in result.output
