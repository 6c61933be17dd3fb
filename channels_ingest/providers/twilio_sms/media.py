"""Downloading MMS media: Basic auth to Twilio only, never to the CDN it redirects to."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from ..http import download, download_error, filename_for, same_origin


def fetch_media(
    credentials: Mapping[str, str], url: str, *, client: httpx.Client, base_url: str
) -> tuple[bytes, str, str]:
    """(bytes, content type, file name) of a MediaUrlN.

    The account credentials go only to the Twilio API's own origin: a MediaUrl
    on any other host is fetched without them, and so is every redirect.
    """
    trusted = same_origin(httpx.URL(url), httpx.URL(base_url))
    auth = (credentials.get("account_sid", ""), credentials.get("auth_token", ""))
    downloaded = download(client, url, auth=auth if trusted else None)
    if downloaded.status_code != 200:
        raise download_error("Twilio media", downloaded)
    content_type = downloaded.content_type or "application/octet-stream"
    return downloaded.data, content_type, filename_for(url, content_type, "media")
