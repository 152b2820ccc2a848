"""Helpdesk webhooks: one module per source, each mapping its payload to a TicketEvent."""
