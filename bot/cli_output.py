"""The CLI's consoles and its one-line error, shared by ``cxbot`` and ``cxbot nlp``."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

out = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a one-line error (never a traceback) and return the exit to raise.

    The message is escaped: it often quotes input (paths, CSV cells, column
    names, install hints such as ``cxbot[embeddings]``), and rich would take
    anything in square brackets for markup and drop it.
    """
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)
