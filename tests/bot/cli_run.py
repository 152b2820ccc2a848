"""Run ``cxbot`` commands for tests: in-process through typer's CliRunner, or the installed script.

In-process is the default: starting the installed script costs about a second
of imports per call (3 s with the comment model), which made the CLI tests the
slowest files of the suite. The in-process run keeps what a fresh process
would give each call: its own working directory (``.env`` is read from it),
an environment without the developer's ``CXBOT_``/``SLACK_`` variables, a
200-column terminal, no comment model cached from an earlier call, and an
unexpected exception shown as a traceback on stderr with exit code 1.
``installed`` runs the real console script, for the tests whose point is
that the installed command works.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from bot.cli_output import err, out
from nlp.classify import load_default_model

CXBOT = Path(sys.executable).with_name("cxbot")
COLUMNS = 200


@dataclass(frozen=True)
class Ran:
    """What a test reads from a finished command, the same for both ways of running it."""

    returncode: int
    stdout: str
    stderr: str


def _environment(env: dict[str, str] | None) -> dict[str, str | None]:
    """Overrides for ``os.environ``: ``None`` unsets a variable for the call."""
    cleared: dict[str, str | None] = {
        name: None for name in os.environ if name.startswith(("CXBOT_", "SLACK_"))
    }
    return {**cleared, **(env or {}), "COLUMNS": str(COLUMNS)}


@contextlib.contextmanager
def _terminal_width(columns: int) -> Iterator[None]:
    """The CLI's consoles at ``columns`` wide for one call, as ``COLUMNS`` makes them in a new process.

    rich fixes a console's width when it is built and ``COLUMNS`` is set, and
    pytest-xdist workers run with ``COLUMNS=80``: the consoles, built at
    import, would stay 80 wide whatever the call's environment says.
    """
    consoles = (out, err)
    saved = [console._width for console in consoles]
    for console in consoles:
        console.width = columns
    try:
        yield
    finally:
        for console, width in zip(consoles, saved, strict=True):
            console._width = width


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Ran:
    """``cxbot *args`` in this process, as if started in ``cwd`` with ``env`` added."""
    load_default_model.cache_clear()  # a new process loads the model afresh (it may have changed)
    try:
        with contextlib.chdir(cwd), _terminal_width(COLUMNS):
            result = CliRunner().invoke(app, list(args), env=_environment(env))
    finally:
        load_default_model.cache_clear()
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert result.exc_info is not None
        stderr += "".join(traceback.format_exception(*result.exc_info))
    return Ran(result.exit_code, result.stdout, stderr)


def installed(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Ran:
    """``cxbot *args`` through the installed console script, in a new process."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CXBOT_", "SLACK_"))}
    base.update(env or {})
    base["COLUMNS"] = str(COLUMNS)
    result = subprocess.run(
        [str(CXBOT), *args], cwd=cwd, env=base, capture_output=True, text=True, timeout=120
    )
    return Ran(result.returncode, result.stdout, result.stderr)
