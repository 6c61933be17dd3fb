"""kind -> adapter, with base URLs from settings unless given."""

from __future__ import annotations

import pytest

from channels_ingest.providers import get_adapter
from channels_ingest.providers.base import ProviderAdapter


@pytest.mark.parametrize("kind", ["whatsapp", "messenger", "sms"])
def test_every_provider_kind_has_an_adapter_implementing_the_interface(kind):
    adapter = get_adapter(kind, base_url="http://emulator.invalid")
    assert isinstance(adapter, ProviderAdapter)
    assert adapter.kind == kind


def test_live_chat_and_unknown_kinds_have_none():
    for kind in ("livechat", "telegram"):
        with pytest.raises(LookupError):
            get_adapter(kind)


def test_base_urls_come_from_settings_by_default(settings):
    settings.WHATSAPP_GRAPH_URL = "http://127.0.0.1:1/whatsapp/v25.0"
    settings.TWILIO_API_URL = "http://127.0.0.1:1/twilio"
    settings.PUBLIC_BASE_URL = "https://desk.example.com"
    assert get_adapter("whatsapp").base_url == "http://127.0.0.1:1/whatsapp/v25.0"
    twilio = get_adapter("sms")
    assert twilio.base_url == "http://127.0.0.1:1/twilio"
    assert twilio.status_callback_url == "https://desk.example.com/webhooks/twilio/status/"


def test_without_a_public_url_twilio_gets_no_status_callback(settings):
    settings.PUBLIC_BASE_URL = ""
    assert get_adapter("sms").status_callback_url == ""
