"""An adapter assembled from a provider folder's modules (signature, parse, send, media).

WhatsApp and Messenger differ only in those modules; the interface plumbing
lives here once.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType

import httpx

from .base import InboundMessage, OutboundMessage, Payload, SendResult, StatusUpdate, raw_bytes


class FolderAdapter:
    kind: str
    signature: ModuleType
    parse_module: ModuleType
    send_module: ModuleType
    media_module: ModuleType
    # Whether the media download talks to our configured API base (WhatsApp's
    # two-step lookup) or follows absolute CDN URLs (Messenger).
    media_uses_base_url: bool = True

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def verify_signature(
        self,
        raw_body: bytes,
        headers: Mapping[str, str],
        secret_or_token: str,
        url: str | None = None,
        params: Mapping[str, str] | None = None,
    ) -> bool:
        return self.signature.verify(raw_body, headers, secret_or_token)

    def candidate_account_ids(self, payload: Payload) -> list[str]:
        return self.parse_module.candidate_account_ids(raw_bytes(payload))

    def parse(self, payload: Payload) -> tuple[list[InboundMessage], list[StatusUpdate]]:
        return self.parse_module.parse(raw_bytes(payload))

    def send(
        self,
        credentials: Mapping[str, str],
        account_external_id: str,
        message: OutboundMessage,
        *,
        client: httpx.Client,
    ) -> SendResult:
        return self.send_module.send(
            credentials, account_external_id, message, client=client, base_url=self.base_url
        )

    def fetch_media(
        self, credentials: Mapping[str, str], media_ref: str, *, client: httpx.Client
    ) -> tuple[bytes, str, str]:
        extra = {"base_url": self.base_url} if self.media_uses_base_url else {}
        return self.media_module.fetch_media(credentials, media_ref, client=client, **extra)
