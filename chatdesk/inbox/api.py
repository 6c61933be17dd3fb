"""REST endpoints of conversations (docs/api.md: Conversations). Thin: parse, call, render."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chatdesk.inbox import list_views, selectors
from chatdesk.inbox.models import Message
from chatdesk.inbox.serializers import ConversationSerializer, MessageSerializer
from chatdesk.inbox.services import (
    contact_prompt,
    delivery,
    internal,
    lifecycle,
    notes,
    ownership,
    reading,
)
from chatdesk.strict import RejectUnknownFieldsMixin

# Ids and durations from the client are bounded, so a huge number is a 400 and never an
# overflow in the database driver or in timedelta (found by the write-operation fuzz).
ID_MAX = 2**63 - 1
BLOCK_MINUTES_MAX = 10 * 366 * 24 * 60


class TemplateReplySerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    id = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    variables = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=10000, trim_whitespace=False),
        default=dict,
    )


class ReplySerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    body = serializers.CharField(
        allow_blank=True, default="", max_length=10000, trim_whitespace=False
    )
    attachments = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX), default=list, max_length=10
    )
    client_id = serializers.UUIDField(required=False, allow_null=True, default=None)
    # A WhatsApp template instead of free text (docs/api.md: WhatsApp templates).
    template = TemplateReplySerializer(required=False, allow_null=True, default=None)


class TransferSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    agent = serializers.IntegerField(min_value=1, max_value=ID_MAX, required=False)
    # To a queue instead of a colleague: the chat routes anew there.
    queue = serializers.IntegerField(min_value=1, max_value=ID_MAX, required=False)
    # The hand-over, stored as a private note.
    note = serializers.CharField(
        allow_blank=True, default="", max_length=10000, trim_whitespace=False
    )

    def validate(self, attrs: dict) -> dict:
        if "agent" in attrs and "queue" in attrs:
            raise serializers.ValidationError(
                "Transfer to an agent or to a queue, not both.", code="invalid"
            )
        if "agent" not in attrs and "queue" not in attrs:
            raise serializers.ValidationError("Name an agent or a queue.", code="required")
        return attrs


class NoteSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    body = serializers.CharField(max_length=10000, trim_whitespace=False)


class NoteCreatedSerializer(MessageSerializer):
    """A new note as its writer sees it: who its @mentions reached."""

    mentions = serializers.ListField(child=serializers.IntegerField(), read_only=True)

    class Meta(MessageSerializer.Meta):
        fields = [*MessageSerializer.Meta.fields, "mentions"]


class BlockSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, default="", max_length=500)
    minutes = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=BLOCK_MINUTES_MAX, default=None
    )


class AddContactSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=32)


class InternalSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    agent = serializers.IntegerField(min_value=1, max_value=ID_MAX)


FILTERS = [
    OpenApiParameter("status", str, enum=["unassigned", "taken", "dealt_with", "ended"]),
    OpenApiParameter("channel", str, enum=["livechat", "whatsapp", "messenger", "sms", "internal"]),
    OpenApiParameter("queue", int),
    OpenApiParameter("archived", bool),
    OpenApiParameter(
        "view",
        str,
        enum=list(list_views.VIEWS),
        description="Open chats only: mine, unassigned, or all (docs/api.md: Views and order).",
    ),
    OpenApiParameter(
        "sort",
        str,
        enum=list(list_views.SORTS),
        description="activity (default): newest first; waiting: longest-waiting customer first.",
    ),
    OpenApiParameter("label", int, description="Only chats carrying this label."),
]


class ConversationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ConversationSerializer
    lookup_value_regex = r"\d+"
    filterset_fields = ["status", "channel", "queue"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.Conversation.objects.none()
        archived = self.request.query_params.get("archived", "").lower() in {"true", "1", "yes"}
        if self.action != "list":
            # Details and actions find archived chats too.
            return selectors.with_unread_counts(
                selectors.with_own_archive(
                    selectors.visible_conversations(self.request.user), self.request.user
                )
                .select_related("identity__contact")
                .prefetch_related("participants"),
                self.request.user,
            )
        try:
            view = list_views.parse_view(self.request.query_params.get("view"))
            sort = list_views.parse_sort(self.request.query_params.get("sort"))
        except list_views.BadListParameter as error:
            raise ValidationError({error.field: [str(error)]}) from None
        if view and archived:
            raise ValidationError(
                {"view": ["Views hold open chats; archived=true lists the others."]}
            )
        rows = selectors.conversation_list(self.request.user, archived=archived)
        label = self.request.query_params.get("label")
        if label is not None:
            if not label.isdigit() or int(label) > ID_MAX:
                raise ValidationError({"label": ["A label id (a whole number)."]})
            rows = rows.filter(labels__id=int(label))
        if view:
            rows = list_views.in_view(rows, self.request.user, view)
        return list_views.sorted_by(rows, sort)

    @extend_schema(parameters=FILTERS)
    def list(self, request: Request, *args, **kwargs) -> Response:
        return super().list(request, *args, **kwargs)

    def destroy(self, request: Request, pk: str | None = None) -> Response:
        lifecycle.conversation_delete(conversation_id=int(pk), agent=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _render(self, conversation_id: int) -> Response:
        conversation = get_object_or_404(self.get_queryset(), pk=conversation_id)
        return Response(ConversationSerializer(conversation).data)

    @extend_schema(request=None, responses=ConversationSerializer)
    @action(detail=True, methods=["post"])
    def take(self, request: Request, pk: str) -> Response:
        ownership.conversation_take(conversation_id=int(pk), agent=request.user)
        return self._render(int(pk))

    @extend_schema(request=TransferSerializer, responses=ConversationSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request: Request, pk: str) -> Response:
        data = _valid(TransferSerializer, request)
        if "queue" in data:
            conversation = ownership.conversation_transfer_to_queue(
                conversation_id=int(pk),
                agent=request.user,
                queue_id=data["queue"],
                note=data["note"],
            )
        else:
            conversation = ownership.conversation_transfer(
                conversation_id=int(pk),
                agent=request.user,
                to_agent_id=data["agent"],
                note=data["note"],
            )
        return Response(ConversationSerializer(conversation).data)

    @extend_schema(request=NoteSerializer, responses={201: NoteCreatedSerializer})
    @action(detail=True, methods=["post"])
    def notes(self, request: Request, pk: str) -> Response:
        data = _valid(NoteSerializer, request)
        note, mentioned = notes.note_add(
            conversation_id=int(pk), agent=request.user, body=data["body"]
        )
        body = {**MessageSerializer(note).data, "mentions": mentioned}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ConversationSerializer)
    @action(detail=True, methods=["post"], url_path="dealt-with")
    def dealt_with(self, request: Request, pk: str) -> Response:
        # Rendered from the service's result: once dealt with, the chat may have left
        # the agent's view, and re-reading it through that view answered a false 404.
        conversation = lifecycle.conversation_deal_with(conversation_id=int(pk), agent=request.user)
        return Response(ConversationSerializer(conversation).data)

    @extend_schema(request=None, responses=ConversationSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        lifecycle.conversation_archive(conversation_id=int(pk), agent=request.user)
        return self._render(int(pk))

    @extend_schema(request=None, responses=ConversationSerializer)
    @action(detail=True, methods=["post"])
    def unarchive(self, request: Request, pk: str) -> Response:
        lifecycle.conversation_archive(conversation_id=int(pk), agent=request.user, archived=False)
        return self._render(int(pk))

    @extend_schema(request=None, responses=ConversationSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        conversation = lifecycle.conversation_end(conversation_id=int(pk), agent=request.user)
        return Response(ConversationSerializer(conversation).data)

    @extend_schema(request=BlockSerializer, responses=ConversationSerializer)
    @action(detail=True, methods=["post"])
    def block(self, request: Request, pk: str) -> Response:
        data = _valid(BlockSerializer, request)
        lifecycle.conversation_block(conversation_id=int(pk), agent=request.user, **data)
        # Read back outside the agent's view: blocking an untaken chat ends its offers,
        # so the agent who just blocked it (allowed, checked by the service) no longer sees it.
        conversation = selectors.Conversation.objects.select_related("identity__contact").get(
            pk=int(pk)
        )
        return Response(ConversationSerializer(conversation).data)

    @extend_schema(request=AddContactSerializer, responses=ConversationSerializer)
    @action(detail=True, methods=["post"], url_path="add-contact")
    def add_contact(self, request: Request, pk: str) -> Response:
        data = _valid(AddContactSerializer, request)
        contact_prompt.contact_add_from_chat(conversation_id=int(pk), agent=request.user, **data)
        return self._render(int(pk))

    @extend_schema(request=None, responses=ConversationSerializer)
    @action(detail=True, methods=["post"])
    def ignore(self, request: Request, pk: str) -> Response:
        contact_prompt.conversation_ignore(conversation_id=int(pk), agent=request.user)
        return self._render(int(pk))

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "ReadMark", {"last_read_message_id": serializers.IntegerField()}
        ),
    )
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        last = reading.conversation_mark_read(conversation_id=int(pk), agent=request.user)
        return Response({"last_read_message_id": last})

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "ViewCounts",
            {
                "mine": serializers.IntegerField(),
                "unassigned": serializers.IntegerField(),
                "all": serializers.IntegerField(),
            },
        ),
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def counts(self, request: Request) -> Response:
        """How many open chats each view holds for the caller."""
        return Response(list_views.view_counts(request.user))

    @extend_schema(request=InternalSerializer, responses=ConversationSerializer)
    @action(detail=False, methods=["post"])
    def internal(self, request: Request) -> Response:
        data = _valid(InternalSerializer, request)
        chat, created = internal.conversation_open_internal(
            agent=request.user, other_id=data["agent"]
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(ConversationSerializer(chat).data, status=code)


class MessageViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """`/conversations/{id}/messages/`: the history, and an agent's reply."""

    serializer_class = MessageSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Message.objects.none()
        conversation = get_object_or_404(
            selectors.visible_conversations(self.request.user), pk=self.kwargs["conversation_pk"]
        )
        return (
            Message.objects.filter(conversation=conversation)
            # An internal chat deleted for oneself keeps its old lines hidden from one.
            .filter(pk__gt=selectors.cleared_through(conversation, self.request.user))
            .select_related("sender", "conversation")
            .prefetch_related("attachments")
            .order_by("created_at", "id")
        )

    @extend_schema(
        request=ReplySerializer, responses={201: MessageSerializer, 200: MessageSerializer}
    )
    def create(self, request: Request, conversation_pk: str) -> Response:
        data = _valid(ReplySerializer, request)
        message, created = ownership.message_reply(
            conversation_id=int(conversation_pk),
            agent=request.user,
            body=data["body"],
            attachment_ids=data["attachments"],
            client_id=data["client_id"],
            template=data["template"],
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(MessageSerializer(message).data, status=code)


def _valid(serializer_class: type[serializers.Serializer], request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class MessageRetryView(APIView):
    """`POST /conversations/{id}/messages/{message_id}/retry/`: send a failed reply again."""

    @extend_schema(request=None, responses=MessageSerializer)
    def post(self, request: Request, conversation_pk: int, pk: int) -> Response:
        message = delivery.message_retry(
            conversation_id=conversation_pk, message_id=pk, agent=request.user
        )
        return Response(MessageSerializer(message).data)
