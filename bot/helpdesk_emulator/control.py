"""``/_emulator/*``: the JSON control API for an emulator in another process.

Each route maps onto a public ``HelpdeskEmulator`` method, so in-process and
out-of-process users see the same data. Control requests are never recorded or faulted.

  GET    health | calls?vendor=&method=&path_prefix= | faults
         notes?vendor=&ticket= | tags?vendor=&ticket= | tickets?vendor=&id= | people?vendor=&id=
  POST   faults {HelpdeskEmulator.fail arguments} | people {vendor, id, ...add_person}
         tickets {vendor, id, ...add_ticket} | reset      (seeding takes one object or a list)
  DELETE faults
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

if TYPE_CHECKING:
    from .emulator import HelpdeskEmulator

Reply = tuple[int, Any]


def handle(emulator: HelpdeskEmulator, verb: str, route: str, query: str, body: bytes) -> Reply:
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


def _get(emulator: HelpdeskEmulator, route: str, args: dict[str, str]) -> Reply:
    if route == "health":
        return 200, {
            "ok": True,
            "base_url": emulator.base_url,
            "pid": os.getpid(),
            "urls": emulator.urls(),
            "credentials": emulator.credentials,
            "env": emulator.env(),
        }
    if route == "calls":
        return 200, emulator.calls(args.get("vendor"), args.get("method"), args.get("path_prefix"))
    if route == "faults":
        return 200, [fault.to_dict() for fault in emulator.faults.list()]
    if route == "notes":
        return 200, emulator.notes(args["vendor"], args["ticket"])
    if route == "tags":
        return 200, emulator.tags(args["vendor"], args["ticket"])
    if route == "tickets":
        return _found(emulator.ticket(args["vendor"], args["id"]))
    if route == "people":
        return _found(emulator.person(args["vendor"], args["id"]))
    return 404, {"ok": False, "error": "not_found"}


def _found(item: dict[str, Any] | None) -> Reply:
    return (200, item) if item is not None else (404, {"ok": False, "error": "not_found"})


def _post(emulator: HelpdeskEmulator, route: str, data: Any) -> Reply:
    items = [dict(item) for item in (data if isinstance(data, list) else [data])]
    if route == "faults":
        return 200, {"ok": True, "faults": [emulator.fail(**item).to_dict() for item in items]}
    if route == "people":
        people = [emulator.add_person(item.pop("vendor"), item.pop("id"), **item) for item in items]
        return 200, {"ok": True, "people": people}
    if route == "tickets":
        tickets = [
            emulator.add_ticket(item.pop("vendor"), item.pop("id"), **item) for item in items
        ]
        return 200, {"ok": True, "tickets": tickets}
    if route == "reset":
        emulator.reset(
            keep_seed=bool(data.get("keep_seed", True)) if isinstance(data, dict) else True
        )
        return 200, {"ok": True}
    return 404, {"ok": False, "error": "not_found"}
