"""Fault injection: make the next N matching calls fail the way Slack can fail.

A faulted call is answered without touching the workspace state, so a client retry
after a fault never produces a duplicate message.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import asdict, dataclass, field
from fnmatch import fnmatchcase
from typing import Any

# mode -> (default HTTP status, default error string)
MODES: dict[str, tuple[int, str]] = {
    "error": (500, "internal_error"),
    "timeout": (504, "request_timeout"),
    "ratelimit": (429, "ratelimited"),
    "slack_error": (200, "fatal_error"),
}
# Longer than slack_sdk's default 30 s client timeout, so "timeout" times out any client.
DEFAULT_TIMEOUT_DELAY = 35.0


@dataclass
class Fault:
    """One injected failure rule.

    ``method`` is a Web API method name or glob ("*", "chat.*"); the pseudo-methods
    ``upload`` (file upload URL) and ``response_url`` can be faulted too.
    ``count=None`` keeps failing until the fault is cleared. ``delay`` is seconds to
    wait before answering ("timeout" defaults to longer than any sane client timeout).
    """

    method: str = "*"
    mode: str = "error"
    status: int | None = None
    count: int | None = None
    error: str | None = None
    retry_after: int = 1
    delay: float | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    hits: int = 0

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"unknown fault mode {self.mode!r}; expected one of {sorted(MODES)}")
        if self.count is not None and self.count < 1:
            raise ValueError("count must be >= 1, or None for 'until cleared'")
        default_status, default_error = MODES[self.mode]
        self.status = default_status if self.status is None else int(self.status)
        self.error = self.error or default_error
        if self.delay is None:
            self.delay = DEFAULT_TIMEOUT_DELAY if self.mode == "timeout" else 0.0
        self.retry_after = int(self.retry_after)

    def matches(self, method: str) -> bool:
        return fnmatchcase(method, self.method)

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.error}

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.mode == "ratelimit" else {}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class FaultBook:
    """Thread-safe ordered list of active faults; the first match wins."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def list(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def take(self, method: str) -> Fault | None:
        """Consume one use of the first fault matching ``method`` (None: answer normally)."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method):
                    fault.hits += 1
                    if fault.count is not None:
                        fault.count -= 1
                        if fault.count <= 0:
                            self._faults.remove(fault)
                    return fault
            return None
