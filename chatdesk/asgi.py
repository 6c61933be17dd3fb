"""ASGI entry point: Django for HTTP, Channels for websockets."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatdesk.settings")
# The web process pools its PostgreSQL connections (settings: DATABASE_POOL_MAX); set
# here, not in settings, because Celery's prefork workers must not inherit a pool's
# threads across fork. `DATABASE_POOL_MAX=0` turns it off. No effect once settings are
# loaded (the test process imports this module after pytest-django configured them).
os.environ.setdefault("DATABASE_POOL_MAX", "10")

from django.core.asgi import get_asgi_application

# Django must be set up before anything imports models (routing does).
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from chatdesk.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Each route brings its own authentication and origin check (chatdesk/routing.py).
        "websocket": URLRouter(websocket_urlpatterns),
    }
)
