from django.urls import path
from rest_framework.routers import SimpleRouter

from chatdesk.inbox.api import ConversationViewSet, MessageRetryView, MessageViewSet
from chatdesk.inbox.api_agents import AgentViewSet
from chatdesk.inbox.api_compliance import ContactEraseView, ContactExportView, TranscriptView
from chatdesk.inbox.api_events import EventReplayView
from chatdesk.inbox.api_files import AttachmentFileView, AttachmentUploadView
from chatdesk.inbox.api_history import ContactHistoryView
from chatdesk.inbox.api_labels import ConversationLabelsView, LabelViewSet
from chatdesk.inbox.api_log import ConversationLogView

router = SimpleRouter()
router.register("conversations", ConversationViewSet, basename="conversation")
router.register("agents", AgentViewSet, basename="agent")
router.register("labels", LabelViewSet, basename="label")

messages = MessageViewSet.as_view({"get": "list", "post": "create"})

urlpatterns = [
    path("conversations/<int:conversation_pk>/messages/", messages, name="conversation-messages"),
    path(
        "conversations/<int:conversation_pk>/messages/<int:pk>/retry/",
        MessageRetryView.as_view(),
        name="message-retry",
    ),
    path("events/", EventReplayView.as_view(), name="events"),
    path("conversations/<int:pk>/log/", ConversationLogView.as_view(), name="conversation-log"),
    path("contacts/<int:pk>/history/", ContactHistoryView.as_view(), name="contact-history"),
    path("attachments/", AttachmentUploadView.as_view(), name="attachment-upload"),
    path(
        "attachments/<int:pk>/<str:variant>/",
        AttachmentFileView.as_view(),
        name="attachment-file",
    ),
    path(
        "conversations/<int:pk>/transcript/",
        TranscriptView.as_view(),
        name="conversation-transcript",
    ),
    path(
        "conversations/<int:pk>/labels/",
        ConversationLabelsView.as_view(),
        name="conversation-labels",
    ),
    path("contacts/<int:pk>/export/", ContactExportView.as_view(), name="contact-export"),
    path("contacts/<int:pk>/erase/", ContactEraseView.as_view(), name="contact-erase"),
    *router.urls,
]
