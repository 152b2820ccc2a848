"""``POST /webhooks/{source}``: verify, validate, store durably, then answer 202.

Nothing is stored on any rejection; a 202 is sent only after the event's
transaction has committed, so an accepted webhook survives a crash.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse

from bot.intake_writer import IntakeWriter
from bot.settings import Settings
from bot.webhooks.errors import Ignored, TestDelivery, WebhookAuthError, WebhookPayloadError
from bot.webhooks.sources import SOURCES
from storage.tickets import SurveyRules

log = logging.getLogger("cxbot.webhooks")
MAX_BODY_BYTES = 256 * 1024


class BodyTooLarge(Exception):
    pass


async def read_capped(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The body, refusing early (by Content-Length or while streaming) past ``limit``."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def rules_from(settings: Settings) -> SurveyRules:
    helpdesks = frozenset(settings.helpdesk_apis())
    return SurveyRules(
        delay=settings.survey_delay,
        cooldown=settings.survey_cooldown,
        sample=settings.survey_sample,
        default_survey=settings.default_survey,
        lookup_sources=helpdesks,
        figures_sources=helpdesks,
    )


async def check_url(request: Request) -> PlainTextResponse:
    """``HEAD``/``GET /webhooks/{source}``: the URL checks helpdesks make when a webhook is saved.

    Intercom validates a URL with a HEAD request and refuses one that does not
    answer 2xx; a person pasting the URL in a browser sees what it is for.
    """
    name = request.path_params["source"]
    if name not in SOURCES:
        return PlainTextResponse(f"unknown webhook source {name!r}\n", 404)
    return PlainTextResponse(f"cxbot {name} webhook: POST {SOURCES[name].label} events here\n", 200)


def make_endpoint(settings: Settings, writer: IntakeWriter):

    async def webhook(request: Request) -> JSONResponse:
        name = request.path_params["source"]
        source = SOURCES.get(name)
        if source is None:
            known = ", ".join(sorted(SOURCES))
            return JSONResponse(
                {"error": f"unknown webhook source {name!r}; use one of: {known}"}, 404
            )
        try:
            body = await read_capped(request)
        except BodyTooLarge:
            return JSONResponse({"error": f"body larger than {MAX_BODY_BYTES} bytes"}, 413)
        try:
            source.verify(request.headers, body, settings)
            event = source.parse(body)
        except WebhookAuthError as exc:
            log.warning("webhook %s rejected: %s", name, exc)
            return JSONResponse({"error": str(exc)}, 401)
        except WebhookPayloadError as exc:
            return JSONResponse({"error": str(exc)}, 400)
        except TestDelivery as exc:
            return JSONResponse({"status": "test", "reason": str(exc)}, 200)
        except Ignored as exc:
            return JSONResponse(
                {"ticket_id": None, "survey_id": None, "status": "skipped", "reason": str(exc)}, 202
            )
        try:
            result = await writer.submit(event, datetime.now(UTC))
        except Exception:
            log.exception("webhook %s could not be stored", name)
            return JSONResponse({"error": "could not store the event; please retry"}, 503)
        return JSONResponse(
            {
                "ticket_id": event.external_id,
                "survey_id": result.survey_id,
                "status": result.status,
                "reason": result.reason,
            },
            202,
        )

    return webhook
