"""Shared fixtures: a real SQLite file per test, a fixed clock, no proxies."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storage.db import open_db

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
