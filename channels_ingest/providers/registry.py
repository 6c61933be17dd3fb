"""kind -> adapter. Adding a provider is one folder and one line in ADAPTERS."""

from __future__ import annotations

from collections.abc import Callable

from .base import Adapter
from .messenger import MessengerAdapter
from .twilio_sms import TwilioSmsAdapter
from .whatsapp import WhatsAppAdapter

# The ChannelAccount.kind values; live chat needs no adapter (it is our own widget).
ADAPTERS: dict[str, tuple[Callable[..., Adapter], str]] = {
    "whatsapp": (WhatsAppAdapter, "WHATSAPP_GRAPH_URL"),
    "messenger": (MessengerAdapter, "MESSENGER_GRAPH_URL"),
    "sms": (TwilioSmsAdapter, "TWILIO_API_URL"),
}
TWILIO_STATUS_PATH = "/webhooks/twilio/status/"  # docs/api.md: Provider webhooks


def get_adapter(kind: str, *, base_url: str | None = None) -> Adapter:
    """The adapter for a channel kind, talking to `base_url`.

    Without `base_url` the provider URL comes from Django settings, so tests and
    `make run` reach the loopback emulator and production the real API.
    """
    try:
        factory, setting = ADAPTERS[kind]
    except KeyError:
        raise LookupError(f"No provider adapter for channel kind {kind!r}") from None
    if base_url is None:
        from django.conf import settings  # only here: the adapters themselves stay pure

        base_url = getattr(settings, setting)
        if kind == "sms" and settings.PUBLIC_BASE_URL:
            return TwilioSmsAdapter(base_url, settings.PUBLIC_BASE_URL + TWILIO_STATUS_PATH)
    return factory(base_url)
