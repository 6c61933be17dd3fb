"""Twilio Programmable Messaging: SMS and MMS (PROVIDERS.md §3)."""

from .adapter import TwilioSmsAdapter

__all__ = ["TwilioSmsAdapter"]
