"""Decode request bodies the way the Slack Web API accepts them.

Slack takes the same arguments as query string, form-urlencoded, multipart or JSON;
structured arguments (``blocks``, ``view``, ``files``…) arrive as JSON *strings* in the
non-JSON encodings. Normalising all of that here lets method handlers see plain dicts.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

JSON_ARGS = frozenset({"blocks", "attachments", "view", "files", "metadata"})
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_DISPOSITION_PARAM = re.compile(r'(\w+)="([^"]*)"')


class BadRequest(ValueError):
    """The body could not be decoded; carries the Slack error string to answer with."""


@dataclass(frozen=True)
class FilePart:
    """A multipart part that carried a filename (i.e. an uploaded file)."""

    field: str
    filename: str
    content: bytes


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], list[FilePart]]:
    """Split a multipart/form-data body into text fields and file parts.

    Hand-rolled because ``cgi`` is gone in 3.13 and ``email`` may rewrite line endings
    inside binary payloads; a byte split on the boundary keeps file bytes exact.
    """
    match = _BOUNDARY.search(content_type)
    if not match:
        raise BadRequest("invalid_form_data")
    delimiter = b"--" + match.group(1).encode("latin-1")
    fields: dict[str, str] = {}
    files: list[FilePart] = []
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break  # closing delimiter
        head, sep, payload = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not sep:
            continue
        payload = payload.removesuffix(b"\r\n")
        headers = head.decode("utf-8", "replace")
        disposition = next(
            (
                line
                for line in headers.split("\r\n")
                if line.lower().startswith("content-disposition")
            ),
            "",
        )
        params = dict(_DISPOSITION_PARAM.findall(disposition))
        name = params.get("name", "")
        if "filename" in params:
            files.append(FilePart(name, params["filename"], payload))
        else:
            fields[name] = payload.decode("utf-8", "replace")
    return fields, files


def parse_body(
    content_type: str | None, body: bytes, query: str = ""
) -> tuple[dict[str, Any], list[FilePart]]:
    """Merge query-string and body arguments (body wins) and decode JSON-string args."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    files: list[FilePart] = []
    kind = media_type(content_type)
    if body and kind == "application/json":
        try:
            decoded = json.loads(body)
        except ValueError as exc:
            raise BadRequest("invalid_json") from exc
        if not isinstance(decoded, dict):
            raise BadRequest("invalid_json")
        params.update(decoded)
    elif body and kind == "multipart/form-data":
        fields, files = parse_multipart(content_type or "", body)
        params.update(fields)
    elif body:
        params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    for key in JSON_ARGS & params.keys():
        if isinstance(params[key], str) and params[key].strip()[:1] in ("[", "{"):
            try:
                params[key] = json.loads(params[key])
            except ValueError:
                pass  # left as a string; the handler rejects it as malformed
    return params, files
