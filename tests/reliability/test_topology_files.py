"""The production topology files (Procfile, deploy/systemd) agree with docs/operations.md:
exactly one beat, and every process runs the same app the tests start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chatdesk.env import BASE_DIR

pytestmark = pytest.mark.reliability

SYSTEMD = BASE_DIR / "deploy" / "systemd"


def procfile() -> dict[str, str]:
    entries = {}
    for line in (BASE_DIR / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            assert name not in entries, f"{name} twice in the Procfile"
            entries[name] = command.strip()
    return entries


def exec_starts(unit: Path) -> list[str]:
    return [line for line in unit.read_text().splitlines() if line.startswith("ExecStart=")]


def exec_start(unit: Path) -> str:
    """The one command of a long-running unit."""
    lines = exec_starts(unit)
    assert len(lines) == 1, unit
    return lines[0]


def test_the_procfile_runs_web_workers_and_one_beat():
    entries = procfile()
    assert set(entries) == {"release", "web", "worker", "beat"}
    assert "daphne" in entries["web"] and "chatdesk.asgi:application" in entries["web"]
    assert "celery -A chatdesk worker" in entries["worker"]
    assert "celery -A chatdesk beat" in entries["beat"]
    # Beat is never embedded in a worker (-B): scaling workers would multiply it.
    assert all(" -B" not in command and "--beat" not in command for command in entries.values())


def test_the_systemd_units_scale_web_and_workers_and_keep_beat_single():
    assert exec_start(SYSTEMD / "chatdesk-web@.service").endswith(
        "--proxy-headers chatdesk.asgi:application"
    )
    worker = exec_start(SYSTEMD / "chatdesk-worker@.service")
    # systemd expands %h to a home directory: Celery's own %h must be written %%h.
    assert "celery -A chatdesk worker" in worker and "@%%h" in worker
    assert "celery -A chatdesk beat" in exec_start(SYSTEMD / "chatdesk-beat.service")
    templated = {unit.name for unit in SYSTEMD.glob("*@.service")}
    assert templated == {"chatdesk-web@.service", "chatdesk-worker@.service"}
    for unit in SYSTEMD.glob("*.service"):
        text = unit.read_text()
        assert "EnvironmentFile=/etc/chatdesk/chatdesk.env" in text, unit.name
        assert all("-B" not in line.split() for line in exec_starts(unit)), unit.name


def test_a_claim_timeout_shorter_than_a_provider_call_is_refused_at_start():
    """Else a slow but alive worker and the outbox sweep would both send a reply."""
    env = {
        **os.environ,
        "PROVIDER_TIMEOUT_SECONDS": "15",
        "DELIVERY_CLAIM_TIMEOUT_SECONDS": "30",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "chatdesk.settings"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "DELIVERY_CLAIM_TIMEOUT_SECONDS must be at least 3 x" in result.stderr
