"""Slack's Block Kit limits, met by truncating with "… and N more", never by failing."""

from __future__ import annotations

import re

from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject, SectionBlock

from bot.mrkdwn import escape_mrkdwn

MAX_BLOCKS = 50
MAX_TEXT = 3000
RLM = "\u200f"
_RTL = re.compile(r"[\u0590-\u05ff\u0600-\u06ff\u0750-\u077f\ufb1d-\ufdff\ufe70-\ufeff]")


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """Text within ``limit`` characters, saying how much was cut."""
    if len(text) <= limit:
        return text
    for room in range(limit - 30, 0, -1):
        tail = f"… and {len(text) - room} more characters"
        if room + len(tail) <= limit:
            return text[:room] + tail
    return text[:limit]


def directional(text: str) -> str:
    """Mark right-to-left text so Slack lays it out in reading order; the text itself is untouched."""
    return f"{RLM}{text}" if _RTL.search(text[:200]) else text


def quoted(text: str) -> str:
    """A customer's comment as a mrkdwn quote: escaped, every line quoted and marked for RTL."""
    return "\n".join(f"> {directional(escape_mrkdwn(line))}" for line in text.splitlines() or [""])


def section(text: str) -> dict:
    return SectionBlock(text=MarkdownTextObject(text=clip(text))).to_dict()


def context(text: str) -> dict:
    return ContextBlock(elements=[MarkdownTextObject(text=clip(text))]).to_dict()


def fit(blocks: list[dict], hidden: int = 0, noun: str = "more") -> list[dict]:
    """At most 50 blocks; what does not fit is counted in a last "… and N more" line."""
    if len(blocks) <= MAX_BLOCKS and not hidden:
        return blocks
    if len(blocks) > MAX_BLOCKS:
        hidden += len(blocks) - (MAX_BLOCKS - 1)
        blocks = blocks[: MAX_BLOCKS - 1]
    return [*blocks, context(f"… and {hidden:,} {noun}")]
