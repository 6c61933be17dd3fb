from django.urls import path
from rest_framework.routers import SimpleRouter

from chatdesk.webhooks.api import WebhookRedeliverView, WebhookSubscriptionViewSet

router = SimpleRouter()
router.register(
    "webhook-subscriptions", WebhookSubscriptionViewSet, basename="webhook-subscription"
)
urlpatterns = [
    path(
        "webhook-subscriptions/deliveries/<int:pk>/redeliver/",
        WebhookRedeliverView.as_view(),
        name="webhook-redeliver",
    ),
    *router.urls,
]
