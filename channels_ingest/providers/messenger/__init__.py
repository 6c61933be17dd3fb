"""Facebook Messenger Platform (PROVIDERS.md §2)."""

from .adapter import MessengerAdapter

__all__ = ["MessengerAdapter"]
