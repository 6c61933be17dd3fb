"""Security headers Django does not set itself (docs/operations.md: Security).

SecurityMiddleware already sends nosniff, Referrer-Policy and, with DEBUG off,
HSTS; XFrameOptionsMiddleware sends X-Frame-Options. This adds the
Content-Security-Policy: scripts only from our own origin (no inline script,
no eval), nothing may frame us, forms post only to us. A view that sets its own
policy (attachment downloads: `default-src 'none'; sandbox`) keeps it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from rest_framework.negotiation import DefaultContentNegotiation

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # Inline style attributes are inert; inline *script* is what CSP must stop.
        "style-src 'self' 'unsafe-inline'",
        # data: for the inline SVG favicon, blob: for previews of files being sent.
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        # 'self' covers ws:/wss: to this host in CSP Level 3 browsers.
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class RejectNulInQueryMiddleware:
    """A NUL character in a query parameter is refused with 400.

    PostgreSQL text cannot hold NUL, so a search for one would end in a
    database error (500); nothing legitimate sends it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any(
            "\x00" in key or "\x00" in value
            for key, values in request.GET.lists()
            for value in values
        ):
            return JsonResponse(
                {"detail": "Query parameters cannot contain NUL characters."}, status=400
            )
        return self.get_response(request)


# What the internet reaches without signing in: provider webhooks, the widget and its
# files, the visitor API and socket, signed media for providers.
PUBLIC_PREFIXES = ("/webhooks/", "/livechat/", "/api/v1/livechat/", "/ws/", "/media/signed/")

_DETAILS = {
    400: "Bad request.",
    403: "Forbidden.",
    404: "Not found.",
    405: "Method not allowed.",
    413: "Body too large.",
    500: "Server error.",
}


class PublicJsonErrorsMiddleware:
    """Public endpoints answer errors as JSON `{"detail": ...}`, whatever DEBUG says.

    With DEBUG on, Django answers a 404, a 405, a malformed body or a crash with its
    debug page: URL patterns, settings and a traceback, which must never reach the
    internet (a demo left in DEBUG behind a tunnel is enough). Without DEBUG its pages
    are HTML nobody on these paths can use. Innermost in MIDDLEWARE, so the security
    headers of the outer middleware still apply to the JSON answer.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code < 400 or not request.path.startswith(PUBLIC_PREFIXES):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        detail = _DETAILS.get(response.status_code, response.reason_phrase + ".")
        answer = JsonResponse({"detail": detail}, status=response.status_code)
        for header in ("Allow", "Retry-After", "Vary", "Access-Control-Allow-Origin"):
            if header in response:
                answer[header] = response[header]
        return answer

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # A body Django cannot parse (a multipart post without its boundary, a client
        # gone mid-upload) is the sender's mistake, not a server error.
        if request.path.startswith(PUBLIC_PREFIXES) and isinstance(
            exception, MultiPartParserError | UnreadablePostError
        ):
            return JsonResponse({"detail": "Malformed body."}, status=400)
        return None


class PublicJsonNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, but JSON whatever the Accept header on public paths: a browser
    there gets the visitor API's answer and its field errors, not the browsable API."""

    def select_renderer(self, request, renderers, format_suffix=None):
        if request.path.startswith(PUBLIC_PREFIXES):
            for renderer in renderers:
                if renderer.media_type == "application/json":
                    return renderer, renderer.media_type
        return super().select_renderer(request, renderers, format_suffix)
