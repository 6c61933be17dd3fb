"""Browser sign-in with a brute-force brake (docs/operations.md: Security).

Failed attempts are counted in Django's cache (Redis in every deployment, so
all web processes share the count) per username *and* per client address:
LOGIN_FAILURE_LIMIT failures within LOGIN_FAILURE_WINDOW seconds and the form
refuses further attempts, even with the right password, until the window has
passed. Per username+address, so an attacker cannot lock a colleague out from
another address by guessing their password.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest

LOCKED_MESSAGE = "Too many failed sign-in attempts. Please wait {minutes} minutes and try again."


def _limit() -> int:
    return getattr(settings, "LOGIN_FAILURE_LIMIT", 10)


def _window() -> int:
    return getattr(settings, "LOGIN_FAILURE_WINDOW", 15 * 60)


def failure_key(username: str, address: str) -> str:
    # Hashed: usernames may hold characters a cache key must not.
    digest = hashlib.sha256(f"{username.strip().lower()}|{address}".encode()).hexdigest()
    return f"login-failures:{digest}"


def client_address(request: HttpRequest | None) -> str:
    # REMOTE_ADDR only: a client-supplied X-Forwarded-For would let anyone reset the count.
    return (request.META.get("REMOTE_ADDR", "") if request is not None else "") or "unknown"


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": LOCKED_MESSAGE,
    }

    throttled = False  # the template shows the lock-out message instead of "didn't match"

    def clean(self) -> dict:
        username = self.cleaned_data.get("username") or ""
        key = failure_key(username, client_address(self.request))
        if cache.get(key, 0) >= _limit():
            self.throttled = True
            raise ValidationError(
                self.error_messages["throttled"].format(minutes=_window() // 60),
                code="throttled",
            )
        try:
            return super().clean()
        except ValidationError:
            # add() starts the window once; incr() keeps it (the window is not sliding).
            if not cache.add(key, 1, timeout=_window()):
                try:
                    cache.incr(key)
                except ValueError:  # expired between add() and incr()
                    cache.add(key, 1, timeout=_window())
            raise


class ThrottledLoginView(LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True
