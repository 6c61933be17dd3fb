"""`/api/v1/business-hours/`: supervisors write schedules, every agent reads them."""

from __future__ import annotations

from rest_framework import status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from chatdesk.accounts.permissions import WriteNeedsModelPermission
from queues.models import BusinessHours
from queues.serializers_hours import BusinessHoursSerializer


class CanEditBusinessHours(WriteNeedsModelPermission):
    """Managers, group owners and system owners (their roles' permissions)."""

    app_label = "queues"
    model_name = "businesshours"


class BusinessHoursViewSet(viewsets.ModelViewSet):
    serializer_class = BusinessHoursSerializer
    permission_classes = [CanEditBusinessHours]
    queryset = BusinessHours.objects.prefetch_related("windows", "holidays").order_by("name")

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        schedule = self.get_object()
        users = list(schedule.queues.order_by("name").values_list("name", flat=True))
        if users:
            return Response(
                {
                    "detail": "These business hours are used by the queue(s) "
                    f"{', '.join(users)}; give them other hours first.",
                    "code": "in_use",
                },
                status=status.HTTP_409_CONFLICT,
            )
        return super().destroy(request, *args, **kwargs)
