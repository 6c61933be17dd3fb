from django.urls import path

from channels_ingest.webhooks import receive

# Each URL names the channel kind whose adapter reads, verifies and parses its posts.
urlpatterns = [
    path("whatsapp/", receive, {"kind": "whatsapp"}, name="webhook-whatsapp"),
    path("messenger/", receive, {"kind": "messenger"}, name="webhook-messenger"),
    path("twilio/sms/", receive, {"kind": "sms"}, name="webhook-twilio-sms"),
    path("twilio/status/", receive, {"kind": "sms"}, name="webhook-twilio-status"),
]
