"""The Messenger Platform adapter; the work is done by this folder's functions."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from ..base import Answer
from ..meta import MetaPlatformAdapter
from . import media, parse, send


class MessengerAdapter(MetaPlatformAdapter):
    """Webhooks signed with the app secret and addressed by page id; sends with the page
    access token."""

    kind = "messenger"
    base_url_setting = "MESSENGER_GRAPH_URL"
    acknowledgement = Answer("EVENT_RECEIVED")

    account_ids_in = staticmethod(parse.candidate_account_ids)
    messages_in = staticmethod(parse.parse)
    send_reply = staticmethod(send.send)

    def fetch_media(
        self, credentials: Mapping[str, str], media_ref: str, *, client: httpx.Client
    ) -> tuple[bytes, str, str]:
        """An absolute CDN URL, fetched without credentials: the API base is not involved."""
        return media.fetch_media(credentials, media_ref, client=client)
