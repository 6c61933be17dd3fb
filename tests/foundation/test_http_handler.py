"""The web process's HTTP handler, Django's own, through the real ASGI app: signals,
middleware and view on the request's one thread off the event loop (its database
connection is closed by the same thread that opened it), and streamed files.
"""

from __future__ import annotations

import threading

import pytest
from asgiref.testing import ApplicationCommunicator
from django.core.handlers.asgi import ASGIHandler
from django.core.signals import request_finished, request_started
from django.db import connection
from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import path

from chatdesk.asgi import application

seen: dict[str, object] = {}


def _where(request: HttpRequest) -> HttpResponse:
    seen["view"] = threading.get_ident()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    seen["connection"] = connection
    return HttpResponse("here")


def _file(request: HttpRequest) -> FileResponse:
    seen["file"] = open(__file__, "rb")  # noqa: SIM115 - the response closes it
    return FileResponse(seen["file"], content_type="text/plain")


urlpatterns = [path("where/", _where), path("file/", _file)]


@pytest.fixture
def urls_here(settings):
    settings.ROOT_URLCONF = __name__
    seen.clear()


async def _get(app, url: str) -> dict:
    """One GET through `app`; status, headers and the whole body once the app has finished.

    Not channels' HttpCommunicator: it cannot read a streamed response's last, empty chunk.
    """
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "GET",
        "path": url,
        "raw_path": url.encode(),
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    communicator = ApplicationCommunicator(app, scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(timeout=10)
    body = b""
    while True:
        chunk = await communicator.receive_output(timeout=10)
        body += chunk.get("body", b"")
        if not chunk.get("more_body", False):
            break
    await communicator.wait(timeout=10)  # the handler closes the response after sending it
    return {"status": start["status"], "headers": start["headers"], "body": body}


def test_the_asgi_app_serves_http_with_djangos_own_handler():
    assert type(application.application_mapping["http"]) is ASGIHandler


@pytest.mark.django_db(transaction=True)
async def test_signals_middleware_and_view_share_the_request_thread_off_the_loop(urls_here):
    threads: dict[str, int] = {}

    def started(**_kwargs):
        threads["started"] = threading.get_ident()

    def finished(**_kwargs):
        threads["finished"] = threading.get_ident()

    request_started.connect(started)
    request_finished.connect(finished)
    try:
        response = await _get(application, "/where/")
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)

    assert response["status"] == 200
    assert response["body"] == b"here"
    # Our middleware still ran: the CSP header is set.
    assert b"content-security-policy" in {name.lower() for name, _ in response["headers"]}
    assert threads["started"] == seen["view"] == threads["finished"]
    assert seen["view"] != threading.get_ident()  # not on the event loop
    # request_finished closed the connection on the thread that opened it.
    assert seen["connection"].connection is None


async def test_a_file_response_still_streams_and_closes_its_file(urls_here):
    response = await _get(application, "/file/")
    assert response["status"] == 200
    with open(__file__, "rb") as source:
        assert response["body"] == source.read()
    assert seen["file"].closed
