"""How long a helpdesk asks cxbot to wait, in each vendor's own header."""

from __future__ import annotations

from email.utils import formatdate

import pytest

from bot.helpdesks.api import MAX_RETRY_AFTER, retry_after

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    "headers, seconds",
    [
        ({"retry-after": "7"}, 7.0),  # Zendesk, Freshdesk, Jira: seconds
        ({"retry-after": formatdate(NOW + 30, usegmt=True)}, 30.0),  # an HTTP date
        ({"x-ratelimit-reset": str(int(NOW + 12))}, 12.0),  # Intercom: unix seconds
        ({"x-ratelimit-reset": "2027-01-15T08:01Z"}, None),  # Jira: ISO 8601, below
        ({"x-ratelimit-reset": str(int(NOW - 5))}, 0.0),  # already past
        ({"retry-after": "999999"}, MAX_RETRY_AFTER),  # never wait longer than an hour
        ({}, None),
    ],
)
def test_retry_after_reads_each_vendors_header(headers, seconds):
    if seconds is None and headers:
        from datetime import datetime

        moment = datetime.fromisoformat("2027-01-15T08:01:00+00:00").timestamp()
        assert retry_after(headers, now=moment - 45) == 45.0
    else:
        assert retry_after(headers, now=NOW) == seconds
