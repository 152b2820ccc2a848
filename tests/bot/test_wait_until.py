"""``wait_until``: the one polling loop behind the demo, the scenarios and ServeProcess."""

from __future__ import annotations

import time

import pytest

from bot.serve_process import wait_until


def test_returns_the_first_truthy_value():
    answers = iter([None, 0, [], {"ts": "1.2"}])
    assert wait_until(lambda: next(answers), timeout=2, interval=0.001) == {"ts": "1.2"}


def test_times_out_naming_what_it_waited_for():
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="the labelled alert"):
        wait_until(lambda: None, timeout=0.2, what="the labelled alert", interval=0.01)
    assert 0.2 <= time.monotonic() - started < 2
