"""The ``/cx`` slash command: grammar, access control, answers, charts."""
