"""`POST /api/v1/conversations/{id}/messages/{message_id}/retry-download/`: fetch a
customer's files again after their download failed.

Here rather than in inbox: the download is a channels_ingest task, and inbox never
imports this app. The rules (who may, which files) are the inbox service's.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from channels_ingest.tasks import retry_downloads
from chatdesk.inbox.serializers import MessageSerializer
from chatdesk.inbox.services import delivery


class MediaRetryView(APIView):
    @extend_schema(request=None, responses={202: MessageSerializer})
    def post(self, request: Request, conversation_pk: int, pk: int) -> Response:
        message = delivery.message_media_retry(
            conversation_id=conversation_pk, message_id=pk, agent=request.user
        )
        retry_downloads(message)
        return Response(MessageSerializer(message).data, status=status.HTTP_202_ACCEPTED)
