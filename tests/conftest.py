"""Shared fixtures: a real SQLite file per test, a fixed clock, no proxies."""

from __future__ import annotations

import os
from datetime import UTC, datetime

# One BLAS thread per test process, set before numpy loads. `pytest -n 2` runs
# two workers on two cores; with OpenBLAS starting a thread per core in each,
# its spinning threads starved one another and the training tests ran 5-20x
# slower (tests/nlp: 94 s -> 16 s). Subprocesses the tests start inherit it.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import pytest  # noqa: E402

from storage.db import open_db  # noqa: E402

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # a Monday


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # slack_sdk ignores NO_PROXY; every test talks to 127.0.0.1 only.
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "http_proxy",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "cxbot.db"


@pytest.fixture
def db(db_path):
    handle = open_db(db_path)
    yield handle
    handle.close()


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture(autouse=True)
def _mrkdwn_is_escaped(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    """Every message, view, response and acknowledgement the test sends to Slack holds ``<``, ``>``
    and ``&`` only as Slack codes or entities (issue 16). A test that posts raw text itself,
    to test the emulator, is marked ``raw_slack_text``."""
    from bot.emulator.state import SlackState
    from tests.mrkdwn_scan import problems

    calls: list[dict] = []
    record = SlackState.record_call

    def recording(state: SlackState, call: dict) -> None:
        calls.append(call)
        record(state, call)

    monkeypatch.setattr(SlackState, "record_call", recording)
    _record_acks(monkeypatch, calls)
    yield
    if request.node.get_closest_marker("raw_slack_text") is None and (found := problems(calls)):
        pytest.fail("unescaped mrkdwn sent to Slack:\n" + "\n".join(found), pytrace=False)


def _record_acks(monkeypatch: pytest.MonkeyPatch, calls: list[dict]) -> None:
    """What the running app answers Slack over HTTP (a slash command's ack) is shown too."""
    import json

    from tests.scenarios.harness import RunningServer

    send = RunningServer.slack

    def answered(server: RunningServer, *args, **kwargs):
        reply = send(server, *args, **kwargs)
        try:
            body = json.loads(reply.body) if reply.body else None
        except ValueError:
            body = None
        if isinstance(body, dict):
            calls.append({"method": "ack", "params": {"body": body}})
        return reply

    monkeypatch.setattr(RunningServer, "slack", answered)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "raw_slack_text: the test posts unescaped text to the emulator on purpose"
    )
