"""Test doubles; the Slack emulator lives in the bot package so ``cxbot demo`` can use it."""

from bot.emulator import Fault, SlackEmulator

__all__ = ["Fault", "SlackEmulator"]
