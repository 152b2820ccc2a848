"""The one list of emulated helpdesks: adding a vendor = its module + one line here."""

from __future__ import annotations

from . import freshdesk, intercom, jira, zendesk
from .routing import Vendor

VENDOR_APIS: dict[str, Vendor] = {
    module.VENDOR.name: module.VENDOR for module in (zendesk, freshdesk, jira, intercom)
}
