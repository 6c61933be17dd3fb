"""`/livechat/widget.js` and the visitor demo page `/livechat/demo/`."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseNotModified,
)
from django.template import Context, Engine
from django.views.decorators.http import require_GET

from channels_ingest import signed_media
from channels_ingest.livechat import links, selectors
from channels_ingest.models import ChannelAccount
from chatdesk.inbox.models import Attachment

HERE = Path(__file__).resolve().parent
WIDGET_CACHE_SECONDS = 300
# livechat/ is a package, not an app, so the app template loader does not see its
# templates; a private engine does (autoescaping on, as everywhere).
_engine = Engine(dirs=[str(HERE / "templates")], autoescape=True)


@cache
def _widget() -> tuple[bytes, str]:
    body = (HERE / "static" / "livechat" / "widget.js").read_bytes()
    return body, f'"{hashlib.sha256(body).hexdigest()[:32]}"'


@require_GET
def widget_js(request: HttpRequest) -> HttpResponse:
    """Short cache, so a new widget reaches every site within minutes; ETag spares the body."""
    body, etag = _widget()
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={WIDGET_CACHE_SECONDS}"
    # Host pages may load it with crossorigin="anonymous" (subresource integrity).
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def demo_page(request: HttpRequest) -> HttpResponse:
    """A fake shop that embeds the widget of the first active live-chat site."""
    site = (
        ChannelAccount.objects.filter(kind=ChannelAccount.Kind.LIVECHAT, active=True)
        .order_by("pk")
        .first()
    )
    if site is None:
        raise Http404("No active live-chat site is configured; run the demo seed.")
    html = _engine.get_template("livechat/demo.html").render(
        Context({"site_key": site.external_id, "site_name": site.name})
    )
    return HttpResponse(html)


@require_GET
def visitor_file(
    request: HttpRequest, attachment_id: int, variant: str, token: str = ""
) -> HttpResponse | FileResponse:
    """A chat's file for the visitor, by a signed link: no header, so an <img> can show it."""
    refused = HttpResponseForbidden("This link has expired or is not valid.")
    if variant not in links.VARIANTS:
        return refused
    try:
        session_id = links.session_of(token, attachment_id=attachment_id, variant=variant)
    except links.LinkRefused:
        return refused
    if not selectors.link_session_may_open(session_id=session_id, attachment_id=attachment_id):
        return refused
    response = signed_media.attachment_response(
        Attachment.objects.get(pk=attachment_id), variant=variant
    )
    # The widget shows it on the customer's site, another origin than ours.
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["Cache-Control"] = "private, max-age=300"
    return response
