"""`POST /api/v1/contacts/{id}/sms/`: "Send SMS" from the contact panel.

channels_ingest owns the SMS lines, so it picks the line (the one asked for,
the one the contact last used, or the first) and the inbox opens the chat.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from channels_ingest.models import ChannelAccount
from chatdesk.inbox.errors import InvalidInput
from chatdesk.inbox.selectors import last_channel_account_id
from chatdesk.inbox.serializers import ConversationSerializer
from chatdesk.inbox.services.outreach import conversation_start_sms
from chatdesk.strict import RejectUnknownFieldsMixin


def sms_line_for(contact_id: int, requested: int | None) -> int:
    lines = ChannelAccount.objects.filter(kind=ChannelAccount.Kind.SMS, active=True)
    if requested is not None:
        if not lines.filter(pk=requested).exists():
            raise InvalidInput("No such SMS line.")
        return requested
    last = last_channel_account_id(contact_id, "sms")
    if last is not None and lines.filter(pk=last).exists():
        return last
    first = lines.order_by("pk").values_list("pk", flat=True).first()
    if first is None:
        raise InvalidInput("No SMS line is set up; a system owner can add one.")
    return first


class StartSmsSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    # Bounded so a huge id is a 400, not an overflow in the database driver.
    account = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=2**63 - 1
    )


class ContactSmsView(APIView):
    @extend_schema(request=StartSmsSerializer, responses=ConversationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = StartSmsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        line = sms_line_for(pk, data.validated_data["account"])
        chat, created = conversation_start_sms(agent=request.user, contact_id=pk, account_id=line)
        return Response(ConversationSerializer(chat).data, status=201 if created else 200)
