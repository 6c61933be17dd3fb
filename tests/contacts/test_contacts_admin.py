"""Contacts in Django admin: pages load, saving normalises, two contacts merge."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from chatdesk.accounts.models import Role
from contacts.models import Contact, Identity
from tests.factories import ContactFactory, IdentityFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/contacts/contact/"


@pytest.fixture
def owner_client(client):
    owner = UserFactory(username="owner", role=Role.SYSTEM_OWNER, is_staff=True, is_superuser=True)
    client.force_login(owner)
    return client


def test_pages_load_with_filters(owner_client):
    contact = ContactFactory()
    identity = IdentityFactory(contact=contact)
    for url in [
        CHANGELIST,
        f"{CHANGELIST}?has_phone=no&has_email=yes&identities__kind=whatsapp",
        f"{CHANGELIST}?q={identity.address}",
        f"{CHANGELIST}add/",
        f"{CHANGELIST}{contact.pk}/change/",
        "/admin/contacts/identity/?linked=no&kind=sms",
        f"/admin/contacts/identity/{identity.pk}/change/",
    ]:
        assert owner_client.get(url).status_code == 200, url


def test_the_contact_page_shows_its_identities(owner_client):
    contact = ContactFactory()
    IdentityFactory(contact=contact, kind="whatsapp", address="14155550123")
    page = owner_client.get(f"{CHANGELIST}{contact.pk}/change/").content.decode()
    assert "14155550123" in page
    assert "WhatsApp" in page


def test_adding_in_admin_normalises_the_phone_and_claims_senders(owner_client):
    sender = IdentityFactory(contact=None, kind="whatsapp", address="14155550123")
    response = owner_client.post(
        f"{CHANGELIST}add/",
        {
            "name": "Ann",
            "email": "",
            "phone": "(415) 555-0123",
            "identities-TOTAL_FORMS": "0",
            "identities-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    contact = Contact.objects.get()
    assert contact.phone == "+14155550123"
    sender.refresh_from_db()
    assert sender.contact == contact


def test_a_junk_phone_is_a_form_error(owner_client):
    response = owner_client.post(
        f"{CHANGELIST}add/",
        {
            "name": "Ann",
            "phone": "call me",
            "identities-TOTAL_FORMS": "0",
            "identities-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "not a phone number" in response.content.decode()
    assert not Contact.objects.exists()


def _merge_post(client, contacts, **extra):
    data = {"action": "merge_contacts", ACTION_CHECKBOX_NAME: [c.pk for c in contacts], **extra}
    return client.post(CHANGELIST, data, follow=True)


def test_merge_asks_which_to_keep_then_merges(owner_client):
    ann = ContactFactory(name="Ann", email="")
    dup = ContactFactory(name="Ann (WhatsApp)", email="ann@example.com")
    identity = IdentityFactory(contact=dup)

    confirm = _merge_post(owner_client, [ann, dup])
    assert "Choose the contact to keep" in confirm.content.decode()
    assert Contact.objects.count() == 2

    done = _merge_post(owner_client, [ann, dup], keep=ann.pk, confirm="yes")
    assert "Merged" in done.content.decode()
    assert list(Contact.objects.all()) == [ann]
    ann.refresh_from_db()
    assert ann.email == "ann@example.com"
    assert Identity.objects.get(pk=identity.pk).contact == ann


def test_merge_needs_exactly_two(owner_client):
    contacts = [ContactFactory(), ContactFactory(), ContactFactory()]
    response = _merge_post(owner_client, contacts)
    assert "Select exactly two contacts" in response.content.decode()
    assert Contact.objects.count() == 3


def test_deleting_in_admin_keeps_identities(owner_client):
    identity = IdentityFactory()
    response = owner_client.post(
        f"{CHANGELIST}{identity.contact_id}/delete/", {"post": "yes"}, follow=True
    )
    assert response.status_code == 200
    assert not Contact.objects.exists()
    identity.refresh_from_db()
    assert identity.contact is None
