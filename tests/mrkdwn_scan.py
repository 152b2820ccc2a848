"""Finds text cxbot sends to Slack that Slack would misread as mrkdwn control codes.

In mrkdwn ``<``, ``>`` and ``&`` are control characters: ``<email|@user>`` in a
help line is read as a link, ``< 1h`` may swallow the text after it, and a
helpdesk's ticket id or name can carry any of them. Everything cxbot sends must
hold them only as Slack codes or entities. The root ``conftest`` runs this on
every message, ephemeral, view and response_url post the test suite sends to a
Slack emulator, and on what the app answers Slack's own requests (``ack``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

#: Slack codes a message may hold on purpose: mentions, channel links, special mentions,
#: user groups, dates, links (page_formatting in ../shared/slack.md §7).
_CODES = re.compile(
    r"<(?:@[UW][A-Z0-9]+|#C[A-Z0-9]+|!(?:here|channel|everyone)|!subteam\^S[A-Z0-9]+"
    r"|!date\^\d+\^[^<>|]+|(?:https?|mailto):[^<>|\s]+)(?:\|[^<>]*)?>"
)
_ENTITIES = re.compile(r"&(?:amp|lt|gt);")
_QUOTE = re.compile(r"^\u200f?>", re.MULTILINE)  # a block quote: ">" opening a line
#: Methods whose payloads are shown to people as mrkdwn.
SENT = {
    "chat.postMessage", "chat.update", "chat.postEphemeral", "chat.scheduleMessage",
    "views.open", "views.update", "views.push", "views.publish", "response_url", "ack",
}  # fmt: skip


def unescaped(text: str) -> list[str]:
    """The stray ``<``, ``>`` and ``&`` in mrkdwn ``text``, each with a little context."""
    cleaned = _QUOTE.sub("", _ENTITIES.sub("", _CODES.sub("", text)))
    return [cleaned[max(i - 20, 0) : i + 20] for i, c in enumerate(cleaned) if c in "<>&"]


def _decoded(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def mrkdwn_texts(node: Any) -> Iterator[str]:
    """Every mrkdwn text object's text in blocks, a view or a nested payload."""
    node = _decoded(node)
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str):
            yield node["text"]
        for key, value in node.items():
            if key != "text" or isinstance(value, dict | list):
                yield from mrkdwn_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from mrkdwn_texts(item)


def sent_texts(call: dict[str, Any]) -> Iterator[str]:
    """The mrkdwn a recorded emulator call shows: its top-level ``text`` and its blocks."""
    params = call.get("params") or {}
    if call.get("method") in ("response_url", "ack"):
        params = params.get("body") if isinstance(params.get("body"), dict) else {}
    if isinstance(params.get("text"), str) and str(params.get("mrkdwn", "true")) not in (
        "false",
        "0",
    ):
        yield params["text"]
    for key in ("blocks", "view", "attachments"):
        if key in params:
            yield from mrkdwn_texts(params[key])


def problems(calls: list[dict[str, Any]]) -> list[str]:
    """One line per sent text holding unescaped ``<``, ``>`` or ``&``."""
    found = []
    for call in calls:
        if call.get("method") not in SENT:
            continue
        for text in sent_texts(call):
            if stray := unescaped(text):
                found.append(f"{call['method']}: {stray[0]!r} in {text[:200]!r}")
    return found
