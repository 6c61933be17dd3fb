"""HTTP plumbing shared by the adapters: transport errors, Retry-After, safe downloads."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import httpx

from .base import DeliveryError

# The largest file any provider delivers (WhatsApp documents, docs/providers.md).
MAX_MEDIA_BYTES = 100 * 1024 * 1024
MAX_REDIRECTS = 5
_REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class Downloaded:
    data: bytes
    content_type: str
    url: str  # where the bytes finally came from, after redirects
    status_code: int


def request(client: httpx.Client, method: str, url: str, **kwargs: object) -> httpx.Response:
    """Send one request; a timeout or a network failure is transient (docs/providers.md)."""
    try:
        return client.request(method, url, **kwargs)  # type: ignore[arg-type]
    except httpx.TimeoutException as exc:
        raise DeliveryError(f"Timed out: {exc!r}", permanent=False, code="timeout") from exc
    except httpx.TransportError as exc:
        raise DeliveryError(f"Network error: {exc!r}", permanent=False, code="network") from exc


def json_body(response: httpx.Response) -> dict:
    """The JSON object of a response, or {} when the body is not one (proxies, HTML pages)."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def retry_after(response: httpx.Response) -> float | None:
    """Retry-After as seconds; it may be a number or an HTTP date (RFC 9110 §10.2.3)."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def is_transient_status(status_code: int) -> bool:
    return status_code >= 500 or status_code in (408, 429)


def same_origin(a: httpx.URL, b: httpx.URL) -> bool:
    return (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port)


def download(
    client: httpx.Client,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    auth: httpx.Auth | tuple[str, str] | None = None,
    max_bytes: int = MAX_MEDIA_BYTES,
) -> Downloaded:
    """GET a file, following redirects by hand.

    Credentials (headers and auth) go only to the first URL's origin: Twilio and
    Meta redirect to CDNs that must never see our tokens, and the CDN may reject
    a request that carries them. Non-2xx answers are returned, not raised, so
    callers can react to 401/404 (an expired WhatsApp media URL).
    """
    origin = httpx.URL(url)
    current = origin
    for _ in range(MAX_REDIRECTS + 1):
        trusted = same_origin(current, origin)
        status, response_headers, data = _get_bounded(
            client,
            current,
            headers=headers if trusted else None,
            auth=auth if trusted else None,
            max_bytes=max_bytes,
        )
        location = response_headers.get("Location")
        if status not in _REDIRECT_CODES or not location:
            content_type = response_headers.get("Content-Type", "").split(";")[0].strip()
            return Downloaded(data, content_type, str(current), status)
        current = current.join(location)
    raise DeliveryError(f"Too many redirects from {url}", permanent=True, code="redirects")


def _get_bounded(
    client: httpx.Client,
    url: httpx.URL,
    *,
    headers: dict[str, str] | None,
    auth: httpx.Auth | tuple[str, str] | None,
    max_bytes: int,
) -> tuple[int, httpx.Headers, bytes]:
    """GET with a size cap, so a hostile or broken URL cannot fill memory."""
    try:
        # auth=None explicitly disables any client-wide auth for this hop.
        with client.stream(
            "GET", url, headers=headers, auth=auth, follow_redirects=False
        ) as response:
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise DeliveryError(
                        f"Media larger than {max_bytes} bytes", permanent=True, code="too_large"
                    )
                chunks.append(chunk)
            return response.status_code, response.headers, b"".join(chunks)
    except httpx.TimeoutException as exc:
        raise DeliveryError(f"Timed out: {exc!r}", permanent=False, code="timeout") from exc
    except httpx.TransportError as exc:
        raise DeliveryError(f"Network error: {exc!r}", permanent=False, code="network") from exc


def download_error(what: str, downloaded: Downloaded) -> DeliveryError:
    """A failed download: 5xx/429 may pass, anything else will not get better."""
    status = downloaded.status_code
    return DeliveryError(
        f"{what}: HTTP {status}",
        permanent=not is_transient_status(status),
        code=f"http_{status}",
    )


def filename_for(url: str, content_type: str, fallback_stem: str = "file") -> str:
    """A readable file name: the URL's last path segment, with an extension if it lacks one."""
    name = PurePosixPath(urlsplit(url).path).name or fallback_stem
    if not PurePosixPath(name).suffix:
        name += mimetypes.guess_extension(content_type or "") or ""
    return name


def send_parts(parts: list[dict], post_one: Callable[[dict], str]) -> str:
    """Post a message's parts in order and return the first part's provider id.

    Providers need separate requests for text and each file. Once one part was
    accepted, a failure of a later part is reported as permanent: an automatic
    retry would send the accepted parts again, so the agent decides instead.
    """
    if not parts:
        raise DeliveryError("Nothing to send: no text and no file", permanent=True, code="empty")
    accepted: list[str] = []
    for part in parts:
        try:
            accepted.append(post_one(part))
        except DeliveryError as exc:
            if not accepted:
                raise
            raise DeliveryError(
                f"Sent {len(accepted)} of {len(parts)} parts, then: {exc.message}",
                permanent=True,
                code=exc.code,
            ) from exc
    return accepted[0]
