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
