from django.urls import path
from rest_framework.routers import SimpleRouter

from channels_ingest.api import ChannelAccountViewSet
from channels_ingest.api_media import MediaRetryView
from channels_ingest.api_whatsapp_templates import WhatsAppTemplateViewSet
from channels_ingest.outreach import ContactSmsView

router = SimpleRouter()
router.register("channel-accounts", ChannelAccountViewSet, basename="channel-account")
router.register("whatsapp-templates", WhatsAppTemplateViewSet, basename="whatsapp-template")
urlpatterns = [
    path("contacts/<int:pk>/sms/", ContactSmsView.as_view(), name="contact-sms"),
    path(
        "conversations/<int:conversation_pk>/messages/<int:pk>/retry-download/",
        MediaRetryView.as_view(),
        name="message-retry-download",
    ),
    *router.urls,
]
