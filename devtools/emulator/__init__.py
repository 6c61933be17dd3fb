"""Loopback emulator of the providers' send and media APIs (docs/providers.md).

Tests and `make run` point WHATSAPP_GRAPH_URL, MESSENGER_GRAPH_URL and
TWILIO_API_URL at it. It answers in the fixtures' shapes, checks auth, records
every request and fails on demand, so the outbound path runs without the internet.

    python -m devtools.emulator --port 8025

Control API (JSON): POST /_emulator/fail {"provider","mode","times","endpoint","delay"}
(mode "slow": accepted `delay` seconds late, abandoned if the client hangs up first),
POST /_emulator/expire-media {"times"}, POST /_emulator/reset,
GET /_emulator/requests?provider=whatsapp. `answers()` lists each request's status.
"""

from .answers import FAILURE_MODES, FIXTURES_DIR
from .server import Answer, ProviderEmulator, RecordedRequest

__all__ = ["FAILURE_MODES", "FIXTURES_DIR", "Answer", "ProviderEmulator", "RecordedRequest"]
