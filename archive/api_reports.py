"""`GET /api/v1/reports/summary/`: the desk's figures as JSON, or as CSV with `?format=csv`."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from archive.reports import ReportFilter
from archive.summary import DEFAULT_DAYS, MAX_DAYS, rows, scoped_agent, summary
from chatdesk.accounts.models import User
from chatdesk.inbox.models import Channel, Label
from queues.models import Queue

MAX_ID = 2**63 - 1  # BigAutoField
# Far enough apart for any real report, near enough that day arithmetic cannot overflow.
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
CUSTOMER_CHANNELS = [value for value in Channel.values if value != Channel.INTERNAL]


class SummaryQuery(serializers.Serializer):
    """The report's filters. Each one is a field here, a field of ReportFilter and a
    condition in `archive.reports.received_conversations`; a new filter (labels, say)
    is one line in each."""

    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    queue = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    channel = serializers.ChoiceField(choices=CUSTOMER_CHANNELS, required=False)
    agent = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    label = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)

    def _in_bounds(self, value: date) -> date:
        if not EARLIEST <= value <= LATEST:
            raise serializers.ValidationError(
                f"Dates must lie between {EARLIEST.isoformat()} and {LATEST.isoformat()}."
            )
        return value

    validate_date_from = _in_bounds
    validate_date_to = _in_bounds

    def validate_label(self, value: int) -> int:
        if not Label.objects.filter(pk=value).exists():
            raise serializers.ValidationError("No such label.")
        return value

    def validate_queue(self, value: int) -> int:
        if not Queue.objects.filter(pk=value).exists():
            raise serializers.ValidationError("No such queue.")
        return value

    def validate(self, data: dict) -> dict:
        date_to = data.get("date_to") or timezone.localdate()
        date_from = data.get("date_from") or date_to - timedelta(days=DEFAULT_DAYS - 1)
        if date_from > date_to:
            raise serializers.ValidationError(
                {"date_from": [f"The start date is after the end date ({date_to.isoformat()})."]}
            )
        days = (date_to - date_from).days + 1
        if days > MAX_DAYS:
            raise serializers.ValidationError(
                {"date_to": [f"A report covers at most {MAX_DAYS} days; this range has {days}."]}
            )
        return {**data, "date_from": date_from, "date_to": date_to}

    def to_filter(self, user: User) -> ReportFilter:
        data = self.validated_data
        agent = scoped_agent(user, data.get("agent"))
        if agent is not None and agent != user.pk and not User.objects.filter(pk=agent).exists():
            raise serializers.ValidationError({"agent": ["No such agent."]})
        return ReportFilter(
            date_from=data["date_from"],
            date_to=data["date_to"],
            queue_id=data.get("queue"),
            channel=data.get("channel"),
            agent_id=agent,
            label_id=data.get("label"),
        )


class ReportCsvRenderer(BaseRenderer):
    """The JSON answer as `section,subject,metric,value` rows (archive.summary.rows)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context=None):
        out = io.StringIO()
        csv.writer(out).writerows(rows(data))
        return out.getvalue().encode(self.charset)


@extend_schema(
    parameters=[
        OpenApiParameter("date_from", OpenApiTypes.DATE, description="first day, inclusive"),
        OpenApiParameter("date_to", OpenApiTypes.DATE, description="last day, inclusive"),
        OpenApiParameter("queue", int),
        OpenApiParameter("channel", str, enum=CUSTOMER_CHANNELS),
        OpenApiParameter("agent", int, description="one agent's figures"),
        OpenApiParameter("label", int, description="only chats carrying this label"),
        OpenApiParameter("format", str, enum=["json", "csv"]),
    ],
    responses={200: OpenApiTypes.OBJECT},
)
class ReportSummaryView(APIView):
    renderer_classes = [JSONRenderer, ReportCsvRenderer]

    def get(self, request: Request) -> Response:
        query = SummaryQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        report = summary(query.to_filter(request.user))
        response = Response(report)
        if request.accepted_renderer.format == "csv":
            name = f"chatdesk-report-{report['range']['date_from']}-{report['range']['date_to']}"
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response

    def finalize_response(self, request: Request, response: Response, *args, **kwargs) -> Any:
        # Refusals are JSON whatever format was asked for: a reason, not a broken CSV.
        if response.status_code >= 400 and hasattr(request, "accepted_renderer"):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
