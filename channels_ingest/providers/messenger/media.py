"""Downloading Messenger attachments: expiring CDN links, fetched without credentials."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from ..http import download, download_error, filename_for


def fetch_media(
    credentials: Mapping[str, str], url: str, *, client: httpx.Client
) -> tuple[bytes, str, str]:
    """(bytes, content type, file name); no token is sent, the CDN URL is its own key."""
    downloaded = download(client, url)
    if downloaded.status_code != 200:
        raise download_error("Messenger attachment", downloaded)
    content_type = downloaded.content_type or "application/octet-stream"
    return downloaded.data, content_type, filename_for(url, content_type, "attachment")
