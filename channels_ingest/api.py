"""`/api/v1/channel-accounts/`: system owners connect channels. Secrets are write-only."""

from __future__ import annotations

from rest_framework import viewsets

from channels_ingest.models import ChannelAccount
from channels_ingest.serializers import ChannelAccountSerializer
from chatdesk.accounts.permissions import IsSystemOwner


class ChannelAccountViewSet(viewsets.ModelViewSet):
    serializer_class = ChannelAccountSerializer
    permission_classes = [IsSystemOwner]
    queryset = ChannelAccount.objects.order_by("kind", "name")
