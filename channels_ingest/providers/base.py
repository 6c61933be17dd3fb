"""Provider-neutral types and the one interface every provider adapter implements.

Adapters are pure: no Django models, no settings of their own. The webhook view and
the Celery tasks turn what they return into stored messages and statuses
(docs/providers.md).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, Self

import httpx

# Message kinds an adapter may report; the inbox may show an icon per kind.
MESSAGE_KINDS = frozenset(
    {
        "text",
        "image",
        "document",
        "audio",
        "video",
        "sticker",
        "location",
        "contacts",
        "interactive",
        "button",
        "reaction",
        "postback",
        "unsupported",
        "order",
        "system",
        "request_welcome",
    }
)
STATUSES = ("sent", "delivered", "read", "failed")

# Either raw request bytes (Meta JSON, Twilio form body) or already parsed
# form parameters (Django's QueryDict for Twilio).
Payload = bytes | Mapping[str, str]


@dataclass(frozen=True, slots=True)
class InboundAttachment:
    media_ref: str  # provider media id (WhatsApp) or URL (Messenger, Twilio)
    content_type: str
    filename: str = ""
    caption: str = ""
    sha256: str = ""  # as the provider gave it: hex or base64, see digest_matches


@dataclass(frozen=True, slots=True)
class InboundMessage:
    account_external_id: str
    provider_message_id: str
    sender_address: str
    sender_name: str
    body: str
    sent_at: datetime  # UTC aware
    attachments: tuple[InboundAttachment, ...] = ()
    reply_to: str = ""
    kind: str = "text"


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    account_external_id: str
    provider_message_id: str  # empty for a Messenger watermark without mids
    status: str  # sent | delivered | read | failed
    at: datetime | None
    error_code: str = ""
    error_message: str = ""
    # Messenger delivery/read: every message sent up to this moment has the status.
    watermark: datetime | None = None
    # Whose receipt it is (Messenger PSID): a watermark applies to the replies to them.
    recipient: str = ""


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    to: str
    body: str
    media_urls: tuple[str, ...] = ()
    media_types: tuple[str, ...] = ()  # content type per media URL, same order
    reply_to: str = ""
    # WhatsApp: an approved template instead of the body, {"name", "language",
    # "parameters": [text, ...]} (the body then only records what the customer reads).
    template: Mapping[str, Any] | None = None
    # Messenger: the message tag a reply outside the standard window needs (HUMAN_AGENT).
    tag: str = ""


@dataclass(frozen=True, slots=True)
class SendResult:
    provider_message_id: str
    status: str  # "sent" (accepted) or "pending" (queued at the provider)


class DeliveryError(Exception):
    """A send or media download failed.

    `permanent` tells the caller whether retrying can help: a permanent error is
    shown to the agent (message marked failed), a transient one is retried with
    backoff, waiting at least `retry_after` seconds when the provider said so.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        code: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.code = code
        self.retry_after = retry_after

    def __repr__(self) -> str:
        kind = "permanent" if self.permanent else "transient"
        return f"DeliveryError({self.message!r}, {kind}, code={self.code!r})"


class WebhookRefused(Exception):
    """A webhook request its provider's rules refuse: answered with `status`, nothing stored."""

    def __init__(self, status: int, detail: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = dict(headers or {})


class MalformedPayload(WebhookRefused, ValueError):
    """The webhook body is not the provider's format at all (answered 400)."""

    def __init__(self, reason: str) -> None:
        super().__init__(400, f"Malformed body: {reason}")


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    """A webhook request as the adapters see it: no framework types, just what was sent."""

    body: bytes  # the raw bytes, which is what providers sign
    content_type: str  # without parameters, e.g. "application/json"
    headers: Mapping[str, str]
    query: Mapping[str, str]
    url: str  # the public URL the provider called (Twilio signs it)
    # The parsed form body (a Django QueryDict in the view): parsed only when asked for,
    # so a JSON provider's request is never parsed as a form.
    read_form: Callable[[], Mapping[str, str]]


@dataclass(frozen=True, slots=True)
class Answer:
    """What a webhook request is answered with (status 200)."""

    body: str
    content_type: str = "text/plain"


class ProviderAdapter(ABC):
    """One provider behind the interface the webhook view and the delivery tasks use.

    Class attributes say what differs between providers as data: which credential
    verifies a webhook, which one a GET handshake is checked against, what a stored
    webhook is answered with, which setting holds the API's base URL.
    """

    kind: ClassVar[str]  # the ChannelAccount.kind it serves
    base_url_setting: ClassVar[str]  # the Django setting naming the API base URL
    default_base_url: ClassVar[str]
    secret_credential: ClassVar[str]  # the account credential a webhook is signed with
    handshake_credential: ClassVar[str] = ""  # "" when the provider has no GET handshake
    acknowledgement: ClassVar[Answer]
    # The folder's send function: (credentials, external id, message, *, client,
    # base_url, **send_options()) -> SendResult. A function, set with staticmethod.
    send_reply: ClassVar[Callable[..., SendResult]]

    def __init__(self, base_url: str | None = None) -> None:
        self.base_url = base_url or self.default_base_url

    @classmethod
    def from_settings(cls, settings: Any) -> Self:
        """The adapter as configured (Django's settings are handed in, never imported)."""
        return cls(getattr(settings, cls.base_url_setting))

    # Webhooks: read -> candidate_account_ids -> verify -> parse.

    @abstractmethod
    def read(self, incoming: WebhookRequest) -> Payload:
        """The payload to verify and parse; WebhookRefused when it cannot be this provider's."""

    @abstractmethod
    def candidate_account_ids(self, payload: Payload) -> list[str]:
        """The external ids of the accounts the payload addresses, to verify against."""

    @abstractmethod
    def verify_signature(self, raw_body: bytes, headers: Mapping[str, str], secret: str) -> bool:
        """Whether the request is signed with the account's `secret`, in constant time."""

    def verify(
        self, incoming: WebhookRequest, payload: Payload, credentials: Mapping[str, str]
    ) -> bool:
        """Whether an account's credentials sign this request."""
        secret = credentials.get(self.secret_credential, "")
        return self.verify_signature(incoming.body, incoming.headers, secret)

    @abstractmethod
    def parse(self, payload: Payload) -> tuple[list[InboundMessage], list[StatusUpdate]]:
        """Every message and status the payload carries; unknown fields are ignored."""

    @abstractmethod
    def handshake(self, query: Mapping[str, str], tokens: Iterable[str]) -> Answer:
        """The answer to a GET on the webhook URL, given the accounts' handshake tokens."""

    # Delivery.

    def send(
        self,
        credentials: Mapping[str, str],
        account_external_id: str,
        message: OutboundMessage,
        *,
        client: httpx.Client,
    ) -> SendResult:
        """The provider's id and status of the sent message, or a DeliveryError."""
        return self.send_reply(
            credentials,
            account_external_id,
            message,
            client=client,
            base_url=self.base_url,
            **self.send_options(),
        )

    def account_updates(self, payload: Payload) -> list[Any]:
        """Changes about the provider account rather than customers' messages (Meta's
        template statuses, the business app's own messages...), for meta_updates.py;
        read only to route, applied once the body is verified."""
        return []

    def send_options(self) -> dict[str, str]:
        """What else this adapter's `send_reply` takes (a Twilio status-callback URL)."""
        return {}

    @abstractmethod
    def fetch_media(
        self, credentials: Mapping[str, str], media_ref: str, *, client: httpx.Client
    ) -> tuple[bytes, str, str]:
        """(bytes, content type, file name) of an inbound attachment, or a DeliveryError."""


def header_value(headers: Mapping[str, str], name: str) -> str:
    """Case-insensitive header lookup for Django's HttpHeaders and plain dicts alike."""
    value = headers.get(name)
    if value is not None:
        return value
    wanted = name.lower()
    for key, candidate in headers.items():
        if key.lower() == wanted:
            return candidate
    return ""


def raw_bytes(payload: Payload) -> bytes:
    """JSON providers sign and parse bytes; parsed form parameters are a caller's mistake."""
    if not isinstance(payload, bytes | bytearray | memoryview):
        raise MalformedPayload("Expected the raw request body as bytes")
    return bytes(payload)


def from_unix(seconds: float | str | None) -> datetime | None:
    """A provider's Unix timestamp as an aware UTC datetime; None when absent or garbled."""
    try:
        return datetime.fromtimestamp(float(seconds), tz=UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def from_unix_ms(millis: float | str | None) -> datetime | None:
    try:
        return from_unix(float(millis) / 1000)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def digest_matches(data: bytes, declared: str) -> bool:
    """Check bytes against a provider's sha256, which may be hex or base64 (docs/providers.md)."""
    digest = hashlib.sha256(data).digest()
    declared = declared.strip()
    if len(declared) == 64:
        try:
            return hmac.compare_digest(digest, bytes.fromhex(declared))
        except ValueError:
            pass  # 64 characters of base64 is impossible for 32 bytes, but stay safe
    try:
        return hmac.compare_digest(digest, base64.b64decode(declared, validate=True))
    except (binascii.Error, ValueError):
        return False
