"""Text crossing the Slack boundary: Slack's message format in, plain text stored, escaped out.

Slack sends a message's ``text`` with ``&``, ``<`` and ``>`` escaped and with
its own ``<…>`` codes for links and mentions. A customer's reply is stored as
the customer wrote it (what the classifier reads and an export shows), so it
is turned back into plain text on the way in; anything placed in mrkdwn on the
way out is escaped, so a comment holding ``<!channel>`` cannot ping a channel.
"""

from __future__ import annotations

import re

_CODE = re.compile(r"<([^<>]*)>")
_SPECIAL = {"channel", "here", "everyone"}


def escape_mrkdwn(text: str) -> str:
    """Slack's escaping for outside text placed in mrkdwn.

    Without it ``<!channel>`` in a comment pings the whole alert channel,
    ``<@U…>`` pings a person and ``<https://…|your invoice>`` is a disguised link.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape_mrkdwn(text: str) -> str:
    """What Slack shows for escaped text (terminal renderings, incoming messages)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def plain_from_slack(text: str) -> str:
    """A Slack message's ``text`` as its author typed it.

    ``<https://x.io|x.io>`` → ``x.io``; ``<https://x.io/a|the docs>`` →
    ``the docs (https://x.io/a)``; ``<mailto:a@b.c|a@b.c>`` → ``a@b.c``;
    ``<@U123|dana>`` → ``@dana``; ``<!here>`` → ``@here``; ``<#C1|general>`` →
    ``#general``; then ``&lt;`` ``&gt;`` ``&amp;`` back to ``<`` ``>`` ``&``.
    """
    return unescape_mrkdwn(_CODE.sub(lambda m: _decode(m.group(1)), text))


def _decode(code: str) -> str:
    target, _, label = code.partition("|")
    if target.startswith("@"):
        return f"@{label or target[1:]}"
    if target.startswith("#"):
        return f"#{label or target[1:]}"
    if target.startswith("!"):
        name = target[1:].split("^")[0]
        if label:
            return label if label.startswith("@") else f"@{label}"
        return f"@{name}" if name in _SPECIAL else f"<{code}>"
    address = target.removeprefix("mailto:")
    if not label:
        return address
    if label == address or target.endswith(label):
        return label
    return f"{label} ({address})"
