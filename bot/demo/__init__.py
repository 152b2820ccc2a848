"""``cxbot demo``: the whole product on one machine, with the local Slack emulator."""
