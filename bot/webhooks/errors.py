"""Why a webhook was refused; the HTTP layer turns these into 400/401 answers."""


class WebhookAuthError(Exception):
    """Signature or timestamp wrong (401)."""


class WebhookPayloadError(ValueError):
    """The body is not what the source sends; the message names the field (400)."""


class Ignored(Exception):
    """A valid event that is not a closure or reopen (answered 202 'skipped', nothing stored).

    Helpdesks retry and eventually disable a webhook that keeps getting 4xx, so an
    event cxbot has no use for is acknowledged, with the reason in the body.
    """


class TestDelivery(Exception):
    """A helpdesk's "test webhook" request: answered 200 with this message, nothing stored."""
