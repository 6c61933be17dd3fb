from django.urls import path

from channels_ingest import webhooks

urlpatterns = [
    path("whatsapp/", webhooks.whatsapp, name="webhook-whatsapp"),
    path("messenger/", webhooks.messenger, name="webhook-messenger"),
    path("twilio/sms/", webhooks.twilio_sms, name="webhook-twilio-sms"),
    path("twilio/status/", webhooks.twilio_status, name="webhook-twilio-status"),
]
