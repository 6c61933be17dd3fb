"""The bench's ASGI application: the product's, and the baselines' websocket routes."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from channels.routing import ProtocolTypeRouter, URLRouter

from bench.baselines.routing import websocket_urlpatterns as baseline_patterns
from chatdesk.asgi import django_asgi_app  # sets Django up
from chatdesk.routing import websocket_urlpatterns

application = ProtocolTypeRouter(
    {"http": django_asgi_app, "websocket": URLRouter([*websocket_urlpatterns, *baseline_patterns])}
)
