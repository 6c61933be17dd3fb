from django.urls import path

from chatdesk.realtime.auth import AgentAuthStack
from chatdesk.realtime.consumers import AgentConsumer

websocket_urlpatterns = [
    path("ws/agent/", AgentAuthStack(AgentConsumer.as_asgi())),
]
