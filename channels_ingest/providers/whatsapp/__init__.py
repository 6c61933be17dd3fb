"""WhatsApp Cloud API (PROVIDERS.md §1)."""

from .adapter import WhatsAppAdapter

__all__ = ["WhatsAppAdapter"]
