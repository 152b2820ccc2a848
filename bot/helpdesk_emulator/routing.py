"""What a vendor module declares: its routes, how it checks credentials, its error shape.

Handlers are plain functions ``(Request) -> Answer`` run under the state lock; the server
does auth, faults, recording and rate-limit headers around them, the same way for all
four vendors.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .state import HelpdeskState

if TYPE_CHECKING:
    from .emulator import HelpdeskEmulator

# (HTTP status, JSON-able body or None for an empty one, extra headers)
Answer = tuple[int, Any, dict[str, str]]
Handler = Callable[["Request"], Answer]


class BadJson(Exception):
    """The request body is not JSON; each vendor answers it 400 in its own shape."""


@dataclass
class Request:
    vendor: str
    method: str
    path: str  # below the vendor prefix, without the query
    query: dict[str, str]
    headers: Mapping[str, str]
    body: bytes
    emulator: HelpdeskEmulator
    params: dict[str, str] = field(default_factory=dict)  # named groups of the route

    @property
    def state(self) -> HelpdeskState:
        return self.emulator.state

    @property
    def base_url(self) -> str:
        return self.emulator.url(self.vendor)

    def json(self) -> Any:
        if not self.body.strip():
            return {}
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise BadJson(str(exc)) from exc

    def int_arg(self, name: str, default: int, *, low: int = 0, high: int = 10**6) -> int:
        """A paging argument; junk falls back to the default, out-of-range values clamp."""
        try:
            value = int(self.query.get(name, default))
        except ValueError:
            return default
        return max(low, min(high, value))


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


def route(method: str, pattern: str, handler: Handler) -> Route:
    """``pattern`` uses ``{name}`` for one path segment: ``/api/v2/users/{id}``."""
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
    return Route(method, re.compile(regex + r"\Z"), handler)


@dataclass(frozen=True)
class Vendor:
    """One helpdesk: routes plus the vendor-specific parts of every answer."""

    name: str
    routes: tuple[Route, ...]
    authorized: Callable[[Request], bool]
    error: Callable[[int, str], Any]  # (status, message) -> body in the vendor's shape
    rate_limit_headers: Callable[[HelpdeskEmulator, int | None, int], dict[str, str]]
    normalise_path: Callable[[str], str] = lambda path: path
    every_response_headers: Callable[[HelpdeskEmulator, int], dict[str, str]] = (
        lambda emulator, used: {}
    )

    def resolve(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for candidate in self.routes:
            found = candidate.pattern.match(path)
            if found and candidate.method == method:
                return candidate, found.groupdict()
        return None


def basic_credentials(headers: Mapping[str, str]) -> tuple[str, str] | None:
    """``Authorization: Basic base64(user:password)`` → (user, password), else None."""
    scheme, _, value = headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def bearer_token(headers: Mapping[str, str]) -> str | None:
    scheme, _, value = headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def reset_at(retry_after: int | None) -> float:
    return time.time() + (retry_after or 60)
