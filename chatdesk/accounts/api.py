"""REST endpoints of accounts: API tokens and one's own settings."""

from __future__ import annotations

import hashlib

from django.conf import settings
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from chatdesk.accounts import services
from chatdesk.accounts.serializers import AgentSettingsSerializer
from chatdesk.strict import RejectUnknownFieldsMixin


class AuthScopeThrottle(SimpleRateThrottle):
    """A rate throttle reading its rate when asked: DRF binds THROTTLE_RATES at import,
    so a settings override (tests, a changed deployment) would be ignored."""

    def get_rate(self) -> str | None:
        return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(self.scope)


class TokenUserThrottle(AuthScopeThrottle):
    """Password guessing at one account from one address (scope `auth`).

    Keyed by username *and* address: an office behind one proxy shares an address, and
    a count per address alone locked every colleague out when a few mistyped theirs.
    """

    scope = "auth"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        data = request.data if hasattr(request.data, "get") else {}
        username = str(data.get("username", "")).strip().lower()
        digest = hashlib.sha256(f"{username}|{self.get_ident(request)}".encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": digest}


class TokenAddressThrottle(AuthScopeThrottle):
    """A looser ceiling per address (scope `auth_address`): one address trying many
    usernames (password spraying) is still braked, an office signing in is not."""

    scope = "auth_address"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenRequestSerializer(RejectUnknownFieldsMixin, AuthTokenSerializer):
    pass


class TokenView(ObtainAuthToken):
    """`POST {"username","password"}` -> `{"token"}`; throttled per username and address
    (scope `auth`) and, more loosely, per address (scope `auth_address`)."""

    throttle_classes = [TokenUserThrottle, TokenAddressThrottle]
    serializer_class = TokenRequestSerializer


class MySettingsView(APIView):
    serializer_class = AgentSettingsSerializer

    def get(self, request: Request) -> Response:
        settings = services.agent_settings_get(user=request.user)
        return Response(AgentSettingsSerializer(settings).data)

    def patch(self, request: Request) -> Response:
        serializer = AgentSettingsSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        settings = services.agent_settings_update(
            user=request.user, changes=serializer.validated_data
        )
        return Response(AgentSettingsSerializer(settings).data)
