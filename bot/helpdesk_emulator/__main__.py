"""Run the emulator standalone: ``python -m bot.helpdesk_emulator --port 0``.

The first stdout line is the base URL (vendors live under ``/zendesk``, ``/freshdesk``,
``/jira``, ``/intercom``); ``GET /_emulator/health`` gives the credentials and the
``CXBOT_*`` settings. The process serves until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import signal
import threading

from .emulator import HelpdeskEmulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.helpdesk_emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument(
        "--state-file", help="JSON file to persist people and tickets across restarts"
    )
    parser.add_argument(
        "--no-examples", action="store_true", help="start empty (no helpdesks.md examples)"
    )
    args = parser.parse_args(argv)

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    emulator = HelpdeskEmulator(
        host=args.host, port=args.port, state_file=args.state_file, examples=not args.no_examples
    ).start()
    print(emulator.base_url, flush=True)
    try:
        stop.wait()
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
