"""WhatsApp Cloud API (docs/providers.md)."""

from .adapter import WhatsAppAdapter

__all__ = ["WhatsAppAdapter"]
