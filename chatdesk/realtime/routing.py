from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from chatdesk.realtime.auth import AgentAuthStack
from chatdesk.realtime.consumers import AgentConsumer

# The session cookie rides along with the socket: only our own pages may open it
# (cross-site websocket hijacking), hence the allowed-hosts origin check.
websocket_urlpatterns = [
    path("ws/agent/", AllowedHostsOriginValidator(AgentAuthStack(AgentConsumer.as_asgi()))),
]
