"""Websocket routes of the baselines; added by chatdesk/routing.py only under the bench flag."""

from django.urls import path

from bench.baselines.consumers import HoldConsumer, RelayConsumer

websocket_urlpatterns = [
    path("bench/ws/hold/", HoldConsumer.as_asgi()),
    path("bench/ws/relay/", RelayConsumer.as_asgi()),
]
