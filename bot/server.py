"""The ASGI service behind ``cxbot serve``: Slack, webhooks, health, and the background jobs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from urllib.parse import parse_qsl

from slack_bolt.adapter.starlette.async_handler import (
    to_async_bolt_request,
    to_starlette_response,
)
from slack_bolt.async_app import AsyncBoltRequest
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_sdk.signature import SignatureVerifier
from sqlite_utils import Database
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.app import create_app
from bot.doctor import log_startup
from bot.intake_writer import IntakeWriter
from bot.jobs.alerts import unreachable_alert_channels
from bot.jobs.digests import unreachable_digest_channels
from bot.observability import RequestIdMiddleware
from bot.scheduler import Scheduler, build_jobs
from bot.settings import Settings
from bot.slack_client import TokenHealth
from bot.store import Store
from bot.webhooks.intake import check_url, make_endpoint, rules_from
from storage.surveys import outbox_status

log = logging.getLogger("cxbot.startup")


def form_fixed(request: AsyncBoltRequest) -> AsyncBoltRequest:
    """The request with its form body parsed as the form it is.

    Bolt (1.30) reads a form body as an interactive ``payload`` whenever the
    substring "payload" appears anywhere in it, finds no such field and passes
    on an empty body: ``/cx comments payload``, or a slash command from a
    channel named #payload-team, got 404 "unhandled request" (found by the
    fuzz test). The raw body, which the signature covers, is untouched.
    """
    if request.body or request.content_type != "application/x-www-form-urlencoded":
        return request
    form = dict(parse_qsl(request.raw_body, keep_blank_values=True))
    if form and "payload" not in form:
        request.body = form
        request.context = build_async_context(AsyncBoltContext({}), form)
    return request


def _unreachable_channels(db: Database) -> list[dict[str, str]]:
    """For ``/healthz``: channels cxbot must post in but cannot (the bot is not in them),
    each with what it is for and the fix (``invite @cxbot …``); empty when all is well."""
    return unreachable_alert_channels(db) + unreachable_digest_channels(db)


def create_server(
    settings: Settings,
    *,
    worker_interval: float = 1.0,
    socket_mode: bool = False,
    bench_floor: bool = False,
    startup_checks: bool = False,
) -> Starlette:
    """The whole service; ``bench_floor`` adds ``/bench/noop``, the benchmarks' no-work baseline.

    ``startup_checks`` (``cxbot serve``) logs doctor's Slack checks once, in
    the background, so a slow or refusing Slack never delays serving.
    """
    store = Store(settings.db_path)
    bolt = create_app(settings, store)
    writer = IntakeWriter(store.connect, rules_from(settings))
    token = TokenHealth()  # shared by the sending jobs; /healthz shows it
    scheduler = Scheduler(store.connect, build_jobs(settings, token), worker_interval)
    app_token = settings.slack_app_token.get_secret_value() if settings.slack_app_token else None
    if socket_mode and not app_token:
        raise ValueError("Socket Mode needs SLACK_APP_TOKEN")

    signing = settings.slack_signing_secret
    # Socket Mode needs no signing secret: nothing then arrives over HTTP that could be verified.
    verifier = SignatureVerifier(signing.get_secret_value()) if signing else None

    async def slack_events(request: Request):
        body = await request.body()
        try:
            bolt_request = to_async_bolt_request(request, body)
        except (ValueError, RecursionError):  # Bolt parses the body before it checks the signature
            if verifier is None or not verifier.is_valid_request(body, dict(request.headers)):
                return JSONResponse({"error": "invalid request"}, 401)
            return JSONResponse({"error": "body: not a Slack payload cxbot can read"}, 400)
        return to_starlette_response(await bolt.async_dispatch(form_fixed(bolt_request)))

    async def healthz(request: Request) -> JSONResponse:
        try:
            outboxes = await store.run(outbox_status, datetime.now(UTC))
            channels = await store.run(_unreachable_channels)
        except Exception as exc:  # the process is up but cannot read its database
            return JSONResponse(
                {"status": "error", "database": f"unavailable: {type(exc).__name__}"}, 503
            )
        model = "ready" if scheduler.prepared("classification") else "loading"
        # A dead bot token keeps the process up (a restart cannot fix it) but not "ok".
        status = "ok" if token.error is None else "degraded"
        return JSONResponse(
            {
                "status": status,
                "database": "ok",
                "classifier": model,
                **token.status(),
                **outboxes,
                "channels": channels,
            }
        )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        scheduler.start()
        checked = (
            asyncio.ensure_future(asyncio.to_thread(log_startup, settings, log))
            if startup_checks
            else None
        )
        socket = None
        if socket_mode and app_token:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            socket = AsyncSocketModeHandler(bolt, app_token)
            await socket.connect_async()
        try:
            yield
        finally:
            if socket is not None:
                await socket.close_async()
            if checked is not None and not checked.done():
                checked.cancel()  # its thread ends at its own timeout; nothing waits for it
            scheduler.stop()
            writer.close()

    routes = [
        Route("/slack/events", slack_events, methods=["POST"]),
        Route("/webhooks/{source}", make_endpoint(settings, writer), methods=["POST"]),
        Route("/webhooks/{source}", check_url, methods=["GET", "HEAD"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
    if bench_floor:
        routes.append(Route("/bench/noop", noop, methods=["POST"]))
    return Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(RequestIdMiddleware)])


async def noop(request: Request) -> JSONResponse:
    """The benchmark's floor: the same server and body read, no verification, no storage."""
    await request.body()
    return JSONResponse({"status": "noop"}, 202)
