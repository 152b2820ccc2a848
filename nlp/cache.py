"""Where cxbot keeps files it builds at run time (models, nltk data).

The caller names the folder it prefers (the bot passes its ``CXBOT_MODEL_DIR``
setting; ``nlp`` reads no environment); without one it is ``~/.cache/cxbot``.
If that cannot be written (read-only home in a container) a per-user folder
under the system temp dir is used instead, so classifying never fails just
because a cache is unavailable.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def cache_dir(preferred: Path | None = None) -> Path:
    """The writable cache folder, created if needed: ``preferred`` when it can be written."""
    candidates = [
        Path(preferred).expanduser() if preferred else Path.home() / ".cache" / "cxbot",
        Path(tempfile.gettempdir()) / f"cxbot-{os.getuid()}",
    ]
    for candidate in candidates:
        try:
            candidate.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(candidate, os.W_OK):
            return candidate
    raise OSError(f"no writable cache folder among {', '.join(map(str, candidates))}")


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` so that readers never see a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temp, 0o644)  # mkstemp makes 0600; models are not secrets
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
