"""Run the emulator standalone: ``python -m bot.emulator --port 0 --host 127.0.0.1``.

The first stdout line is the base URL (so a parent process can read the port it got);
the process serves until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import signal
import threading

from .emulator import SlackEmulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--token", default="xoxb-test", help="the only bot token accepted")
    parser.add_argument("--state-file", help="JSON file to persist state across restarts")
    parser.add_argument(
        "--scopes", help="comma-separated bot scopes to grant (default: manifest.yml's)"
    )
    args = parser.parse_args(argv)

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    scopes = [s.strip() for s in args.scopes.split(",") if s.strip()] if args.scopes else None
    emulator = SlackEmulator(
        host=args.host, port=args.port, token=args.token, state_file=args.state_file, scopes=scopes
    ).start()
    print(emulator.base_url, flush=True)
    try:
        stop.wait()
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
