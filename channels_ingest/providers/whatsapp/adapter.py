"""The WhatsApp Cloud API adapter; the work is done by this folder's functions."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from ..base import (
    Answer,
    InboundMessage,
    OutboundMessage,
    Payload,
    SendResult,
    StatusUpdate,
    raw_bytes,
)
from ..meta import MetaPlatformAdapter
from . import media, parse, send


class WhatsAppAdapter(MetaPlatformAdapter):
    """Webhooks signed with the app secret and addressed by phone_number_id; sends and
    media lookups with the account's access token."""

    kind = "whatsapp"
    base_url_setting = "WHATSAPP_GRAPH_URL"
    acknowledgement = Answer("OK")

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
        """A media id: looked up at the API, then downloaded with the same token."""
        return media.fetch_media(credentials, media_ref, client=client, base_url=self.base_url)
