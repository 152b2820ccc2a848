"""Local helpdesk REST API emulator: Zendesk, Freshdesk, Jira Cloud (+ JSM) and Intercom.

What cxbot's helpdesk clients talk to in tests and the demo, shaped field for field on
/work/shared/helpdesks.md (the vendors' documented endpoints, auth, answers, status
codes and rate-limit headers). Nothing here talks to a real helpdesk; point
``CXBOT_<VENDOR>_URL`` at ``HelpdeskEmulator().start().url(vendor)``.
"""

from .emulator import HelpdeskEmulator
from .faults import Fault
from .state import VENDORS

__all__ = ["VENDORS", "Fault", "HelpdeskEmulator"]
