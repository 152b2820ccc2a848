"""Settings written only in ``.env`` reach every surface: the server's and the CLI's.

The bug this guards: with ``CXBOT_THEMES`` only in ``.env``, detractor alerts
showed the team's theme label while ``/cx themes``, ``/cx comments`` and the
App Home showed the default one, because the renderers read ``os.environ``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from bot.cli_nlp import nlp_app
from storage.alerts import queue_alert
from storage.db import open_db
from tests.scenarios.harness import RunningServer, slash
from tests.scenarios.test_cx_commands import ADMIN, PERSIAN, seed

ALERTS = "C0ALERTS1"
OURS = "Speed of our replies"  # the team's label for the default theme response_speed


@pytest.fixture
def dotenv(tmp_path, monkeypatch):
    """Write ``.env`` in the working directory (settings_for's tmp_path) with nothing in os.environ."""
    for name in ("CXBOT_THEMES", "CXBOT_MODEL_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)

    def write(**settings: str) -> None:
        lines = [f"{name}={value}" for name, value in settings.items()]
        (tmp_path / ".env").write_text("\n".join(lines) + "\n", encoding="utf-8")

    return write


def themes_file(tmp_path, themes: dict, extends: bool = True) -> str:
    path = tmp_path / "our-themes.json"
    path.write_text(json.dumps({"extends": extends, "themes": themes}), encoding="utf-8")
    return str(path)


@pytest.fixture
def relabelled(tmp_path, dotenv, settings_for, emulator):
    """The real server, its settings read with CXBOT_THEMES only in .env."""
    speed = {"label": OURS, "description": "How fast we answer.", "seeds": {"en": ["reply"]}}
    dotenv(CXBOT_THEMES=themes_file(tmp_path, {"response_speed": speed}))
    settings = settings_for(admins=ADMIN, alert_channel=ALERTS)
    assert settings.themes_path == str(tmp_path / "our-themes.json")
    seed(settings.db_path)
    running = RunningServer(settings).start()

    def cx(text: str) -> str:
        reply = running.slack(
            slash(text, ADMIN, emulator.response_url()), "application/x-www-form-urlencoded"
        )
        assert reply.status == 200, reply.body
        return json.dumps(reply.json().get("blocks", []), ensure_ascii=False)

    cx.server = running  # type: ignore[attr-defined]
    yield cx
    running.stop()


def test_cx_themes_uses_the_label_from_dotenv(relabelled):
    body = relabelled("themes 30d")
    assert f"{OURS}* — 3 comments (60%)" in body
    assert "Response speed" not in body


def test_cx_comments_uses_the_label_from_dotenv(relabelled):
    body = relabelled("comments limit=10")
    assert OURS in body and "Response speed" not in body


def test_app_home_uses_the_label_from_dotenv(relabelled, emulator):
    event = {"type": "app_home_opened", "user": ADMIN, "channel": "D0HOME", "tab": "home"}
    assert relabelled.server.event(event, "EvHomeDotenv").status == 200
    view = json.dumps(emulator.wait_for("views.publish")["params"]["view"], ensure_ascii=False)
    assert f"{OURS} — 3 comments" in view and "Response speed" not in view


def test_detractor_alert_uses_the_label_from_dotenv(relabelled, emulator):
    db = open_db(relabelled.server.settings.db_path)
    [response_id] = [
        row[0] for row in db.execute("SELECT id FROM responses WHERE comment = ?", [PERSIAN])
    ]
    queue_alert(db, response_id, ALERTS, datetime.now(UTC))
    db.close()
    alert = emulator.wait_for("chat.postMessage", lambda c: c["params"]["channel"] == ALERTS)
    text = json.dumps(alert["params"]["blocks"], ensure_ascii=False)
    assert "Themes: " in text and OURS in text and "Response speed" not in text


def test_cli_takes_the_taxonomy_and_model_folder_from_dotenv(tmp_path, dotenv):
    onboarding = {"label": "Onboarding", "seeds": {"en": ["setup call"]}}
    models = tmp_path / "models"
    dotenv(
        CXBOT_THEMES=themes_file(tmp_path, {"onboarding": onboarding}),
        CXBOT_MODEL_DIR=str(models),
    )
    result = CliRunner().invoke(nlp_app, ["classify", "The setup call was a mess", "--json"])
    assert result.exit_code == 0, result.output
    assert "onboarding" in [t["theme"] for t in json.loads(result.output)["themes"]]
    assert (models / "nltk_data" / "sentiment" / "vader_lexicon.zip").is_file()
