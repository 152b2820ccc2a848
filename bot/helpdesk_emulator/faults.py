"""Fault injection: make the next N matching calls fail the way a helpdesk API fails.

A fault with a ``status`` is answered without touching the helpdesk data (so a client
retry never writes twice); the body and headers are the vendor's own (a 429 carries that
vendor's rate-limit headers, see each vendor module). A fault with only a ``delay``
is a *slow* answer: the call is processed and its effect stored at once, but the reply
comes after the delay, so a client whose timeout is shorter sees a timeout although the
write happened: the case that makes a client write twice if it is not careful.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import asdict, dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from .state import VENDORS

FAULT_STATUSES = (400, 403, 404, 408, 409, 422, 429, 500, 502, 503, 504)
DEFAULT_RETRY_AFTER = 2  # seconds, on a 429 when none is given


@dataclass
class Fault:
    """One injected failure rule.

    ``vendor`` is a vendor name or ``"*"``; ``path`` a glob on the path below the
    vendor's prefix (``/api/v2/users/*``; ``*`` also matches ``/``); ``method`` an HTTP
    method or ``"*"``. ``times=None`` keeps failing until cleared. ``retry_after`` is
    announced on a 429 (default 2 s) and, when given, on a 503. ``delay`` waits before
    answering; with no ``status`` the call is then answered normally (see module doc).
    """

    vendor: str = "*"
    path: str = "*"
    status: int | None = None
    times: int | None = 1
    retry_after: int | None = None
    delay: float | None = None
    method: str = "*"
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    hits: int = 0

    def __post_init__(self) -> None:
        if self.vendor != "*" and self.vendor not in VENDORS:
            raise ValueError(f"unknown vendor {self.vendor!r}; expected '*' or one of {VENDORS}")
        if self.times is not None and int(self.times) < 1:
            raise ValueError("times must be >= 1, or None for 'until cleared'")
        if self.status is None and not self.delay:
            self.status = 500
        if self.status is not None:
            self.status = int(self.status)
            if self.status not in FAULT_STATUSES:
                raise ValueError(f"status must be one of {FAULT_STATUSES}")
        if self.status == 429 and self.retry_after is None:
            self.retry_after = DEFAULT_RETRY_AFTER
        self.times = None if self.times is None else int(self.times)
        self.delay = float(self.delay or 0.0)
        self.method = self.method.upper()
        if not self.path.startswith(("/", "*")):
            self.path = "/" + self.path

    @property
    def slow_only(self) -> bool:
        """A delay with no error status: the real answer, late."""
        return self.status is None

    def matches(self, vendor: str, method: str, path: str) -> bool:
        return (
            self.vendor in ("*", vendor)
            and self.method in ("*", method)
            and fnmatchcase(path, self.path)
        )

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

    def take(self, vendor: str, method: str, path: str) -> Fault | None:
        """Consume one use of the first matching fault (None: answer normally)."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(vendor, method, path):
                    fault.hits += 1
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    return fault
            return None
