"""`cxbot nlp` wired to a real database: in-process, and once through the installed entry point."""

from __future__ import annotations

import csv
import json

import pytest

from storage.alerts import correct_labels
from storage.db import open_db
from storage.responses import ResponseRow, insert_responses
from storage.timestamps import to_db
from tests.bot.cli_run import installed, run
from tests.conftest import NOW

VAGUE = ["ok", "ok thanks", "fine", "fine I guess", "meh", "meh, fine", "nothing to add", "nothing else to add",
         "good", "good thanks", "all good", "thanks", "thank you", "n/a", "na"]  # fmt: skip


@pytest.fixture
def env(tmp_path):
    return {"CXBOT_MODEL_DIR": str(tmp_path / "models")}


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "nlp.db"
    db = open_db(path)
    rows = [
        ResponseRow(
            "csat",
            1,
            to_db(NOW),
            ticket_ref="R1",
            comment="Refund took three weeks and nobody answered my emails",
        )
    ]
    rows += [
        ResponseRow("nps", 8, to_db(NOW), ticket_ref=f"V{i}", comment=text)
        for i, text in enumerate(VAGUE)
    ]
    insert_responses(db, rows)
    db.close()
    return path


def test_classify_json_through_the_entry_point(tmp_path, env):
    result = installed(
        "nlp", "classify", "חיכיתי שבוע ואף אחד לא חזר אליי. מאכזב", "--json", cwd=tmp_path, env=env
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["language"] == "he" and data["sentiment"] == "negative" and data["model_version"]


def test_reclassify_labels_every_stored_comment(tmp_path, env, db_path):
    result = run("nlp", "reclassify", "--db", str(db_path), cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "Relabelled 16 comments" in result.stdout
    db = open_db(db_path)
    assert db["classifications"].count == 16
    refund = db.execute(
        "SELECT c.sentiment FROM classifications c JOIN responses r ON r.id = c.response_id WHERE r.ticket_ref = 'R1'"
    ).fetchone()
    assert refund == ("negative",)
    assert {"billing_pricing", "response_speed"} & {
        r[0] for r in db.execute("SELECT theme FROM comment_themes")
    }
    bad = run(
        "nlp", "reclassify", "--period", "someday", "--db", str(db_path), cwd=tmp_path, env=env
    )
    assert bad.returncode == 2 and "unknown period" in bad.stderr


def test_discover_proposes_themes_from_unthemed_comments(tmp_path, env, db_path):
    run("nlp", "reclassify", "--db", str(db_path), cwd=tmp_path, env=env)
    result = run(
        "nlp", "discover", "--db", str(db_path), "--period", "all", "--json", cwd=tmp_path, env=env
    )
    assert result.returncode == 0, result.stderr
    candidates = json.loads(result.stdout)
    assert candidates and all(c["terms"] and c["examples"] for c in candidates)
    assert set(VAGUE) >= {e for c in candidates for e in c["examples"]}


def test_train_includes_stored_corrections(tmp_path, env, db_path):
    db = open_db(db_path)
    for i, response_id in enumerate(
        r[0] for r in db.execute("SELECT id FROM responses ORDER BY id LIMIT 6")
    ):
        correct_labels(
            db,
            response_id,
            ["communication"] if i % 2 else [],
            "negative" if i % 2 else "neutral",
            "U0MGR",
            NOW,
        )
    db.close()
    data = tmp_path / "small.csv"
    with data.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "themes", "sentiment"])
        for i in range(40):
            writer.writerow(
                [f"nobody kept me updated about order {i}", "communication", "negative"]
                if i % 2
                else [f"all fine with order {i}", "", "positive"]
            )
    out = tmp_path / "model"
    result = run(
        "nlp",
        "train",
        "--data",
        str(data),
        "--data-only",
        "--include-corrections",
        "--db",
        str(db_path),
        "--out",
        str(out),
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "Including 6 stored label corrections" in result.stdout
    info = json.loads((out / "model.json").read_text())
    assert info["training_data"]["rows"] == 46
