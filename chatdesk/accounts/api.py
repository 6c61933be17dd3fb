"""REST endpoints of accounts: API tokens and one's own settings."""

from __future__ import annotations

from django.conf import settings
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from chatdesk.accounts import services
from chatdesk.accounts.serializers import AgentSettingsSerializer


class AuthScopeThrottle(ScopedRateThrottle):
    """ScopedRateThrottle reading the rates when asked: DRF binds THROTTLE_RATES at
    import, so a settings override (tests, a changed deployment) would be ignored."""

    def get_rate(self) -> str | None:
        return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(self.scope)


class TokenView(ObtainAuthToken):
    """`POST {"username","password"}` -> `{"token"}`; throttled per client (scope `auth`)."""

    throttle_classes = [AuthScopeThrottle]
    throttle_scope = "auth"


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
