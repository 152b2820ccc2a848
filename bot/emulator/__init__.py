"""Local Slack Web API emulator used by tests, ``cxbot demo`` and the crash test.

Nothing here talks to the real Slack; point ``slack_sdk.WebClient(base_url=...)`` at
``SlackEmulator().start().base_url``.
"""

from .emulator import SlackEmulator
from .faults import Fault

__all__ = ["Fault", "SlackEmulator"]
