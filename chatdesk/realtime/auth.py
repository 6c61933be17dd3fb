"""Websocket authentication: the session cookie, or `?token=` for API clients."""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.contrib.auth.models import AnonymousUser

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


def AgentAuthStack(inner):
    """channels' session authentication, then `?token=` when the session did not
    authenticate the socket."""
    return AuthMiddlewareStack(TokenQueryAuthMiddleware(inner))
