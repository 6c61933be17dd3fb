"""kind -> adapter, with base URLs from settings unless given; the interface they share."""

from __future__ import annotations

from types import ModuleType

import pytest

from channels_ingest.models import ChannelAccount
from channels_ingest.providers import get_adapter
from channels_ingest.providers.base import Answer, ProviderAdapter
from channels_ingest.providers.registry import ADAPTERS


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


# The whole interface: what the webhook view and the delivery tasks call on any adapter.
INTERFACE = {
    "read",
    "candidate_account_ids",
    "verify_signature",
    "parse",
    "handshake",
    "fetch_media",
}


def test_the_interface_is_what_every_adapter_must_implement():
    assert ProviderAdapter.__abstractmethods__ == INTERFACE


# What an adapter sets as data: its folder's send function (the interface's `send` calls it).
FUNCTIONS = {"send_reply"}


@pytest.mark.parametrize("kind", sorted(ADAPTERS))
def test_every_registered_adapter_implements_the_whole_interface(kind, settings):
    adapter_class = ADAPTERS[kind]
    assert adapter_class.kind == kind
    assert not adapter_class.__abstractmethods__  # nothing left unimplemented
    for name in INTERFACE:
        # Defined by a provider's class, not the interface's stub.
        assert getattr(adapter_class, name) is not getattr(ProviderAdapter, name)
    for name in FUNCTIONS:
        assert callable(getattr(adapter_class, name)), name
    assert isinstance(adapter_class.acknowledgement, Answer)
    assert isinstance(getattr(settings, adapter_class.base_url_setting), str)


@pytest.mark.parametrize("kind", sorted(ADAPTERS))
def test_the_credentials_an_adapter_verifies_with_are_ones_every_account_must_have(kind):
    required = ChannelAccount.REQUIRED_CREDENTIALS[kind]
    adapter_class = ADAPTERS[kind]
    assert adapter_class.secret_credential in required
    assert adapter_class.handshake_credential in (*required, "")


@pytest.mark.parametrize("kind", sorted(ADAPTERS))
def test_adapters_are_plain_classes_holding_no_modules(kind):
    adapter_class = ADAPTERS[kind]
    for klass in adapter_class.__mro__:
        for name, value in vars(klass).items():
            assert not isinstance(value, ModuleType), f"{klass.__name__}.{name} is a module"
    adapter = get_adapter(kind, base_url="http://emulator.invalid")
    assert not any(isinstance(value, ModuleType) for value in vars(adapter).values())
