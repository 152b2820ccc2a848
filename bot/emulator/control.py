"""``/_emulator/*``: the JSON control API for a subprocess emulator (crash test, demo).

Each route maps onto a public ``SlackEmulator`` method, so in-process and
out-of-process users see the same data. Control requests are never recorded or faulted.

  GET    health | calls?method= | messages?channel= | ephemerals | views | responses
  GET    files (metadata) | files/<id> (metadata + content_base64) | faults
  POST   faults {same fields as SlackEmulator.fail} | users | channels | usergroups | reset
  POST   invite {"channel": "C…", "users": ["U…"]} (users default to the bot)
  DELETE faults
"""

from __future__ import annotations

import base64
import json
import os
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

if TYPE_CHECKING:
    from .emulator import SlackEmulator

Reply = tuple[int, Any]


def handle(emulator: SlackEmulator, verb: str, route: str, query: str, body: bytes) -> Reply:
    args = dict(parse_qsl(query))
    try:
        data = json.loads(body) if body else {}
    except ValueError:
        return 400, {"ok": False, "error": "invalid_json"}
    try:
        if verb == "GET":
            return _get(emulator, route, args)
        if verb == "POST":
            return _post(emulator, route, data)
        if verb == "DELETE" and route == "faults":
            emulator.clear_faults()
            return 200, {"ok": True}
    except (TypeError, ValueError, KeyError) as exc:
        return 400, {"ok": False, "error": "invalid_arguments", "detail": str(exc)}
    return 404, {"ok": False, "error": "not_found"}


def _get(emulator: SlackEmulator, route: str, args: dict[str, str]) -> Reply:
    if route == "health":
        return 200, {"ok": True, "base_url": emulator.base_url, "pid": os.getpid()}
    if route == "calls":
        return 200, emulator.calls(args.get("method"))
    if route == "messages":
        return 200, emulator.messages(args.get("channel"))
    if route == "ephemerals":
        return 200, emulator.ephemerals()
    if route == "views":
        return 200, emulator.views()
    if route == "responses":
        return 200, emulator.responses(args.get("id"))
    if route == "faults":
        return 200, [fault.to_dict() for fault in emulator.faults.list()]
    if route == "files":
        return 200, emulator.files(with_content=False)
    if route.startswith("files/"):
        file_id = route.removeprefix("files/")
        for meta in emulator.files():
            if meta["id"] == file_id:
                content = meta.pop("content")
                encoded = None if content is None else base64.b64encode(content).decode("ascii")
                return 200, {**meta, "content_base64": encoded}
    return 404, {"ok": False, "error": "not_found"}


def _post(emulator: SlackEmulator, route: str, data: Any) -> Reply:
    """Seeding routes take one object or a list of them."""
    items = data if isinstance(data, list) else [data]
    if route == "faults":
        return 200, {"ok": True, "faults": [emulator.fail(**item).to_dict() for item in items]}
    if route == "users":
        return 200, {"ok": True, "users": emulator.add_users(items)}
    if route == "channels":
        channels = [emulator.add_channel(item.pop("id"), **item) for item in items]
        return 200, {"ok": True, "channels": channels}
    if route == "usergroups":
        groups = [
            emulator.add_usergroup(item["id"], item["users"], item.get("handle")) for item in items
        ]
        return 200, {"ok": True, "usergroups": groups}
    if route == "invite":
        channels = [emulator.invite(item["channel"], *item.get("users", [])) for item in items]
        return 200, {"ok": True, "channels": channels}
    if route == "reset":
        emulator.reset()
        return 200, {"ok": True}
    return 404, {"ok": False, "error": "not_found"}
