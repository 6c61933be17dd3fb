"""`/api/v1/queues/`: the system owner's queue configuration; agents may read it."""

from __future__ import annotations

from rest_framework import permissions, viewsets

from chatdesk.accounts.permissions import IsSystemOwner
from queues.models import Queue
from queues.serializers import QueueSerializer


class QueueViewSet(viewsets.ModelViewSet):
    serializer_class = QueueSerializer
    queryset = Queue.objects.prefetch_related("memberships").order_by("name")

    def get_permissions(self) -> list[permissions.BasePermission]:
        if self.request.method in permissions.SAFE_METHODS:
            return [permissions.IsAuthenticated()]
        return [IsSystemOwner()]
