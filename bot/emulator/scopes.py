"""Which bot scope each Web API method needs, and which scopes the emulator's token holds.

The table is ``shared/slack.md`` §0 (Slack's method docs): a method lists the scopes any
one of which lets a bot call it, or none at all. The conversation methods whose scope
depends on the channel's type (``conversations.history``/``info``/``members``) map each
type to its scope instead. By default the token is granted exactly the bot scopes in
``manifest.yml``, so a scope the manifest forgets fails here the way it fails in Slack.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

MANIFEST = Path(__file__).parents[2] / "manifest.yml"

# method -> the scopes that each allow the call (any one is enough); () = no scope needed.
METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "auth.test": (),
    "chat.postMessage": ("chat:write",),
    "chat.update": ("chat:write",),
    "chat.delete": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.getPermalink": (),
    "conversations.open": ("im:write", "channels:manage", "groups:write", "mpim:write"),
    "conversations.join": ("channels:join",),
    "users.info": ("users:read",),
    "users.lookupByEmail": ("users:read.email",),
    "usergroups.users.list": ("usergroups:read",),
    "reactions.add": ("reactions:write",),
    "views.open": (),
    "views.push": (),
    "views.update": (),
    "views.publish": (),
    "files.getUploadURLExternal": ("files:write",),
    "files.completeUploadExternal": ("files:write",),
}

_HISTORY = {"public": "channels:history", "private": "groups:history"}
_HISTORY |= {"im": "im:history", "mpim": "mpim:history"}
_READ = {"public": "channels:read", "private": "groups:read", "im": "im:read", "mpim": "mpim:read"}
# method -> channel type -> the scope that type needs.
CHANNEL_SCOPES: dict[str, dict[str, str]] = {
    "conversations.history": _HISTORY,
    "conversations.info": _READ,
    "conversations.members": _READ,
}

# The slack_sdk method a bot calls -> the Web API method it sends (files_upload_v2 sends two;
# the first is enough to name its scope).
SDK_METHODS: dict[str, str] = {
    "files_upload_v2": "files.getUploadURLExternal",
}


def api_method(sdk_method: str) -> str:
    """``chat_postMessage`` -> ``chat.postMessage``, ``usergroups_users_list`` -> ``…users.list``."""
    return SDK_METHODS.get(sdk_method) or sdk_method.replace("_", ".")


def channel_type(channel: dict[str, Any]) -> str:
    """``public``, ``private``, ``im`` or ``mpim``: the key of ``CHANNEL_SCOPES``."""
    if channel.get("is_im"):
        return "im"
    if channel.get("is_mpim"):
        return "mpim"
    return "private" if channel.get("is_private") else "public"


def needed_scopes(method: str, channel: dict[str, Any] | None) -> tuple[str, ...]:
    """The scopes (any one) a call needs; () when none, or when the channel is unknown yet
    (the handler then answers ``channel_not_found`` as Slack does)."""
    by_type = CHANNEL_SCOPES.get(method)
    if by_type is None:
        return METHOD_SCOPES.get(method, ())
    return (by_type[channel_type(channel)],) if channel is not None else ()


def every_scope() -> frozenset[str]:
    """Every scope the table names: what a token is granted when no manifest is at hand."""
    scopes = {scope for scopes in METHOD_SCOPES.values() for scope in scopes}
    scopes |= {scope for by_type in CHANNEL_SCOPES.values() for scope in by_type.values()}
    return frozenset(scopes | {"chat:write.public", "commands"})


def manifest_scopes(path: Path = MANIFEST) -> tuple[str, ...]:
    """The ``oauth_config.scopes.bot`` list of the app manifest, in its order.

    Read line by line (the emulator ships without a YAML parser): the list items
    indented under ``bot:`` within ``scopes:``; a trailing ``# comment`` is dropped.
    """
    scopes: list[str] = []
    in_scopes, bot_indent = False, None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if bot_indent is not None:
            if indent <= bot_indent:
                break
            if line.strip().startswith("- "):
                scopes.append(line.strip()[2:].strip().strip("\"'"))
        elif line.strip() == "scopes:":
            in_scopes = True
        elif in_scopes and line.strip() == "bot:":
            bot_indent = indent
    return tuple(scopes)


def granted_scopes(scopes: Iterable[str] | None) -> tuple[str, ...]:
    """The token's scopes: those given, else the manifest's, else every scope the table knows."""
    if scopes is not None:
        return tuple(scopes)
    if MANIFEST.exists():
        return manifest_scopes()
    return tuple(sorted(every_scope()))
