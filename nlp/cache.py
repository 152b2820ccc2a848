"""Where cxbot keeps files it builds at run time (models, nltk data).

``CXBOT_MODEL_DIR`` wins; otherwise ``$XDG_CACHE_HOME/cxbot`` or
``~/.cache/cxbot``. If that cannot be written (read-only home in a container)
a per-user folder under the system temp dir is used instead, so classifying
never fails just because a cache is unavailable.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def cache_dir() -> Path:
    """The writable cache folder, created if needed."""
    configured = os.environ.get("CXBOT_MODEL_DIR")
    if configured:
        candidates = [Path(configured).expanduser()]
    else:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        candidates = [Path(base) / "cxbot"]
    candidates.append(Path(tempfile.gettempdir()) / f"cxbot-{os.getuid()}")
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
