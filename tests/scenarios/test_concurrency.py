"""`cxbot import` of 100,000 rows while the server takes webhooks and answers /cx: nothing locked, nothing lost."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import threading
from pathlib import Path

from storage.db import open_db
from tests.scenarios.harness import RunningServer, slash

BENCH = Path(__file__).parents[2] / "bench" / "import_bench.py"


def write_history(path: Path, rows: int) -> None:
    spec = importlib.util.spec_from_file_location("import_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write_csv(path, rows)


def test_import_while_serving(settings_for, emulator, tmp_path):
    settings = settings_for(survey_delay="1h")
    csv_path = tmp_path / "history.csv"
    write_history(csv_path, 100_000)
    running = RunningServer(settings).start()
    statuses: list[int] = []
    answers: list[str] = []

    def traffic() -> None:
        for i in range(120):
            statuses.append(
                running.webhook(
                    {
                        "event": "ticket.closed",
                        "ticket_id": f"W{i}",
                        "customer": {"slack_user_id": "U0ENGLISH"},
                        "survey": "nps" if i % 2 else "ces",
                    }
                ).status
            )
            if i % 6 == 0:
                reply = running.slack(
                    slash("nps 30d", "U01ALICE", emulator.response_url()),
                    "application/x-www-form-urlencoded",
                )
                answers.append(reply.json().get("text", ""))

    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    try:
        importer = subprocess.Popen(
            [sys.executable, "-m", "bot", "import", str(csv_path), "--db", settings.db_path],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        sender = threading.Thread(target=traffic)
        sender.start()
        out, err = importer.communicate(timeout=240)
        sender.join(240)
    finally:
        running.stop()
    assert importer.returncode == 0, err
    assert "Imported 100,000 new answers" in out
    assert "locked" not in err.lower()
    assert statuses == [202] * 120
    assert len(answers) == 20 and all(a.startswith("NPS") for a in answers)
    db = open_db(settings.db_path)
    assert (
        db.execute("SELECT count(*) FROM responses WHERE source = 'import'").fetchone()[0]
        == 100_000
    )
    assert db["surveys"].count == 120 and db["webhook_events"].count == 120
