from django.urls import path

from channels_ingest.livechat.api import SessionStartView
from channels_ingest.livechat.api_csat import VisitorCsatView
from channels_ingest.livechat.api_files import VisitorUploadView, WidgetConfigView
from channels_ingest.livechat.api_offline import OfflineMessageView, SiteStatusView
from channels_ingest.livechat.api_transcript import VisitorTranscriptView

urlpatterns = [
    path("sessions/", SessionStartView.as_view(), name="livechat-sessions"),
    path("attachments/", VisitorUploadView.as_view(), name="livechat-attachments"),
    path("config/", WidgetConfigView.as_view(), name="livechat-config"),
    path("status/", SiteStatusView.as_view(), name="livechat-status"),
    path("offline-messages/", OfflineMessageView.as_view(), name="livechat-offline-messages"),
    path("csat/", VisitorCsatView.as_view(), name="livechat-csat"),
    path("transcript/", VisitorTranscriptView.as_view(), name="livechat-transcript"),
]
