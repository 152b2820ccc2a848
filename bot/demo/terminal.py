"""Block Kit rendered readably in a terminal: what Slack would show, without Slack."""

from __future__ import annotations

import re

from rich.panel import Panel
from rich.text import Text

from bot.mrkdwn import unescape_mrkdwn

_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")
_MENTION = re.compile(r"<[@#]([A-Z0-9]+)(?:\|([^>]+))?>")


EMOJI = {
    ":rotating_light:": "🚨", ":chart_with_downwards_trend:": "📉", ":warning:": "⚠️", ":lock:": "🔒",
    ":raising_hand:": "🙋", ":white_check_mark:": "✅",
}  # fmt: skip


def plain(mrkdwn: str) -> str:
    """Slack mrkdwn → plain text: links show their label, mentions their name or id."""
    for code, emoji in EMOJI.items():
        mrkdwn = mrkdwn.replace(code, emoji)
    text = _LINK.sub(r"\2", mrkdwn)
    text = _MENTION.sub(lambda m: "@" + (m.group(2) or m.group(1)), text)
    return unescape_mrkdwn(text.replace("\u200f", ""))


def _styled(mrkdwn: str) -> Text:
    out = Text()
    for part in re.split(r"(\*[^*\n]+\*)", plain(mrkdwn)):
        if part.startswith("*") and part.endswith("*") and len(part) > 2:
            out.append(part[1:-1], style="bold")
        else:
            out.append(part)
    return out


def block_lines(blocks: list[dict]) -> list[Text]:
    lines: list[Text] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "section" and block.get("text"):
            lines.append(_styled(block["text"]["text"]))
        elif kind == "context":
            lines.append(
                Text(
                    " · ".join(plain(e.get("text", "")) for e in block.get("elements", [])),
                    style="dim",
                )
            )
        elif kind == "actions":
            buttons = "  ".join(
                f"[ {e['text']['text']} ]"
                for e in block.get("elements", [])
                if e.get("type") == "button"
            )
            lines.append(Text(buttons, style="cyan"))
        elif kind == "header":
            lines.append(Text(block["text"]["text"], style="bold underline"))
    return lines


def message_panel(title: str, blocks: list[dict], fallback: str = "") -> Panel:
    lines = block_lines(blocks) or [Text(plain(fallback))]
    body = Text("\n").join(lines)
    return Panel(
        body, title=title, title_align="left", border_style="blue", expand=False, width=100
    )
