"""Web API method implementations.

Each handler receives the shared ``SlackState`` and the decoded arguments and returns
the response fields (``ok`` is added by the server). Failures raise ``SlackError`` with
the error string real Slack uses, so the handlers read as a list of Slack's checks.
Handlers run with ``state.lock`` held, which makes each call atomic.
"""

from __future__ import annotations

import mimetypes
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .state import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    BOT_USER_NAME,
    TEAM_ID,
    TEAM_NAME,
    USER_ID,
    SlackState,
    public_file,
)

Args = dict[str, Any]
Result = dict[str, Any]
Handler = Callable[[SlackState, Args], Result]


class SlackError(Exception):
    """Answer HTTP 200 ``{"ok": false, "error": <error>}``."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass(frozen=True)
class Method:
    handler: Handler
    writes: bool  # whether a success must be persisted to the state file
    app_token: bool = False  # takes the app-level token (xapp-…), not the bot token


METHODS: dict[str, Method] = {}


def api(
    name: str, *, writes: bool = False, app_token: bool = False
) -> Callable[[Handler], Handler]:
    """Register a handler under its Web API method name."""

    def register(handler: Handler) -> Handler:
        METHODS[name] = Method(handler, writes, app_token)
        return handler

    return register


def _need(args: Args, key: str, error: str = "invalid_arguments") -> Any:
    value = args.get(key)
    if value is None or value == "" or value == [] or value == {}:
        raise SlackError(error)
    return value


def _channel(state: SlackState, args: Args) -> str:
    channel = state.resolve_channel(args.get("channel"))
    if channel is None:
        raise SlackError("channel_not_found")
    return channel


def _member_channel(state: SlackState, args: Args, *, public_ok: bool = False) -> str:
    """The channel, if the bot may act in it (slack.md §4): a member may; elsewhere a private
    channel or another's DM is invisible (``channel_not_found``) and a public one answers
    ``not_in_channel`` unless ``public_ok`` (``chat:write.public`` for posting)."""
    channel = _channel(state, args)
    if state.is_member(channel):
        return channel
    info = state.channels[channel]
    if info.get("is_private") or info.get("is_im") or info.get("is_mpim"):
        raise SlackError("channel_not_found")
    if public_ok:
        return channel
    raise SlackError("not_in_channel")


def _may_post_publicly(state: SlackState) -> bool:
    return "chat:write.public" in state.scopes


def _message(state: SlackState, channel: str, ts: Any) -> dict[str, Any]:
    message = state.find_message(channel, str(ts)) if ts else None
    if message is None:
        raise SlackError("message_not_found")
    return message


def _content(args: Args) -> dict[str, Any]:
    """The message body fields; Slack refuses a message with none of text/blocks/attachments."""
    if not any(args.get(key) for key in ("text", "blocks", "attachments")):
        raise SlackError("no_text")
    for key in ("blocks", "attachments"):
        if key in args and not isinstance(args[key], list):
            raise SlackError(f"invalid_{key}")
    fields = ("text", "blocks", "attachments", "thread_ts", "metadata", "reply_broadcast")
    content = {key: args[key] for key in fields if args.get(key) is not None}
    content.setdefault("text", "")
    return content


def _full_view(state: SlackState, view_id: str, view: Any) -> dict[str, Any]:
    """The view as Slack echoes it back: the caller's fields plus server-assigned ones."""
    if not isinstance(view, dict) or "type" not in view:
        raise SlackError("invalid_arguments")
    return {
        **view,
        "id": view_id,
        "team_id": TEAM_ID,
        "app_id": APP_ID,
        "bot_id": BOT_ID,
        "state": {"values": {}},
        "hash": state.next_ts(),
        "root_view_id": view_id,
        "previous_view_id": None,
    }


# ---- auth / chat -----------------------------------------------------------
@api("auth.test")
def auth_test(state: SlackState, args: Args) -> Result:
    return {
        "url": state.root_url,
        "team": TEAM_NAME,
        "team_id": TEAM_ID,
        "user": BOT_USER_NAME,
        "user_id": BOT_USER_ID,
        "bot_id": BOT_ID,
        "is_enterprise_install": False,
    }


@api("apps.connections.open", app_token=True)
def apps_connections_open(state: SlackState, args: Args) -> Result:
    """The WebSocket URL a Socket Mode app connects to (``SlackEmulator.enable_socket_mode``)."""
    if state.socket_url is None:
        raise SlackError("socket_mode_not_enabled")
    return {"url": state.socket_url}


@api("chat.postMessage", writes=True)
def chat_post_message(state: SlackState, args: Args) -> Result:
    channel = _member_channel(state, args, public_ok=_may_post_publicly(state))
    content = _content(args)
    message = {
        "type": "message",
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        "app_id": APP_ID,
        "team": TEAM_ID,
        **content,
        "ts": state.next_ts(),
    }
    state.store_message(channel, message)
    return {"channel": channel, "ts": message["ts"], "message": message}


@api("conversations.history")
def conversations_history(state: SlackState, args: Args) -> Result:
    """Newest first; ``metadata`` only with include_all_metadata, as Slack does.
    The bot must be a member, even of a public channel."""
    channel = _member_channel(state, args)
    limit = int(args.get("limit") or 100)
    oldest = float(args.get("oldest") or 0)
    with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
    with state.lock:
        stored = list(state.messages.get(channel, {}).values())
    found = sorted(
        (m for m in stored if float(m["ts"]) >= oldest), key=lambda m: float(m["ts"]), reverse=True
    )[:limit]
    if not with_metadata:
        found = [{k: v for k, v in m.items() if k != "metadata"} for m in found]
    return {"messages": found, "has_more": False}


@api("chat.postEphemeral", writes=True)
def chat_post_ephemeral(state: SlackState, args: Args) -> Result:
    channel = _member_channel(state, args, public_ok=_may_post_publicly(state))
    user = _need(args, "user", "user_not_found")
    if not USER_ID.fullmatch(str(user)):
        raise SlackError("user_not_found")
    message_ts = state.next_ts()
    state.ephemerals.append(
        {"channel": channel, "user": user, "message_ts": message_ts, **_content(args)}
    )
    return {"message_ts": message_ts}


@api("chat.update", writes=True)
def chat_update(state: SlackState, args: Args) -> Result:
    channel = _channel(state, args)
    message = _message(state, channel, args.get("ts"))
    message.update(_content(args))
    message["edited"] = {"user": BOT_USER_ID, "ts": state.next_ts()}
    return {"channel": channel, "ts": message["ts"], "text": message["text"], "message": message}


@api("chat.delete", writes=True)
def chat_delete(state: SlackState, args: Args) -> Result:
    channel = _channel(state, args)
    message = _message(state, channel, args.get("ts"))
    del state.messages[channel][message["ts"]]
    return {"channel": channel, "ts": message["ts"]}


@api("chat.getPermalink")
def chat_get_permalink(state: SlackState, args: Args) -> Result:
    channel = _channel(state, args)
    message = _message(state, channel, args.get("message_ts"))
    permalink = f"{state.root_url}archives/{channel}/p{message['ts'].replace('.', '')}"
    return {"channel": channel, "permalink": permalink}


@api("reactions.add", writes=True)
def reactions_add(state: SlackState, args: Args) -> Result:
    channel = _channel(state, args)
    _need(args, "timestamp", "no_item_specified")
    name = _need(args, "name", "invalid_name")
    message = _message(state, channel, args.get("timestamp"))
    reactions = message.setdefault("reactions", [])
    if any(reaction["name"] == name for reaction in reactions):
        raise SlackError("already_reacted")
    reactions.append({"name": name, "users": [BOT_USER_ID], "count": 1})
    return {}


# ---- conversations / users ---------------------------------------------------
@api("conversations.open", writes=True)
def conversations_open(state: SlackState, args: Args) -> Result:
    if args.get("channel"):
        return {"channel": state.channels[_channel(state, args)]}
    users = args.get("users")
    user_ids = (
        users if isinstance(users, list) else [u.strip() for u in str(users or "").split(",")]
    )
    user_ids = [u for u in user_ids if u]
    if not user_ids:
        raise SlackError("users_list_not_supplied")
    if not all(USER_ID.fullmatch(u) for u in user_ids):
        raise SlackError("user_not_found")
    channel, existed = state.open_conversation(user_ids)
    return {"channel": channel, "already_open": existed, "no_op": existed}


@api("conversations.info")
def conversations_info(state: SlackState, args: Args) -> Result:
    channel = _channel(state, args)
    info = state.channels[channel]
    if info.get("is_private") and not state.is_member(channel):
        raise SlackError("channel_not_found")  # a private channel is invisible to a non-member
    return {"channel": {k: v for k, v in info.items() if k != "members"}}


@api("conversations.members")
def conversations_members(state: SlackState, args: Args) -> Result:
    """Everyone in the channel, Slack Connect members from other orgs included."""
    channel = _channel(state, args)
    info = state.channels[channel]
    if info.get("is_private") and not state.is_member(channel):
        raise SlackError("channel_not_found")
    members = [BOT_USER_ID, info["user"]] if info.get("is_im") else list(info.get("members", []))
    return {"members": members, "response_metadata": {"next_cursor": ""}}


@api("conversations.join", writes=True)
def conversations_join(state: SlackState, args: Args) -> Result:
    """Public channels only: a bot cannot join a private channel or a DM (slack.md §4)."""
    channel = _channel(state, args)
    info = state.channels[channel]
    if info.get("is_private") or info.get("is_im") or info.get("is_mpim"):
        raise SlackError("method_not_supported_for_channel_type")
    if info.get("is_archived"):
        raise SlackError("is_archived")
    result: Result = {}
    if state.is_member(channel):
        result = {"warning": "already_in_channel"}
        result["response_metadata"] = {"warnings": ["already_in_channel"]}
    info = state.invite(channel, [BOT_USER_ID])
    return {"channel": {k: v for k, v in info.items() if k != "members"}, **result}


@api("users.info")
def users_info(state: SlackState, args: Args) -> Result:
    user = state.users.get(_need(args, "user", "user_not_found"))
    if user is None:
        raise SlackError("user_not_found")
    if str(args.get("include_locale", "")).lower() not in ("1", "true"):
        user = {k: v for k, v in user.items() if k != "locale"}  # as Slack: only on request
    return {"user": user}


@api("users.lookupByEmail")
def users_lookup_by_email(state: SlackState, args: Args) -> Result:
    email = str(_need(args, "email")).lower()
    for user in state.users.values():
        if user["team_id"] != TEAM_ID:
            continue  # a Slack Connect member of another org is no workspace member
        if user["profile"].get("email", "").lower() == email:
            return {"user": user}
    raise SlackError("users_not_found")


@api("usergroups.users.list")
def usergroups_users_list(state: SlackState, args: Args) -> Result:
    group = state.usergroups.get(_need(args, "usergroup"))
    if group is None:
        raise SlackError("no_such_subteam")
    return {"users": list(group["users"])}


# ---- views -------------------------------------------------------------------
def _open_view(state: SlackState, args: Args, method: str) -> Result:
    trigger_id = _need(args, "trigger_id")
    view_id = state.new_id("V")
    view = _full_view(state, view_id, _need(args, "view"))
    state.views[view_id] = {
        "id": view_id,
        "method": method,
        "trigger_id": trigger_id,
        "user_id": None,
        "view": view,
    }
    return {"view": view}


@api("views.open", writes=True)
def views_open(state: SlackState, args: Args) -> Result:
    return _open_view(state, args, "views.open")


@api("views.push", writes=True)
def views_push(state: SlackState, args: Args) -> Result:
    return _open_view(state, args, "views.push")


@api("views.update", writes=True)
def views_update(state: SlackState, args: Args) -> Result:
    view_arg = _need(args, "view")
    view_id, external_id = args.get("view_id"), args.get("external_id")
    if not view_id and not external_id:
        raise SlackError("invalid_arguments")
    record = (
        state.views.get(view_id)
        if view_id
        else next(
            (r for r in state.views.values() if r["view"].get("external_id") == external_id), None
        )
    )
    if record is None:
        raise SlackError("not_found")
    if args.get("hash") and args["hash"] != record["view"]["hash"]:
        raise SlackError("hash_conflict")
    record["view"] = _full_view(state, record["id"], view_arg)
    record["method"] = "views.update"
    return {"view": record["view"]}


@api("views.publish", writes=True)
def views_publish(state: SlackState, args: Args) -> Result:
    user_id = _need(args, "user_id")
    view_arg = _need(args, "view")
    if not isinstance(view_arg, dict) or view_arg.get("type") != "home":
        raise SlackError("invalid_arguments")
    record = next((r for r in state.views.values() if r["user_id"] == user_id), None)
    view_id = record["id"] if record else state.new_id("V")
    view = _full_view(state, view_id, view_arg)
    state.views[view_id] = {
        "id": view_id,
        "method": "views.publish",
        "trigger_id": None,
        "user_id": user_id,
        "view": view,
    }
    return {"view": view}


# ---- files ---------------------------------------------------------------------
@api("files.getUploadURLExternal", writes=True)
def files_get_upload_url_external(state: SlackState, args: Args) -> Result:
    filename = _need(args, "filename")
    try:
        length = int(_need(args, "length"))
    except ValueError as exc:
        raise SlackError("invalid_arguments") from exc
    file_id = state.new_id("F")
    state.files[file_id] = {
        "id": file_id,
        "name": filename,
        "title": filename,
        "mimetype": mimetypes.guess_type(filename)[0] or "application/octet-stream",
        "filetype": filename.rsplit(".", 1)[-1].lower() if "." in filename else "binary",
        "size": length,
        "user": BOT_USER_ID,
        "created": int(time.time()),
        "alt_txt": args.get("alt_txt"),
        "url_private": f"{state.root_url}_emulator/files/{file_id}",
        "permalink": f"{state.root_url}files/{BOT_USER_ID}/{file_id}/{filename}",
        "uploaded": False,
        "shared": False,
        "channels": [],
        "content": None,
    }
    return {"upload_url": f"{state.root_url}upload/{file_id}", "file_id": file_id}


@api("files.completeUploadExternal", writes=True)
def files_complete_upload_external(state: SlackState, args: Args) -> Result:
    entries = _need(args, "files")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and e.get("id") for e in entries
    ):
        raise SlackError("invalid_arguments")
    metas = [state.files.get(entry["id"]) for entry in entries]
    found = [meta for meta in metas if meta is not None and meta["content"] is not None]
    if len(found) != len(metas):
        raise SlackError("file_not_found")  # unknown id, or the upload step never arrived
    refs = [args["channel_id"]] if args.get("channel_id") else []
    refs += [c.strip() for c in str(args.get("channels") or "").split(",") if c.strip()]
    channels = [
        _member_channel(state, {"channel": ref}) for ref in refs
    ]  # a share needs membership
    for entry, meta in zip(entries, found, strict=True):
        meta.update(
            title=entry.get("title") or meta["name"],
            channels=channels,
            shared=bool(channels),
            initial_comment=args.get("initial_comment"),
            thread_ts=args.get("thread_ts"),
        )
    public = [public_file(meta) for meta in found]
    for channel in channels:  # Slack announces a share as a message carrying the files
        message = {
            "type": "message",
            "subtype": "file_share",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "text": args.get("initial_comment") or "",
            "files": public,
            "ts": state.next_ts(),
        }
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        state.store_message(channel, message)
    return {"files": public}
