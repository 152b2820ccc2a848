"""One module per ``/cx`` subcommand (or family); ``bot.cx.registry`` lists them."""
