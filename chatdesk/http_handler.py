"""Django's ASGI handler, with the request's sync work done in one thread hop, not three.

Why: WhiteNoise and our own middleware are sync-only, and every view is sync. Given
that, Django's stock handler runs the middleware in a worker thread, comes back to
the event loop for its async core, and goes to the thread again for CSRF's
process_view and again for the view: with the request_started signal and the
response's close, six crossings between the loop and the request's thread, each a
future, a queue hand-off and a wake-up. The chain is built for sync mode here (as
under WSGI), so middleware and view run in one call on the request's thread: three
crossings. An async view, should one appear, still works (Django adapts it inside the
chain). Measured side by side on one stack, it spends less of daphne's CPU per request
in every round (docs/performance.md).

What does not change: each request still gets its own thread-sensitive context (its own
thread and database connection); the request_started and request_finished signals,
disconnect handling and response streaming are Django's own code.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.handlers import base
from django.core.handlers.asgi import ASGIHandler
from django.http import FileResponse, HttpRequest, HttpResponseBase


class OneHopASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        # Not ASGIHandler.__init__: it would build the chain for async mode.
        base.BaseHandler.__init__(self)
        self.load_middleware(is_async=False)

    async def run_get_response(self, request: HttpRequest) -> HttpResponseBase:
        response = await sync_to_async(self.get_response, thread_sensitive=True)(request)
        response._handler_class = self.__class__
        # As Django's own: a file streams in chunks as large as ASGI messages allow.
        if isinstance(response, FileResponse):
            response.block_size = self.chunk_size
        return response
