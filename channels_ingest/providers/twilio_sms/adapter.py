"""The Twilio SMS/MMS adapter; the work is done by this folder's functions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Self

import httpx

from ..base import (
    Answer,
    InboundMessage,
    Payload,
    ProviderAdapter,
    StatusUpdate,
    WebhookRefused,
    WebhookRequest,
)
from . import media, parse, send, signature
from .form import form_params

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
STATUS_CALLBACK_PATH = "/webhooks/twilio/status/"  # docs/api.md: Provider webhooks


class TwilioSmsAdapter(ProviderAdapter):
    """Form-encoded webhooks signed over the public URL and the fields with the auth
    token, addressed by our number; sends and MMS downloads with HTTP Basic."""

    kind = "sms"
    base_url_setting = "TWILIO_API_URL"
    default_base_url = "https://api.twilio.com"
    secret_credential = "auth_token"
    acknowledgement = Answer("<Response></Response>", "text/xml")  # empty TwiML: no reply

    def __init__(self, base_url: str | None = None, status_callback_url: str = "") -> None:
        super().__init__(base_url)
        # Our public status-callback URL; Twilio reports delivery only when given one.
        self.status_callback_url = status_callback_url

    @classmethod
    def from_settings(cls, settings: Any) -> Self:
        """Status callbacks are asked for only when the public URL is known."""
        public = settings.PUBLIC_BASE_URL
        return cls(settings.TWILIO_API_URL, public + STATUS_CALLBACK_PATH if public else "")

    def read(self, incoming: WebhookRequest) -> Payload:
        """The form fields as the framework parsed them (the validator needs every value)."""
        if incoming.content_type != FORM_CONTENT_TYPE:
            raise WebhookRefused(400, "Expected a form post.")
        return incoming.read_form()

    def candidate_account_ids(self, payload: Payload) -> list[str]:
        return parse.candidate_account_ids(payload)

    def verify_signature(
        self,
        raw_body: bytes,
        headers: Mapping[str, str],
        secret: str,
        *,
        url: str | None = None,
        params: Mapping[str, str] | None = None,
    ) -> bool:
        """`url` must be the public URL Twilio called; `params` defaults to the parsed body."""
        return signature.verify(
            params if params is not None else form_params(raw_body),
            headers,
            secret,
            url,
        )

    def verify(
        self, incoming: WebhookRequest, payload: Payload, credentials: Mapping[str, str]
    ) -> bool:
        """Twilio signs the URL and the parsed fields, not the raw bytes."""
        secret = credentials.get(self.secret_credential, "")
        return self.verify_signature(
            incoming.body, incoming.headers, secret, url=incoming.url, params=form_params(payload)
        )

    def parse(self, payload: Payload) -> tuple[list[InboundMessage], list[StatusUpdate]]:
        return parse.parse(payload)

    def handshake(self, query: Mapping[str, str], tokens: Iterable[str]) -> Answer:
        """Twilio has no handshake: its webhook URLs take POSTs only."""
        raise WebhookRefused(405, "Only POST is accepted here.", {"Allow": "POST"})

    send_reply = staticmethod(send.send)

    def send_options(self) -> dict[str, str]:
        return {"status_callback_url": self.status_callback_url}

    def fetch_media(
        self, credentials: Mapping[str, str], media_ref: str, *, client: httpx.Client
    ) -> tuple[bytes, str, str]:
        """A MediaUrlN: Basic auth to the Twilio API's own origin only."""
        return media.fetch_media(credentials, media_ref, client=client, base_url=self.base_url)
