"""Pure functions from data to Block Kit, built with slack_sdk.models so Slack's limits are checked."""
