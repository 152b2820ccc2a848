"""The ``/cx`` slash command: the registry of subcommands, their grammar, access and answers."""
