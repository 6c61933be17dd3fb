"""The WhatsApp Cloud API adapter: the modules of this folder behind the common interface."""

from __future__ import annotations

from ..folder_adapter import FolderAdapter
from . import media, parse, send, signature

DEFAULT_BASE_URL = "https://graph.facebook.com/v25.0"


class WhatsAppAdapter(FolderAdapter):
    kind = "whatsapp"
    signature = signature
    parse_module = parse
    send_module = send
    media_module = media

    def __init__(self, base_url: str = DEFAULT_BASE_URL) -> None:
        super().__init__(base_url)
