"""Websocket routes of every app, gathered for the ASGI router.

Each route brings its own authentication and origin check: agents' sockets
(realtime) accept only our own hosts' origins, the visitor socket (livechat)
each site's `allowed_origins`.
"""

from channels_ingest.livechat.routing import websocket_urlpatterns as visitor_patterns
from chatdesk.realtime.routing import websocket_urlpatterns as agent_patterns

websocket_urlpatterns = [*agent_patterns, *visitor_patterns]
