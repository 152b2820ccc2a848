"""The surveys job's look-up cache, against the helpdesk emulator over real HTTP."""

from __future__ import annotations

import pytest

from bot.helpdesk_emulator import HelpdeskEmulator
from bot.helpdesks.api import HelpdeskRefused, HelpdeskUnavailable, Person
from bot.helpdesks.registry import helpdesk_clients
from bot.jobs.surveys import PeopleCache
from bot.settings import load_settings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def helpdesk():
    with HelpdeskEmulator() as emulator:
        emulator.add_person("zendesk", 42, email="emma@example.com", name="Emma", locale="en-GB")
        emulator.add_person("zendesk", 43, email=None)
        yield emulator


def cache(helpdesk: HelpdeskEmulator, clock: Clock, token: str | None = None) -> PeopleCache:
    settings = load_settings(
        slack_bot_token="xoxb-test", slack_signing_secret="s", zendesk_url=helpdesk.url("zendesk"),
        zendesk_email=helpdesk.zendesk_email, zendesk_token=token or helpdesk.zendesk_token,
    )  # fmt: skip
    return PeopleCache(helpdesk_clients(settings), clock=clock)


def asked(helpdesk: HelpdeskEmulator) -> int:
    return len(helpdesk.calls("zendesk"))


def test_a_person_is_asked_for_once_an_hour(helpdesk):
    clock = Clock()
    people = cache(helpdesk, clock)
    assert people.person("zendesk", "42") == Person("emma@example.com", "Emma", "en-GB")
    clock.now += 3599
    people.person("zendesk", "42")
    assert asked(helpdesk) == 1
    clock.now += 1
    people.person("zendesk", "42")
    assert asked(helpdesk) == 2


def test_dead_ends_are_kept_five_minutes_and_faults_not_at_all(helpdesk):
    clock = Clock()
    people = cache(helpdesk, clock)
    assert people.person("zendesk", "43").email is None
    clock.now += 299
    people.person("zendesk", "43")
    assert asked(helpdesk) == 1
    clock.now += 1
    people.person("zendesk", "43")
    assert asked(helpdesk) == 2
    helpdesk.fail("zendesk", "/api/v2/users/*", status=503)
    with pytest.raises(HelpdeskUnavailable):
        people.person("zendesk", "42")
    assert people.person("zendesk", "42").email == "emma@example.com"  # asked again at once
    assert asked(helpdesk) == 4


def test_a_refusal_is_kept_like_a_dead_end(helpdesk):
    clock = Clock()
    people = cache(helpdesk, clock, token="wrong")
    for _ in range(2):
        with pytest.raises(HelpdeskRefused, match="HTTP 401"):
            people.person("zendesk", "42")
    assert asked(helpdesk) == 1


def test_a_source_without_credentials_is_refused_with_the_settings_to_set():
    people = PeopleCache({})
    with pytest.raises(HelpdeskRefused) as refused:
        people.person("intercom", "6762f0d01bb69f9f2193bb7d")
    assert str(refused.value) == "no Intercom API credentials to ask: set CXBOT_INTERCOM_TOKEN"
