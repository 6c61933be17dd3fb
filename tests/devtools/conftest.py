"""The emulator under test, started for each test, and a plain HTTP client."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from devtools.emulator import FIXTURES_DIR, ProviderEmulator


@pytest.fixture
def emulator() -> Iterator[ProviderEmulator]:
    with ProviderEmulator(fixtures_dir=FIXTURES_DIR, timeout_seconds=2.0) as emulator:
        yield emulator


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=0.5) as http_client:
        yield http_client
