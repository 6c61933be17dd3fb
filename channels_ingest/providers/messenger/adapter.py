"""The Messenger Platform adapter; the work is done by this folder's functions."""

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


class MessengerAdapter(MetaPlatformAdapter):
    """Webhooks signed with the app secret and addressed by page id; sends with the page
    access token."""

    kind = "messenger"
    base_url_setting = "MESSENGER_GRAPH_URL"
    acknowledgement = Answer("EVENT_RECEIVED")

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
        """An absolute CDN URL, fetched without credentials: the API base is not involved."""
        return media.fetch_media(credentials, media_ref, client=client)
