"""Signed inbound endpoints (docs/api.md: Provider webhooks). Thin: verify, parse, store.

The signature is checked over the raw body before anything is parsed for
storage; an unsigned or wrongly signed request writes nothing (403). A 200 is
answered only after the transaction holding the messages has committed.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from channels_ingest import services
from channels_ingest.models import ChannelAccount
from channels_ingest.providers.base import MalformedPayload
from channels_ingest.providers.meta import subscription_challenge
from channels_ingest.providers.registry import get_adapter

logger = logging.getLogger(__name__)

MAX_WEBHOOK_BYTES = 1024 * 1024


def _forbidden() -> HttpResponse:
    return JsonResponse({"detail": "Signature missing or wrong."}, status=403)


def _bad_request(why: str) -> HttpResponse:
    return JsonResponse({"detail": why}, status=400)


def _meta_verify(request: HttpRequest, kind: str) -> HttpResponse:
    """Meta's subscription handshake: echo the challenge when a verify_token matches."""
    tokens = [
        account.credentials.get("verify_token", "")
        for account in ChannelAccount.objects.filter(kind=kind, active=True)
    ]
    challenge = subscription_challenge(request.GET, [token for token in tokens if token])
    if challenge is None:
        return JsonResponse({"detail": "Verification failed."}, status=403)
    return HttpResponse(challenge, content_type="text/plain")


def _ingest(request: HttpRequest, kind: str, *, url: str | None = None) -> HttpResponse | None:
    """Verify and store; returns the error response, or None when stored."""
    raw = request.body
    if len(raw) > MAX_WEBHOOK_BYTES:
        return JsonResponse({"detail": "Body too large."}, status=413)
    if url is None and request.content_type != "application/json":
        # Meta always posts JSON; anything else is not theirs, signed or not.
        return JsonResponse({"detail": "Expected application/json."}, status=415)
    adapter = get_adapter(kind)
    payload = request.POST if url is not None else raw
    secret_name = "auth_token" if kind == "sms" else "app_secret"

    def verified_accounts(*, fresh: bool) -> list[ChannelAccount]:
        candidates = services.accounts_for(
            kind, adapter.candidate_account_ids(payload), fresh=fresh
        )
        return [
            account
            for account in candidates
            if adapter.verify_signature(
                raw,
                request.headers,
                account.credentials.get(secret_name, ""),
                url=url,
                params=request.POST if url is not None else None,
            )
        ]

    try:
        # The per-process cache first; before refusing, the database (a secret rotated or
        # an account added in another process within the cache's few seconds).
        verified = verified_accounts(fresh=False) or verified_accounts(fresh=True)
        messages, statuses = adapter.parse(payload) if verified else ([], [])
    except MalformedPayload as exc:
        return _bad_request(f"Malformed body: {exc}")
    if not verified:
        return _forbidden()
    try:
        services.webhook_ingest(accounts=verified, messages=messages, statuses=statuses)
    except (IntegrityError, ObjectDoesNotExist):
        # A cached account (or the queue or agent it routes to) deleted in another
        # process: the old row's id fails a foreign key at commit, or its queue is gone.
        # Rolled back; once more with the rows as they are now.
        verified = verified_accounts(fresh=True)
        if not verified:
            return _forbidden()
        services.webhook_ingest(accounts=verified, messages=messages, statuses=statuses)
    return None


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _meta_verify(request, "whatsapp")
    return _ingest(request, "whatsapp") or HttpResponse("OK", content_type="text/plain")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def messenger(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _meta_verify(request, "messenger")
    return _ingest(request, "messenger") or HttpResponse(
        "EVENT_RECEIVED", content_type="text/plain"
    )


def public_url(request: HttpRequest) -> str:
    """The URL Twilio called and signed. Behind a TLS proxy Django sees another one
    (docs/providers.md): PUBLIC_BASE_URL, when set, is the truth."""
    if settings.PUBLIC_BASE_URL:
        return settings.PUBLIC_BASE_URL + request.get_full_path()
    return request.build_absolute_uri()


def _twilio(request: HttpRequest) -> HttpResponse:
    if "application/x-www-form-urlencoded" not in request.content_type:
        return _bad_request("Expected a form post.")
    error = _ingest(request, "sms", url=public_url(request))
    if error is not None:
        return error
    return HttpResponse("<Response></Response>", content_type="text/xml")


@csrf_exempt
@require_http_methods(["POST"])
def twilio_sms(request: HttpRequest) -> HttpResponse:
    return _twilio(request)


@csrf_exempt
@require_http_methods(["POST"])
def twilio_status(request: HttpRequest) -> HttpResponse:
    return _twilio(request)
