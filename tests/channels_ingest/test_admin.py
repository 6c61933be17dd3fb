"""Channel accounts in admin: secrets never shown back, kept when left blank."""

from __future__ import annotations

import pytest
from django.test import Client

from channels_ingest.models import ChannelAccount
from chatdesk.accounts.models import Role
from tests.factories import ChannelAccountFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client():
    web = Client()
    web.force_login(UserFactory(username="root", role=Role.SYSTEM_OWNER))
    return web


def test_secrets_are_masked_and_kept_when_blank(owner_client, queue_a):
    account = ChannelAccountFactory(
        kind="whatsapp",
        external_id="113355779900246",
        route_queue=queue_a,
        credentials={
            "access_token": "s3cret-token",
            "app_secret": "s3cret-app",
            "verify_token": "s3cret-verify",
        },
    )
    page = owner_client.get(f"/admin/channels_ingest/channelaccount/{account.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "s3cret" not in html
    assert "/webhooks/whatsapp/" in html
    response = owner_client.post(
        f"/admin/channels_ingest/channelaccount/{account.pk}/change/",
        {
            "kind": "whatsapp",
            "name": "Renamed",
            "external_id": "113355779900246",
            "route_queue": queue_a.pk,
            "allowed_origins": "[]",
            "active": "on",
            "secret_access_token": "new-token",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    account.refresh_from_db()
    assert account.name == "Renamed"
    assert account.credentials == {
        "access_token": "new-token",
        "app_secret": "s3cret-app",
        "verify_token": "s3cret-verify",
    }


def test_managers_and_agents_cannot_open_channel_accounts(queue_a):
    account = ChannelAccountFactory(route_queue=queue_a)
    for role in (Role.MANAGER, Role.AGENT):
        web = Client()
        web.force_login(UserFactory(username=f"u-{role}", role=role))
        page = web.get(f"/admin/channels_ingest/channelaccount/{account.pk}/change/")
        assert page.status_code in (302, 403)
    assert ChannelAccount.objects.count() == 1


def test_api_never_returns_credentials(queue_a, api):
    owner = UserFactory(username="sys", role=Role.SYSTEM_OWNER)
    ChannelAccountFactory(
        route_queue=queue_a,
        credentials={"access_token": "tok", "app_secret": "sec", "verify_token": "ver"},
    )
    body = api(owner).get("/api/v1/channel-accounts/").content.decode()
    assert "tok" not in body and "sec" not in body
    agent = UserFactory(username="plain")
    assert api(agent).get("/api/v1/channel-accounts/").status_code == 403


def test_a_live_chat_sites_widget_colour_and_greeting_are_set_in_admin(owner_client, queue_a):
    site = ChannelAccountFactory(kind="livechat", external_id="shop", route_queue=queue_a)
    url = f"/admin/channels_ingest/channelaccount/{site.pk}/change/"
    form = {
        "kind": "livechat",
        "name": "Shop",
        "external_id": "shop",
        "route_queue": queue_a.pk,
        "allowed_origins": "[]",
        "active": "on",
        "widget_greeting": "Hej! Ask us about sizes.",
    }
    refused = owner_client.post(url, {**form, "widget_color": "green"})
    assert refused.status_code == 200
    assert "six hex digits" in refused.content.decode()
    site.refresh_from_db()
    assert (site.widget_color, site.widget_greeting) == ("", "")
    saved = owner_client.post(url, {**form, "widget_color": "#0a7d4f"})
    assert saved.status_code == 302, saved.content.decode()[:2000]
    site.refresh_from_db()
    assert (site.widget_color, site.widget_greeting) == ("#0a7d4f", "Hej! Ask us about sizes.")
