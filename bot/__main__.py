"""``python -m bot`` runs the same CLI as the ``cxbot`` console script."""

from bot.cli import main

main()
