"""Clients of the helpdesks' REST APIs: find the customer, fetch ticket figures, write back.

One module per vendor (``zendesk``, ``freshdesk``, ``jira``, ``intercom``), each with
``make_client(api, http) -> HelpdeskClient``; ``api.py`` holds what they share.
Everything here runs on background jobs, never on a webhook's request path.
"""
