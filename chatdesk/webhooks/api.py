"""`/api/v1/webhook-subscriptions/`: the system owner's outbound webhooks and their log."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chatdesk.accounts.permissions import IsSystemOwner
from chatdesk.webhooks.models import WebhookDelivery, WebhookSubscription
from chatdesk.webhooks.serializers import WebhookDeliverySerializer, WebhookSubscriptionSerializer
from chatdesk.webhooks.services import delivery_redeliver


class WebhookSubscriptionViewSet(viewsets.ModelViewSet):
    serializer_class = WebhookSubscriptionSerializer
    permission_classes = [IsSystemOwner]
    queryset = WebhookSubscription.objects.order_by("id")

    @extend_schema(responses=WebhookDeliverySerializer(many=True))
    @action(detail=True, methods=["get"], serializer_class=WebhookDeliverySerializer)
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        """The subscription's deliveries, newest first."""
        subscription = self.get_object()
        page = self.paginate_queryset(subscription.deliveries.order_by("-id"))
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)


class WebhookRedeliverView(APIView):
    permission_classes = [IsSystemOwner]

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Send a delivery again, with the same event id and body."""
        delivery = delivery_redeliver(delivery=get_object_or_404(WebhookDelivery, pk=pk))
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
