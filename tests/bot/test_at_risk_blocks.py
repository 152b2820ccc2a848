"""The at-risk list says how many customers there are when it shows only the worst."""

from __future__ import annotations

import json

from bot.blocks.metrics import at_risk_blocks
from storage.customers import AtRisk, CustomerAnswer


def _risk(n: int) -> AtRisk:
    latest = CustomerAnswer("nps", 2, None, "2026-11-20T10:00:00Z", f"T{n}", None)
    return AtRisk(f"c{n}@example.com", "2 detractor answers in 30d", latest, 2, 2.0)


def test_header_counts_all_and_says_when_only_the_worst_are_shown():
    risks = [_risk(n) for n in range(3)]
    assert "(3)" in json.dumps(at_risk_blocks(risks, "30d"))
    shown = json.dumps(at_risk_blocks(risks[:2], "30d", total=3))
    assert "(2 most severe of 3)" in shown and "c2@example.com" not in shown
