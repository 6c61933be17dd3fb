"""The Messenger Platform adapter: the modules of this folder behind the common interface."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from ..base import InboundMessage, OutboundMessage, Payload, SendResult, StatusUpdate, raw_bytes
from . import media, parse, send, signature

DEFAULT_BASE_URL = "https://graph.facebook.com/v25.0"


class MessengerAdapter:
    kind = "messenger"

    def __init__(self, base_url: str = DEFAULT_BASE_URL) -> None:
        self.base_url = base_url

    def verify_signature(
        self,
        raw_body: bytes,
        headers: Mapping[str, str],
        secret_or_token: str,
        url: str | None = None,
        params: Mapping[str, str] | None = None,
    ) -> bool:
        return signature.verify(raw_body, headers, secret_or_token)

    def candidate_account_ids(self, payload: Payload) -> list[str]:
        return parse.candidate_account_ids(raw_bytes(payload))

    def parse(self, payload: Payload) -> tuple[list[InboundMessage], list[StatusUpdate]]:
        return parse.parse(raw_bytes(payload))

    def send(
        self,
        credentials: Mapping[str, str],
        account_external_id: str,
        message: OutboundMessage,
        *,
        client: httpx.Client,
    ) -> SendResult:
        return send.send(
            credentials, account_external_id, message, client=client, base_url=self.base_url
        )

    def fetch_media(
        self, credentials: Mapping[str, str], media_ref: str, *, client: httpx.Client
    ) -> tuple[bytes, str, str]:
        return media.fetch_media(credentials, media_ref, client=client)
