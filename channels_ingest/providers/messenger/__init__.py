"""Facebook Messenger Platform (docs/providers.md)."""

from .adapter import MessengerAdapter

__all__ = ["MessengerAdapter"]
