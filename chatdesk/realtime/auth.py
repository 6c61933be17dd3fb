"""Websocket authentication: the session cookie, or `?token=` for API clients."""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.contrib.auth.models import AnonymousUser


@database_sync_to_async
def _user_for_token(key: str):  # -> User | AnonymousUser
    from rest_framework.authtoken.models import Token

    try:
        return Token.objects.select_related("user").get(key=key, user__is_active=True).user
    except Token.DoesNotExist:
        return AnonymousUser()


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
    return AuthMiddlewareStack(TokenQueryAuthMiddleware(inner))
