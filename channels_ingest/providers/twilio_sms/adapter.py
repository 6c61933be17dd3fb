"""The Twilio SMS/MMS adapter: the modules of this folder behind the common interface."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from ..base import InboundMessage, OutboundMessage, Payload, SendResult, StatusUpdate
from . import media, parse, send, signature
from .form import form_params

DEFAULT_BASE_URL = "https://api.twilio.com"


class TwilioSmsAdapter:
    kind = "sms"

    def __init__(self, base_url: str = DEFAULT_BASE_URL, status_callback_url: str = "") -> None:
        self.base_url = base_url
        # Our public status-callback URL; Twilio reports delivery only when given one.
        self.status_callback_url = status_callback_url

    def verify_signature(
        self,
        raw_body: bytes,
        headers: Mapping[str, str],
        secret_or_token: str,
        url: str | None = None,
        params: Mapping[str, str] | None = None,
    ) -> bool:
        """`url` must be the public URL Twilio called; `params` defaults to the parsed body."""
        return signature.verify(
            params if params is not None else form_params(raw_body),
            headers,
            secret_or_token,
            url,
        )

    def candidate_account_ids(self, payload: Payload) -> list[str]:
        return parse.candidate_account_ids(payload)

    def parse(self, payload: Payload) -> tuple[list[InboundMessage], list[StatusUpdate]]:
        return parse.parse(payload)

    def send(
        self,
        credentials: Mapping[str, str],
        account_external_id: str,
        message: OutboundMessage,
        *,
        client: httpx.Client,
    ) -> SendResult:
        return send.send(
            credentials,
            account_external_id,
            message,
            client=client,
            base_url=self.base_url,
            status_callback_url=self.status_callback_url,
        )

    def fetch_media(
        self, credentials: Mapping[str, str], media_ref: str, *, client: httpx.Client
    ) -> tuple[bytes, str, str]:
        return media.fetch_media(credentials, media_ref, client=client, base_url=self.base_url)
