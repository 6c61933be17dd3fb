"""`/api/v1/agents/`: system owners manage agents; every agent can search colleagues."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from chatdesk.accounts import selectors as account_selectors
from chatdesk.accounts.models import Presence, Role, User
from chatdesk.inbox.services import presence
from chatdesk.strict import RejectUnknownFieldsMixin


class AgentSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    password = serializers.CharField(write_only=True, required=False, min_length=8)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "password",
            "first_name",
            "last_name",
            "email",
            "extension",
            "role",
            "status",
            "max_chats",
        ]

    def create(self, validated_data: dict) -> User:
        password = validated_data.pop("password", None)
        user = User(**validated_data)
        user.set_password(password) if password else user.set_unusable_password()
        user.save()
        return user

    def update(self, instance: User, validated_data: dict) -> User:
        password = validated_data.pop("password", None)
        user = super().update(instance, validated_data)
        if password:
            user.set_password(password)
            user.save(update_fields=["password"])
        return user


class StatusSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    status = serializers.ChoiceField(choices=Presence.choices)


class IsSystemOwnerOrReadOnly(permissions.BasePermission):
    def has_permission(self, request: Request, view: object) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return request.user.effective_role == Role.SYSTEM_OWNER


class AgentViewSet(viewsets.ModelViewSet):
    serializer_class = AgentSerializer
    permission_classes = [permissions.IsAuthenticated, IsSystemOwnerOrReadOnly]

    def get_queryset(self):
        term = self.request.query_params.get("search", "").strip()
        if self.action == "list" and self.request.query_params.get("transfer") in ("1", "true"):
            return account_selectors.transfer_targets(search=term)
        queryset = User.objects.filter(is_active=True).order_by("first_name", "username")
        if term:
            queryset = queryset.filter(
                Q(first_name__icontains=term)
                | Q(last_name__icontains=term)
                | Q(username__icontains=term)
                | Q(extension__startswith=term)
            )
        return queryset

    @extend_schema(
        parameters=[
            OpenApiParameter("search", str, description="Name or extension"),
            OpenApiParameter(
                "transfer",
                bool,
                description="Only who can be handed a chat (agents, and supervisors with an "
                "extension), available first and offline last",
            ),
        ]
    )
    def list(self, request: Request, *args, **kwargs) -> Response:
        return super().list(request, *args, **kwargs)

    def perform_destroy(self, instance: User) -> None:
        # Deactivate rather than delete: their conversations keep their history.
        instance.is_active = False
        instance.save(update_fields=["is_active"])

    @extend_schema(methods=["PATCH"], request=StatusSerializer, responses=AgentSerializer)
    @action(
        detail=False,
        methods=["get", "patch"],
        url_path="me",
        permission_classes=[permissions.IsAuthenticated],
    )
    def me(self, request: Request) -> Response:
        if request.method == "PATCH":
            serializer = StatusSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            presence.agent_set_status(
                agent=request.user, status=serializer.validated_data["status"]
            )
            request.user.refresh_from_db()
        return Response(AgentSerializer(request.user).data)
