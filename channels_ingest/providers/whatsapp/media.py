"""Downloading inbound WhatsApp media: look the id up, then fetch the short-lived URL."""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping

import httpx

from ..base import DeliveryError
from ..graph_errors import delivery_error
from ..http import download, download_error, json_body, request

# The looked-up URL lives about 5 minutes; 401/404 means "look it up again".
EXPIRED_URL_STATUSES = frozenset({401, 404})


def fetch_media(
    credentials: Mapping[str, str],
    media_id: str,
    *,
    client: httpx.Client,
    base_url: str,
) -> tuple[bytes, str, str]:
    """(bytes, content type, file name) of a media id, re-looking it up once if it expired."""
    headers = {"Authorization": f"Bearer {credentials.get('access_token', '')}"}
    for _attempt in range(2):
        url, mime_type = _lookup(client, base_url, media_id, headers)
        # The Bearer goes to the returned URL's host only, never across a redirect.
        downloaded = download(client, url, headers=headers)
        if downloaded.status_code == 200:
            content_type = mime_type or downloaded.content_type
            extension = mimetypes.guess_extension(content_type.split(";")[0]) or ""
            return downloaded.data, content_type, f"{media_id}{extension}"
        if downloaded.status_code not in EXPIRED_URL_STATUSES:
            break
    raise download_error(f"WhatsApp media {media_id}", downloaded)


def _lookup(
    client: httpx.Client, base_url: str, media_id: str, headers: dict[str, str]
) -> tuple[str, str]:
    response = request(client, "GET", f"{base_url.rstrip('/')}/{media_id}", headers=headers)
    if response.status_code != 200:
        raise delivery_error(response, "WhatsApp")
    info = json_body(response)
    if not isinstance(info.get("url"), str) or not info["url"]:
        raise DeliveryError(
            f"WhatsApp media {media_id}: lookup without a URL", permanent=True, code="no_url"
        )
    return info["url"], str(info.get("mime_type") or "")
