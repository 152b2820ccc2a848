"""Detractor alert buttons and modals: take it, resolve it, correct its labels.

The listeners only record; the background worker re-renders the alert
message (it is flagged ``needs_update``), so Slack faults are retried there.
"""

from __future__ import annotations

from datetime import UTC, datetime

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.alerts import RELABEL_MODAL, RESOLVE_MODAL, relabel_modal, resolve_modal
from bot.listeners.middleware import services
from bot.themes import theme_labels
from storage import alerts


def _alert_id(body: dict) -> int:
    return int(body["actions"][0]["value"])


def _selected(view: dict, block: str) -> dict:
    return view["state"]["values"].get(block, {}).get("value", {})


async def just_ack(ack: AsyncAck) -> None:
    await ack()


async def take(
    ack: AsyncAck, body: dict, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """The clicker follows up; if someone already does, only the clicker is told who."""
    store = services(context).store
    alert_id, user = _alert_id(body), body["user"]["id"]
    taken = await store.run(alerts.take_alert, alert_id, user, datetime.now(UTC))
    await ack()
    if not taken:
        view = await store.run(alerts.alert_view, alert_id)
        owner = f"<@{view.owner}>" if view and view.owner else "someone"
        await client.chat_postEphemeral(
            channel=body["channel"]["id"],
            user=user,
            text=f"{owner} is already following up on this one.",
        )


async def open_resolve(body: dict, client: AsyncWebClient) -> None:
    await client.views_open(trigger_id=body["trigger_id"], view=resolve_modal(_alert_id(body)))


async def open_relabel(body: dict, client: AsyncWebClient, context: AsyncBoltContext) -> None:
    shared = services(context)
    view = await shared.store.run(alerts.alert_view, _alert_id(body))
    if view is not None:
        labels = theme_labels(shared.settings)
        await client.views_open(trigger_id=body["trigger_id"], view=relabel_modal(view, labels))


async def save_resolution(ack: AsyncAck, body: dict, view: dict, context: AsyncBoltContext) -> None:
    outcome = (_selected(view, "outcome").get("selected_option") or {}).get("value")
    if outcome not in alerts.OUTCOMES:
        await ack(response_action="errors", errors={"outcome": "Choose an outcome."})
        return
    note = _selected(view, "note").get("value")
    await services(context).store.run(
        alerts.resolve_alert,
        int(view["private_metadata"]),
        body["user"]["id"],
        outcome,
        note,
        datetime.now(UTC),
    )
    await ack()


async def save_labels(ack: AsyncAck, body: dict, view: dict, context: AsyncBoltContext) -> None:
    """A person's correction of the alert's themes and sentiment (known themes only)."""
    shared = services(context)
    labels = theme_labels(shared.settings)
    themes = [
        o["value"]
        for o in _selected(view, "themes").get("selected_options") or []
        if o["value"] in labels
    ]
    sentiment = (_selected(view, "sentiment").get("selected_option") or {}).get("value")
    alert = await shared.store.run(alerts.alert_view, int(view["private_metadata"]))
    if alert is not None:
        await shared.store.run(
            alerts.correct_labels,
            alert.response_id,
            themes,
            sentiment,
            body["user"]["id"],
            datetime.now(UTC),
        )
    await ack()


def register(app: AsyncApp) -> None:
    app.action("cx_alert_take")(take)
    app.action("cx_alert_resolve")(ack=just_ack, lazy=[open_resolve])
    app.action("cx_alert_relabel")(ack=just_ack, lazy=[open_relabel])
    app.view(RESOLVE_MODAL)(save_resolution)
    app.view(RELABEL_MODAL)(save_labels)
