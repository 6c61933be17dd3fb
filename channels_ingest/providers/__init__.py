"""One adapter per provider behind one interface (base.ProviderAdapter); see
registry.get_adapter."""

from .base import (
    Answer,
    DeliveryError,
    InboundAttachment,
    InboundMessage,
    MalformedPayload,
    OutboundMessage,
    ProviderAdapter,
    SendResult,
    StatusUpdate,
    WebhookRefused,
    WebhookRequest,
)
from .registry import get_adapter

__all__ = [
    "Answer",
    "DeliveryError",
    "InboundAttachment",
    "InboundMessage",
    "MalformedPayload",
    "OutboundMessage",
    "ProviderAdapter",
    "SendResult",
    "StatusUpdate",
    "WebhookRefused",
    "WebhookRequest",
    "get_adapter",
]
