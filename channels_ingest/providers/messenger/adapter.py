"""The Messenger Platform adapter: the modules of this folder behind the common interface."""

from __future__ import annotations

from ..folder_adapter import FolderAdapter
from . import media, parse, send, signature

DEFAULT_BASE_URL = "https://graph.facebook.com/v25.0"


class MessengerAdapter(FolderAdapter):
    kind = "messenger"
    signature = signature
    parse_module = parse
    send_module = send
    media_module = media
    media_uses_base_url = False  # attachment URLs are absolute CDN links

    def __init__(self, base_url: str = DEFAULT_BASE_URL) -> None:
        super().__init__(base_url)
