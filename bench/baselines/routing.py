"""Websocket routes of the baselines; added by the bench's own ASGI app (bench/asgi.py)."""

from django.urls import path

from bench.baselines.consumers import HoldConsumer, RelayConsumer

websocket_urlpatterns = [
    path("bench/ws/hold/", HoldConsumer.as_asgi()),
    path("bench/ws/relay/", RelayConsumer.as_asgi()),
]
