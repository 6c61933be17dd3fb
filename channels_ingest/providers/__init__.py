"""One adapter per provider behind one interface (base.Adapter); see registry.get_adapter."""

from .base import (
    Adapter,
    DeliveryError,
    InboundAttachment,
    InboundMessage,
    MalformedPayload,
    OutboundMessage,
    SendResult,
    StatusUpdate,
)
from .registry import get_adapter

__all__ = [
    "Adapter",
    "DeliveryError",
    "InboundAttachment",
    "InboundMessage",
    "MalformedPayload",
    "OutboundMessage",
    "SendResult",
    "StatusUpdate",
    "get_adapter",
]
