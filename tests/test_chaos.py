"""A shorter crash test (bench/chaos.py runs the full 1,000 webhooks): SIGKILLs lose nothing."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).parents[1] / "bench" / "chaos.py"


def load_chaos():
    spec = importlib.util.spec_from_file_location("chaos", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["chaos"] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


def test_kills_lose_no_webhook_no_survey_no_response():
    figures = load_chaos().run_chaos(webhooks=150, kills=2, seed=7, log=lambda _: None)
    assert figures.kills == 4  # two while sending, two while clicking
    assert len(figures.accepted) == 150
    assert figures.undelivered == []
    assert figures.delivered == 150
    assert figures.doubles == 0
    assert len(figures.clicks_ok) >= 140 and figures.lost_responses == 0
