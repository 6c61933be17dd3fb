"""/api/v1/contacts/: CRUD, search, merge, who may delete, and a constant query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from contacts.models import Contact, Identity
from tests.factories import ContactFactory, IdentityFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/contacts/"


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_signing_in_is_required(client):
    assert client.get(URL).status_code in {401, 403}


def test_an_agent_creates_reads_and_edits_a_contact(alice):
    api = api_as(alice)
    created = api.post(
        URL, {"name": "Ann", "email": "ann@example.com", "phone": "(415) 555-0123"}, format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["phone"] == "+14155550123"
    assert body["identities"] == []
    assert body["actions"] == {
        "mailto": "ann@example.com",
        "tel": "+14155550123",
        "sms": "+14155550123",
    }

    url = f"{URL}{body['id']}/"
    assert api.get(url).json()["name"] == "Ann"
    patched = api.patch(url, {"phone": "+44 20 7946 0018"}, format="json")
    assert patched.status_code == 200
    assert patched.json()["phone"] == "+442079460018"
    assert patched.json()["email"] == "ann@example.com"
    put = api.put(url, {"name": "Ann Lee", "email": "", "phone": ""}, format="json")
    assert put.status_code == 200
    assert Contact.objects.values_list("name", "email", "phone").get() == ("Ann Lee", "", "")


def test_identities_are_nested_and_read_only(alice):
    contact = ContactFactory()
    identity = IdentityFactory(contact=contact, kind="whatsapp", address="14155550123")
    url = f"{URL}{contact.pk}/"
    assert api_as(alice).get(url).json()["identities"] == [
        {"id": identity.pk, "kind": "whatsapp", "address": "14155550123", "display_name": ""}
    ]
    api_as(alice).patch(url, {"identities": []}, format="json")
    assert contact.identities.count() == 1


def test_a_new_phone_picks_up_the_unknown_senders_of_that_number(alice):
    sender = IdentityFactory(contact=None, kind="sms", address="+14155550123")
    body = api_as(alice).post(URL, {"name": "Ann", "phone": "415-555-0123"}, format="json").json()
    assert [i["id"] for i in body["identities"]] == [sender.pk]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "Ann", "phone": "call me"}, "phone"),
        ({"name": "Ann", "phone": "12345"}, "phone"),
        ({"name": "Ann", "email": "ann@"}, "email"),
        ({"email": "ann@example.com"}, "name"),
    ],
)
def test_bad_fields_are_field_errors(alice, payload, field):
    response = api_as(alice).post(URL, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Contact.objects.count() == 0


def test_search(alice):
    ann = ContactFactory(name="Ann", phone="+14155550123")
    bob = ContactFactory(name="Bob")
    IdentityFactory(contact=bob, kind="messenger", address="psid-42")
    api = api_as(alice)
    assert [c["id"] for c in api.get(URL, {"search": "psid-42"}).json()["results"]] == [bob.pk]
    assert [c["id"] for c in api.get(URL, {"search": "415 555 0123"}).json()["results"]] == [ann.pk]
    assert api.get(URL).json()["count"] == 2


def test_merge(alice):
    keep = ContactFactory(name="Ann", phone="")
    other = ContactFactory(name="Ann L", phone="+14155550123")
    moved = IdentityFactory(contact=other, kind="sms", address="+14155550123")
    response = api_as(alice).post(f"{URL}{keep.pk}/merge/", {"other": other.pk}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["phone"] == "+14155550123"
    assert [i["id"] for i in body["identities"]] == [moved.pk]
    assert not Contact.objects.filter(pk=other.pk).exists()


def test_merge_refuses_itself_and_unknown_contacts(alice):
    contact = ContactFactory()
    api = api_as(alice)
    url = f"{URL}{contact.pk}/merge/"
    assert "other" in api.post(url, {"other": contact.pk}, format="json").json()
    assert api.post(url, {"other": 999999}, format="json").status_code == 400
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_agents_may_not_delete_contacts(alice):
    contact = ContactFactory()
    response = api_as(alice).delete(f"{URL}{contact.pk}/")
    assert response.status_code == 403
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_a_manager_deletes_a_contact_and_its_identities_stay(carol):
    identity = IdentityFactory()
    response = api_as(carol).delete(f"{URL}{identity.contact_id}/")
    assert response.status_code == 204
    identity.refresh_from_db()
    assert identity.contact is None
    assert Identity.objects.count() == 1


def _list_queries(api: APIClient) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api.get(URL).status_code == 200
    return len(queries)


def test_the_list_costs_the_same_number_of_queries_for_3_or_20_contacts(alice):
    api = api_as(alice)

    def add_contacts(count: int) -> None:
        for _ in range(count):
            contact = ContactFactory(phone="+14155550123")
            IdentityFactory(contact=contact, kind="sms", address=f"+1415555{contact.pk:04d}")
            IdentityFactory(contact=contact)

    add_contacts(3)
    with_three = _list_queries(api)
    add_contacts(17)
    assert api.get(URL).json()["count"] == 20
    assert _list_queries(api) == with_three


def test_the_schema_describes_contacts(alice):
    client = APIClient()
    client.force_login(alice)
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/contacts/"])
    assert {"get", "put", "patch", "delete"} <= set(paths["/api/v1/contacts/{id}/"])
    assert "post" in paths["/api/v1/contacts/{id}/merge/"]
    search = [p["name"] for p in paths["/api/v1/contacts/"]["get"]["parameters"]]
    assert "search" in search
