"""The WhatsApp Cloud API adapter; the work is done by this folder's functions."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from ..base import Answer, Payload, raw_bytes
from ..meta import MetaPlatformAdapter
from . import media, parse, send


class WhatsAppAdapter(MetaPlatformAdapter):
    """Webhooks signed with the app secret and addressed by phone_number_id; sends and
    media lookups with the account's access token."""

    kind = "whatsapp"
    base_url_setting = "WHATSAPP_GRAPH_URL"
    acknowledgement = Answer("OK")

    account_ids_in = staticmethod(parse.candidate_account_ids)
    messages_in = staticmethod(parse.parse)
    send_reply = staticmethod(send.send)

    def account_updates(self, payload: Payload) -> list[parse.AccountUpdate]:
        return parse.updates(raw_bytes(payload))

    def fetch_media(
        self, credentials: Mapping[str, str], media_ref: str, *, client: httpx.Client
    ) -> tuple[bytes, str, str]:
        """A media id: looked up at the API, then downloaded with the same token."""
        return media.fetch_media(credentials, media_ref, client=client, base_url=self.base_url)
