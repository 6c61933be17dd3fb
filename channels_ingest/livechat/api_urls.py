from django.urls import path

from channels_ingest.livechat.api import SessionStartView

urlpatterns = [
    path("sessions/", SessionStartView.as_view(), name="livechat-sessions"),
]
