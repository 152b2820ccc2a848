"""``/cx customer <email | @user>``: one customer's tickets, scores, comments and open follow-ups."""

from __future__ import annotations

from dataclasses import dataclass, replace

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlite_utils import Database

from bot.blocks.metrics import customer_blocks
from bot.cx.grammar import CxCommand, parse_customer
from bot.cx.subcommand import Asked, Reply, Subcommand
from bot.mrkdwn import escape_mrkdwn
from storage.alerts import open_follow_ups
from storage.customers import CustomerHistory, customer_history


@dataclass(frozen=True)
class Customer:
    history: CustomerHistory
    follow_ups: list[dict]


async def other_keys(asked: Asked[CxCommand], client: AsyncWebClient) -> Asked[CxCommand]:
    """The customer's other key: a mentioned user's email, or an email's Slack id."""
    command = asked.command
    subject = command.subject or ""
    try:
        if "@" in subject:
            keys: tuple[str, ...] = (
                (await client.users_lookupByEmail(email=subject))["user"]["id"],
            )
        else:
            email = (await client.users_info(user=subject))["user"].get("profile", {}).get("email")
            keys = (email.lower(),) if email else ()
    except SlackApiError:
        keys = ()
    return asked.with_command(replace(command, subject_keys=keys))


def answer(db: Database, asked: Asked[CxCommand]) -> Customer:
    command = asked.command
    keys = [command.subject or "", *command.subject_keys]
    return Customer(customer_history(db, keys), open_follow_ups(db, keys))


def render(customer: Customer, asked: Asked[CxCommand]) -> Reply:
    blocks = customer_blocks(customer.history, customer.follow_ups)
    return Reply(escape_mrkdwn(f"Customer {asked.command.subject}"), blocks)


SUBCOMMAND = Subcommand(
    name="customer",
    usage="/cx customer <email | @user>",
    summary="one customer's history",
    answer=answer,
    render=render,
    admin_only="Customer histories",
    parse=parse_customer,
    lookup=other_keys,
)
