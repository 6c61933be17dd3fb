"""Private receivers are allowed only in development unless an operator says so."""

from __future__ import annotations

import os
import subprocess
import sys

SHOW = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.DEBUG, s.WEBHOOK_ALLOW_PRIVATE_URLS, "
    "s.CELERY_BEAT_SCHEDULE['send-due-webhooks']['task']]))"
)


def _settings(**extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "WEBHOOK_ALLOW_PRIVATE_URLS"}
    }
    env.update({"DJANGO_SETTINGS_MODULE": "chatdesk.settings", **extra_env})
    return subprocess.run(
        [sys.executable, "-c", SHOW], env=env, capture_output=True, text=True, timeout=60
    )


def test_private_receivers_follow_debug_unless_set():
    production = _settings(SECRET_KEY="x" * 50)
    assert production.stdout.strip() == '[false, false, "webhooks.sweep"]', production.stderr
    development = _settings()
    assert development.stdout.strip() == '[true, true, "webhooks.sweep"]', development.stderr
    allowed = _settings(SECRET_KEY="x" * 50, WEBHOOK_ALLOW_PRIVATE_URLS="1")
    assert allowed.stdout.strip() == '[false, true, "webhooks.sweep"]', allowed.stderr


def test_a_claim_shorter_than_an_attempt_refuses_to_start():
    result = _settings(WEBHOOK_TIMEOUT_SECONDS="60", WEBHOOK_CLAIM_SECONDS="120")
    assert result.returncode != 0
    assert "WEBHOOK_CLAIM_SECONDS must be at least" in result.stderr
