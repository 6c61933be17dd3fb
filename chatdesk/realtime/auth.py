"""Websocket authentication: the session cookie, or `?token=` for API clients."""

from __future__ import annotations

from importlib import import_module
from urllib.parse import parse_qs

from channels.auth import AuthMiddleware
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from channels.sessions import CookieMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase

from chatdesk.accounts.selectors import active_user_for_token


@database_sync_to_async
def _user_for_token(key: str):  # -> User | AnonymousUser
    return active_user_for_token(key) or AnonymousUser()


class TokenQueryAuthMiddleware(BaseMiddleware):
    """Sets scope["user"] from `?token=` when the session did not authenticate."""

    async def __call__(self, scope, receive, send):
        user = scope.get("user")
        if user is None or not user.is_authenticated:
            query = parse_qs(scope.get("query_string", b"").decode())
            tokens = query.get("token")
            if tokens:
                scope["user"] = await _user_for_token(tokens[0])
        return await super().__call__(scope, receive, send)


class SessionAuthMiddleware(AuthMiddleware):
    """channels' AuthMiddleware, minus its database thread hop when there is no session
    cookie at all (API clients sending `?token=`): nothing to look up, so anonymous.

    Why: each hop costs a thread handoff on the server's one event loop; at 10,000
    agents opening their desks, the handshake's hops were most of its CPU
    (docs/performance.md, scenario 3)."""

    async def resolve_scope(self, scope):
        if not scope["session"].session_key:
            scope["user"]._wrapped = AnonymousUser()
            return
        await super().resolve_scope(scope)


class SocketSessionMiddleware(BaseMiddleware):
    """Sets scope["session"] from the session cookie, for reading: an agent socket never
    changes its session.

    Why not channels' SessionMiddleware: it wraps the socket's `send` to save a
    modified session when an HTTP response starts, which a websocket never sends, so
    its check only cost time on every frame: each event relayed to each of an agent's
    sockets (docs/performance.md, scenario 1).
    """

    async def __call__(self, scope, receive, send):
        if "cookies" not in scope:
            raise ValueError("SocketSessionMiddleware needs to run inside CookieMiddleware.")
        scope = {**scope, "session": _session_for(scope["cookies"])}
        return await super().__call__(scope, receive, send)


def _session_for(cookies: dict[str, str]) -> SessionBase:
    # The store's constructor reads nothing: the session loads when first used.
    store = import_module(settings.SESSION_ENGINE).SessionStore
    return store(cookies.get(settings.SESSION_COOKIE_NAME))


def AgentAuthStack(inner):
    return CookieMiddleware(
        SocketSessionMiddleware(SessionAuthMiddleware(TokenQueryAuthMiddleware(inner)))
    )
