"""Websocket routes of every app, gathered for the ASGI router."""

from chatdesk.realtime.routing import websocket_urlpatterns as agent_patterns

websocket_urlpatterns = [*agent_patterns]
