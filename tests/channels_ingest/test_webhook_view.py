"""One webhook view for every provider: the URL names the kind, the adapter does the rest."""

from __future__ import annotations

import ast
import inspect
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import URLPattern, resolve
from twilio.request_validator import RequestValidator

from channels_ingest import webhook_urls, webhooks
from channels_ingest.models import ChannelAccount
from channels_ingest.providers.registry import ADAPTERS, get_adapter
from chatdesk.inbox.models import Message
from tests.factories import ChannelAccountFactory

from .support import (
    MESSENGER_CREDENTIALS,
    OUR_NUMBER,
    PAGE_ID,
    PHONE_NUMBER_ID,
    TWILIO_CREDENTIALS,
    WHATSAPP_CREDENTIALS,
    form,
    meta_signature,
    raw,
)

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"
ACCOUNTS = {
    "whatsapp": (PHONE_NUMBER_ID, WHATSAPP_CREDENTIALS),
    "messenger": (PAGE_ID, MESSENGER_CREDENTIALS),
    "sms": (OUR_NUMBER, TWILIO_CREDENTIALS),
}


def _meta_post(fixture: str):
    def post(client: Client, path: str, secret: str):
        body = raw(fixture)
        headers = meta_signature(body, secret)
        return client.post(path, body, content_type="application/json", headers=headers)

    return post


def _twilio_post(fixture: str):
    def post(client: Client, path: str, secret: str):
        params = form(fixture)
        signature = RequestValidator(secret).compute_signature(f"http://testserver{path}", params)
        headers = {"X-Twilio-Signature": signature}
        return client.post(path, urlencode(params), content_type=FORM, headers=headers)

    return post


# Every webhook URL with a post its provider signs, and the messages it carries.
ROUTES = {
    "/webhooks/whatsapp/": (_meta_post("whatsapp_text.json"), 1),
    "/webhooks/messenger/": (_meta_post("messenger_text.json"), 1),
    "/webhooks/twilio/sms/": (_twilio_post("twilio_sms_inbound.txt"), 1),
    "/webhooks/twilio/status/": (_twilio_post("twilio_status_delivered.txt"), 0),
}


def test_every_route_is_the_one_view_and_every_adapter_has_a_route():
    routed = set()
    for pattern in webhook_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        assert pattern.callback is webhooks.receive
        assert pattern.default_args["kind"] in ADAPTERS
        routed.add(pattern.default_args["kind"])
    assert routed == set(ADAPTERS)
    assert {f"/webhooks/{p.pattern}" for p in webhook_urls.urlpatterns} == set(ROUTES)


def test_the_view_names_no_provider():
    """What differs between providers lives in their adapters, never in a branch here."""
    provider_words = set(ADAPTERS) | {FORM, "application/json"}
    for kind in ADAPTERS:
        provider_words |= set(ChannelAccount.REQUIRED_CREDENTIALS[kind])
    tree = ast.parse(inspect.getsource(webhooks))
    strings = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert not strings & provider_words
    assert len(inspect.getsource(webhooks.receive).splitlines()) <= 25


@pytest.mark.parametrize("path", sorted(ROUTES))
def test_each_route_stores_a_post_signed_with_its_adapters_secret_and_answers_its_way(
    path, queue_a
):
    kind = resolve(path).kwargs["kind"]
    adapter = get_adapter(kind)
    external_id, credentials = ACCOUNTS[kind]
    ChannelAccountFactory(
        kind=kind, external_id=external_id, credentials=credentials, route_queue=queue_a
    )
    post, carried = ROUTES[path]
    response = post(Client(), path, credentials[adapter.secret_credential])
    assert response.status_code == 200
    assert response.content.decode() == adapter.acknowledgement.body
    assert response["Content-Type"].startswith(adapter.acknowledgement.content_type)
    assert Message.objects.filter(direction="in").count() == carried


@pytest.mark.parametrize("path", sorted(ROUTES))
def test_each_route_refuses_a_post_signed_with_another_secret(path, queue_a):
    kind = resolve(path).kwargs["kind"]
    external_id, credentials = ACCOUNTS[kind]
    ChannelAccountFactory(
        kind=kind, external_id=external_id, credentials=credentials, route_queue=queue_a
    )
    post, _ = ROUTES[path]
    response = post(Client(), path, "another-secret")
    assert response.status_code == 403
    assert response.json() == {"detail": "Signature missing or wrong."}
    assert Message.objects.count() == 0


@pytest.mark.parametrize("path", sorted(ROUTES))
def test_a_get_is_the_adapters_handshake(path):
    kind = resolve(path).kwargs["kind"]
    external_id, credentials = ACCOUNTS[kind]
    ChannelAccountFactory(kind=kind, external_id=external_id, credentials=credentials)
    token = credentials.get(get_adapter(kind).handshake_credential, "")
    query = {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "1158201444"}
    response = Client().get(path, query)
    if token:  # Meta's subscription check
        assert (response.status_code, response.content) == (200, b"1158201444")
    else:  # Twilio has none: its URLs take POSTs only
        assert response.status_code == 405
        assert response["Allow"] == "POST"


@pytest.mark.parametrize("path", sorted(ROUTES))
def test_other_methods_are_refused_on_every_route(path):
    assert Client().put(path, b"").status_code == 405
