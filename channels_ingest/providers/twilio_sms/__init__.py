"""Twilio Programmable Messaging: SMS and MMS (docs/providers.md)."""

from .adapter import TwilioSmsAdapter

__all__ = ["TwilioSmsAdapter"]
