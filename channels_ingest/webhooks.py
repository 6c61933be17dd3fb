"""Signed inbound endpoints (docs/api.md: Provider webhooks): one view for every provider.

What differs between providers (the body's format, the credential that signs it, the
GET handshake, the answer) is their adapter's. The signature is checked over what the
provider signed before anything is parsed for storage; an unsigned or wrongly signed
request writes nothing (403). A 200 is answered only after the store has committed.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from channels_ingest import services
from channels_ingest.providers.base import Answer, WebhookRefused, WebhookRequest
from channels_ingest.providers.registry import get_adapter

MAX_WEBHOOK_BYTES = 1024 * 1024


@csrf_exempt
@require_http_methods(["GET", "POST"])
def receive(request: HttpRequest, kind: str) -> HttpResponse:
    """The webhook of the provider of `kind` (given by the URL, see webhook_urls.py)."""
    adapter = get_adapter(kind)
    try:
        incoming = webhook_request(request)
        if request.method == "GET":
            tokens = services.handshake_tokens(kind=kind, credential=adapter.handshake_credential)
            return _answer(adapter.handshake(incoming.query, tokens))
        payload = adapter.read(incoming)
        if not services.webhook_receive(adapter=adapter, incoming=incoming, payload=payload):
            raise WebhookRefused(403, "Signature missing or wrong.")
    except WebhookRefused as refused:
        return JsonResponse(
            {"detail": refused.detail}, status=refused.status, headers=refused.headers
        )
    return _answer(adapter.acknowledgement)


def webhook_request(request: HttpRequest) -> WebhookRequest:
    """The request as adapters see it; a body over MAX_WEBHOOK_BYTES is nobody's webhook."""
    if len(request.body) > MAX_WEBHOOK_BYTES:
        raise WebhookRefused(413, "Body too large.")
    return WebhookRequest(
        body=request.body,
        content_type=request.content_type or "",
        headers=request.headers,
        query=request.GET,
        url=public_url(request),
        read_form=lambda: request.POST,
    )


def public_url(request: HttpRequest) -> str:
    """The URL the provider called (Twilio signs it). Behind a TLS proxy Django sees
    another one (docs/providers.md): PUBLIC_BASE_URL, when set, is the truth."""
    if settings.PUBLIC_BASE_URL:
        return settings.PUBLIC_BASE_URL + request.get_full_path()
    return request.build_absolute_uri()


def _answer(answer: Answer) -> HttpResponse:
    return HttpResponse(answer.body, content_type=answer.content_type)
