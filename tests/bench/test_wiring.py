"""The benchmark's baselines are routed by the bench's own settings, URLconf and ASGI
application; the product's routing has no trace of them."""

from __future__ import annotations

import importlib

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.urls import Resolver404, resolve

from bench.asgi import application as bench_application
from chatdesk.asgi import application as product_application
from chatdesk.routing import websocket_urlpatterns

ORIGIN = [(b"origin", b"http://127.0.0.1:8000")]


def test_the_product_urlconf_serves_no_baseline():
    assert settings.ROOT_URLCONF == "chatdesk.urls"
    with pytest.raises(Resolver404):
        resolve("/bench/ingest/")
    assert not [p for p in websocket_urlpatterns if str(p.pattern).startswith("bench/")]


def test_the_bench_urlconf_adds_the_baselines_to_every_product_route():
    assert resolve("/bench/ingest/", urlconf="bench.urls").func.__name__ == "ingest"
    assert resolve("/bench/take/7/", urlconf="bench.urls").kwargs == {"row_id": 7}
    for path in ("/healthz", "/webhooks/whatsapp/", "/api/v1/conversations/"):
        assert resolve(path, urlconf="bench.urls").func == resolve(path).func


def test_the_bench_settings_are_the_products_plus_the_baselines():
    bench = importlib.import_module("bench.settings")
    assert bench.ROOT_URLCONF == "bench.urls"
    assert bench.ASGI_APPLICATION == "bench.asgi:application"
    assert bench.CELERY_IMPORTS == ["bench.baselines.tasks"]
    assert bench.INSTALLED_APPS == settings.INSTALLED_APPS


@pytest.mark.django_db(transaction=True)  # channels closes stale connections per message
async def test_only_the_bench_application_opens_a_baseline_socket():
    held = WebsocketCommunicator(bench_application, "/bench/ws/hold/", headers=ORIGIN)
    assert (await held.connect())[0]
    await held.disconnect()
    refused = WebsocketCommunicator(product_application, "/bench/ws/hold/", headers=ORIGIN)
    with pytest.raises(ValueError, match="No route found"):
        await refused.connect()
