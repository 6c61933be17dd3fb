"""`python -m devtools.emulator --port N`: serve the emulator until interrupted."""

from __future__ import annotations

import argparse
from pathlib import Path

from .answers import FIXTURES_DIR
from .server import ProviderEmulator


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Loopback emulator of the providers' send and media APIs"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--fixtures", type=Path, default=FIXTURES_DIR)
    args = parser.parse_args()
    emulator = ProviderEmulator(host=args.host, port=args.port, fixtures_dir=args.fixtures)
    print(f"WHATSAPP_GRAPH_URL={emulator.whatsapp_graph_url}", flush=True)
    print(f"MESSENGER_GRAPH_URL={emulator.messenger_graph_url}", flush=True)
    print(f"TWILIO_API_URL={emulator.twilio_api_url}", flush=True)
    emulator.serve_forever()


if __name__ == "__main__":
    main()
