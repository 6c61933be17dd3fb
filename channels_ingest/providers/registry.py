"""kind -> adapter. Adding a provider is one folder and one line in ADAPTERS."""

from __future__ import annotations

from .base import ProviderAdapter
from .messenger import MessengerAdapter
from .twilio_sms import TwilioSmsAdapter
from .whatsapp import WhatsAppAdapter

# The ChannelAccount.kind values; live chat needs no adapter (it is our own widget).
ADAPTERS: dict[str, type[ProviderAdapter]] = {
    adapter.kind: adapter for adapter in (WhatsAppAdapter, MessengerAdapter, TwilioSmsAdapter)
}


def get_adapter(kind: str, *, base_url: str | None = None) -> ProviderAdapter:
    """The adapter for a channel kind, talking to `base_url`.

    Without `base_url` the adapter is configured from Django settings, so tests and
    `make run` reach the loopback emulator and production the real API.
    """
    try:
        adapter = ADAPTERS[kind]
    except KeyError:
        raise LookupError(f"No provider adapter for channel kind {kind!r}") from None
    if base_url is None:
        from django.conf import settings  # only here: the adapters themselves stay pure

        return adapter.from_settings(settings)
    return adapter(base_url)
