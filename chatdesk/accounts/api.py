"""REST endpoints of accounts: API tokens and one's own settings."""

from __future__ import annotations

from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chatdesk.accounts import services
from chatdesk.accounts.serializers import AgentSettingsSerializer


class TokenView(ObtainAuthToken):
    """`POST {"username","password"}` -> `{"token"}`."""


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
