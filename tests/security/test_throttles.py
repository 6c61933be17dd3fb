"""Brakes that must not hurt honest users: keyed by who is guessing, rates are settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from rest_framework.test import APIClient

from tests.factories import PASSWORD, UserFactory

OFFICE = "192.0.2.44"  # one proxy in front of a whole office


@pytest.fixture
def tight_rates(settings, clean_cache):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"auth": "3/minute", "auth_address": "100/minute"},
    }


def _token(username: str, password: str, *, address: str = OFFICE) -> int:
    client = APIClient(REMOTE_ADDR=address)
    response = client.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )
    return response.status_code


@pytest.mark.django_db
def test_the_same_user_from_one_address_is_throttled(alice, tight_rates):
    assert [_token("alice", "guess") for _ in range(4)] == [400, 400, 400, 429]
    # The lock is for that username there: the same user elsewhere still gets an answer.
    assert _token("alice", "guess", address="198.51.100.3") == 400


@pytest.mark.django_db
def test_two_users_behind_one_address_are_not_throttled_together(alice, bob, tight_rates):
    assert [_token("alice", "typo") for _ in range(4)] == [400, 400, 400, 429]
    # Bob signs in from the same office address right after alice's lock-out.
    assert _token("bob", PASSWORD) == 200
    # Case and spaces do not make a fresh count for the same account.
    assert _token(" ALICE ", "typo") == 429


@pytest.mark.django_db
def test_one_address_spraying_many_usernames_is_braked(settings, clean_cache):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"auth": "30/minute", "auth_address": "5/minute"},
    }
    UserFactory(username="victim")
    answers = [_token(f"user{n}", "Winter2026!") for n in range(6)]
    assert answers == [400] * 5 + [429]


SHOW = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'], "
    "s.LIVECHAT_SESSION_STARTS_PER_MINUTE, s.LIVECHAT_MESSAGES_PER_WINDOW]))"
)


def _settings_with(extra_env: dict[str, str]) -> list:
    names = {
        "AUTH_THROTTLE_RATE",
        "AUTH_ADDRESS_THROTTLE_RATE",
        "LIVECHAT_SESSION_STARTS_PER_MINUTE",
        "LIVECHAT_MESSAGES_PER_WINDOW",
    }
    env = {k: v for k, v in os.environ.items() if k not in names}
    env.update({"DJANGO_SETTINGS_MODULE": "chatdesk.settings", **extra_env})
    result = subprocess.run(
        [sys.executable, "-c", SHOW], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_rates_are_settings_read_from_the_environment():
    assert _settings_with({}) == [{"auth": "30/minute", "auth_address": "300/minute"}, 20, 10]
    assert _settings_with(
        {
            "AUTH_THROTTLE_RATE": "5/minute",
            "AUTH_ADDRESS_THROTTLE_RATE": "50/hour",
            "LIVECHAT_SESSION_STARTS_PER_MINUTE": "60",
            "LIVECHAT_MESSAGES_PER_WINDOW": "4",
        }
    ) == [{"auth": "5/minute", "auth_address": "50/hour"}, 60, 4]
