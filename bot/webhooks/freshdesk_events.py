"""Freshdesk's ``{{triggered_event}}`` placeholder and its status numbers.

The placeholder renders as pseudo-JSON with unquoted keys and values, e.g.
``{status:{from:4,to:5}}``, ``{ticket_action:created}``, ``{priority:{from:1,to:3}}``
(helpdesks.md §2.2): ``json.loads`` refuses it, so it is read here by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

# Built-in statuses (helpdesks.md §2.3); accounts add custom ones numbered 6 and up.
STATUS_NAMES = {2: "Open", 3: "Pending", 4: "Resolved", 5: "Closed"}
STATUS_NUMBERS = {name.lower(): number for number, name in STATUS_NAMES.items()}
DONE = frozenset({4, 5})
OPEN = frozenset({2, 3})
MAX_DEPTH = 4

Tree = dict[str, "str | Tree"]


class _Unreadable(ValueError):
    pass


@dataclass(frozen=True)
class StatusChange:
    """``{status:{from:A,to:B}}``; a side is None when it is missing or not a status."""

    before: int | None
    after: int | None


def parse_triggered_event(text: str | None) -> Tree | None:
    """``{status:{from:4,to:5}}`` as ``{"status": {"from": "4", "to": "5"}}``; None if unreadable.

    Unreadable (an unrendered ``{{triggered_event}}``, free text) is not an error:
    the caller falls back on ``ticket_status``.
    """
    if not text:
        return None
    reader = _Reader(text.strip())
    try:
        tree = reader.object(0)
        reader.skip_space()
        if reader.at < len(reader.text):
            raise _Unreadable("trailing text")
    except _Unreadable:
        return None
    return tree


def status_number(value: str | None) -> int | None:
    """``"4"`` or ``"Resolved"`` (any case) as 4; custom names (no number known) are None."""
    if value is None:
        return None
    value = value.strip().strip("\"'")
    if value.isdigit():
        return int(value)
    return STATUS_NUMBERS.get(value.lower())


def status_label(number: int | None) -> str:
    if number is None:
        return "an unknown status"
    name = STATUS_NAMES.get(number)
    return f"{number} ({name})" if name else f"custom status {number}"


def status_change(tree: Tree) -> StatusChange | None:
    """The status change the event describes, or None when it describes something else."""
    change = tree.get("status")
    if not isinstance(change, dict):
        return None
    before, after = change.get("from"), change.get("to")
    return StatusChange(
        status_number(before) if isinstance(before, str) else None,
        status_number(after) if isinstance(after, str) else None,
    )


def describe(tree: Tree) -> str:
    """A short text of a non-status event for the 'ignored' reason, e.g. ``priority 1 → 3``."""
    parts = []
    for key, value in tree.items():
        if isinstance(value, dict) and {"from", "to"} <= value.keys():
            parts.append(f"{key} {value['from']} → {value['to']}")
        elif isinstance(value, str):
            parts.append(f"{key} {value}")
        else:
            parts.append(key)
    return ", ".join(parts) or "an empty event"


class _Reader:
    """A tiny recursive-descent reader: ``{key:value,key:{...}}``, values up to ``,`` or ``}``."""

    def __init__(self, text: str):
        self.text = text
        self.at = 0

    def skip_space(self) -> None:
        while self.at < len(self.text) and self.text[self.at].isspace():
            self.at += 1

    def expect(self, char: str) -> None:
        self.skip_space()
        if self.at >= len(self.text) or self.text[self.at] != char:
            raise _Unreadable(f"expected {char!r} at {self.at}")
        self.at += 1

    def peek(self) -> str:
        self.skip_space()
        return self.text[self.at] if self.at < len(self.text) else ""

    def word(self, stops: str) -> str:
        start = self.at
        while self.at < len(self.text) and self.text[self.at] not in stops:
            self.at += 1
        word = self.text[start : self.at].strip().strip("\"'")
        if not word:
            raise _Unreadable(f"empty word at {start}")
        return word

    def object(self, depth: int) -> Tree:
        if depth > MAX_DEPTH:
            raise _Unreadable("nested too deeply")
        self.expect("{")
        tree: Tree = {}
        if self.peek() == "}":
            self.at += 1
            return tree
        while True:
            key = self.word(":,{}")
            self.expect(":")
            tree[key] = self.object(depth + 1) if self.peek() == "{" else self.word(",{}")
            if self.peek() == ",":
                self.at += 1
                continue
            self.expect("}")
            return tree
