"""`GET /api/v1/events/?after=<id>`: what an agent missed while disconnected."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chatdesk.inbox import selectors
from chatdesk.inbox.events import as_dict
from chatdesk.inbox.models import EventWindow

REPLAY_LIMIT = 500


class EventReplayView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("after", int, required=True)],
        responses=inline_serializer(
            "EventReplay",
            {
                "results": serializers.ListField(child=serializers.DictField()),
                "has_more": serializers.BooleanField(),
                "last_id": serializers.IntegerField(),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        try:
            after = int(request.query_params.get("after", ""))
        except ValueError:
            return Response({"detail": "`after` must be an event id (an integer)."}, status=400)
        window = EventWindow.objects.first()
        if window is not None and after < window.purged_through:
            return Response(
                {"detail": "Those events are no longer kept; reload the inbox."}, status=410
            )
        events = list(selectors.events_after(request.user, after)[: REPLAY_LIMIT + 1])
        page = events[:REPLAY_LIMIT]
        return Response(
            {
                "results": [as_dict(event) for event in page],
                "has_more": len(events) > REPLAY_LIMIT,
                "last_id": page[-1].pk if page else after,
            }
        )
