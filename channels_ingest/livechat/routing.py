from django.urls import path

from channels_ingest.livechat.consumers import VisitorConsumer

# No auth middleware: the visitor's session token is the credential.
websocket_urlpatterns = [
    path("ws/livechat/", VisitorConsumer.as_asgi()),
]
