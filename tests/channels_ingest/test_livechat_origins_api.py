"""A live-chat site's origins as the API names them, `credentials.allowed_origins`, and
as the field of their own: both spellings, in create and update."""

from __future__ import annotations

import pytest

from channels_ingest.models import ChannelAccount
from chatdesk.accounts.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(db):
    return UserFactory(username="sysowner", role=Role.SYSTEM_OWNER)


def _site(queue: int) -> dict:
    return {"kind": "livechat", "name": "Shop", "external_id": "shop-1", "route": {"queue": queue}}


def test_create_with_credentials_allowed_origins(api, owner, queue_a):
    body = {**_site(queue_a.pk), "credentials": {"allowed_origins": ["https://shop.example"]}}
    response = api(owner).post("/api/v1/channel-accounts/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["allowed_origins"] == ["https://shop.example"]
    account = ChannelAccount.objects.get(pk=response.json()["id"])
    assert account.allowed_origins == ["https://shop.example"]
    assert "allowed_origins" not in account.credentials


def test_create_with_the_field_of_its_own_still_works(api, owner, queue_a):
    body = {**_site(queue_a.pk), "allowed_origins": ["https://shop.example"]}
    response = api(owner).post("/api/v1/channel-accounts/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["allowed_origins"] == ["https://shop.example"]


def test_update_with_credentials_allowed_origins_as_text(api, owner, queue_a):
    created = api(owner).post("/api/v1/channel-accounts/", _site(queue_a.pk), format="json")
    assert created.status_code == 201, created.content
    url = f"/api/v1/channel-accounts/{created.json()['id']}/"
    origins = "https://a.example, https://b.example"
    response = api(owner).patch(url, {"credentials": {"allowed_origins": origins}}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["allowed_origins"] == ["https://a.example", "https://b.example"]


def test_origins_are_validated_and_not_given_twice_differently(api, owner, queue_a):
    bad = {**_site(queue_a.pk), "credentials": {"allowed_origins": ["not a url"]}}
    response = api(owner).post("/api/v1/channel-accounts/", bad, format="json")
    assert response.status_code == 400
    assert "allowed_origins" in response.json()
    twice = {
        **_site(queue_a.pk),
        "allowed_origins": ["https://a.example"],
        "credentials": {"allowed_origins": ["https://b.example"]},
    }
    response = api(owner).post("/api/v1/channel-accounts/", twice, format="json")
    assert response.status_code == 400
    assert "allowed_origins" in response.json()
    assert not ChannelAccount.objects.exists()


def test_other_kinds_do_not_take_allowed_origins_in_credentials(api, owner, queue_a):
    body = {
        "kind": "whatsapp",
        "name": "WA",
        "external_id": "1234567890",
        "route": {"queue": queue_a.pk},
        "credentials": {
            "access_token": "t",
            "app_secret": "s",
            "verify_token": "v",
            "allowed_origins": "https://a.example",
        },
    }
    response = api(owner).post("/api/v1/channel-accounts/", body, format="json")
    assert response.status_code == 400
    assert "allowed_origins" in response.json()["credentials"][0]
