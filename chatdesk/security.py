"""Security headers Django does not set itself (docs/operations.md: Security).

SecurityMiddleware already sends nosniff, Referrer-Policy and, with DEBUG off,
HSTS; XFrameOptionsMiddleware sends X-Frame-Options. This adds the
Content-Security-Policy: scripts only from our own origin (no inline script,
no eval), nothing may frame us, forms post only to us. A view that sets its own
policy (attachment downloads: `default-src 'none'; sandbox`) keeps it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

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
