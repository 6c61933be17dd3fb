"""Adding, editing, deleting and merging contacts."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from contacts import services
from contacts.models import Contact, Identity
from tests.factories import ContactFactory, ConversationFactory, IdentityFactory

pytestmark = pytest.mark.django_db


def test_add_contact_from_an_unknown_sender_takes_that_identity_and_its_number():
    identity = services.identity_resolve(kind="sms", address="+14155550123", display_name="Ann")
    contact = services.contact_create(name="", email="ann@example.com", identity=identity)
    identity.refresh_from_db()
    assert identity.contact == contact
    assert contact.name == "Ann"  # the sender's display name when none is typed
    assert contact.phone == "+14155550123"


def test_an_identity_that_already_has_a_contact_is_not_taken_silently():
    identity = IdentityFactory()
    with pytest.raises(ValidationError) as caught:
        services.contact_create(name="Someone else", identity=identity)
    assert "identity" in caught.value.message_dict


def test_fields_are_validated_and_errors_keyed_by_field():
    with pytest.raises(ValidationError) as caught:
        services.contact_create(name=" ", email="not-an-email", phone="hello")
    assert set(caught.value.message_dict) == {"name", "email", "phone"}
    assert Contact.objects.count() == 0


def test_update_changes_only_the_given_fields_and_normalises_the_phone():
    contact = ContactFactory(name="Ann", email="ann@example.com")
    services.contact_update(contact=contact, phone="415 555 0123")
    contact.refresh_from_db()
    assert (contact.name, contact.email, contact.phone) == (
        "Ann",
        "ann@example.com",
        "+14155550123",
    )


def test_a_new_phone_claims_the_unknown_senders_of_that_number():
    contact = ContactFactory()
    whatsapp = services.identity_resolve(kind="whatsapp", address="14155550123")
    services.contact_update(contact=contact, phone="+1 415 555 0123")
    whatsapp.refresh_from_db()
    assert whatsapp.contact == contact


def test_deleting_a_contact_keeps_its_identities_and_conversations():
    identity = IdentityFactory()
    conversation = ConversationFactory(identity=identity)
    services.contact_delete(contact=identity.contact)
    identity.refresh_from_db()
    assert identity.contact is None
    assert identity.conversations.get() == conversation


def test_merge_moves_identities_and_history_and_fills_empty_fields():
    keep = ContactFactory(name="Ann", email="", phone="")
    merge = ContactFactory(name="Ann B.", email="ann@example.com", phone="+14155550123")
    kept_identity = IdentityFactory(contact=keep, kind="livechat", address="v-1")
    moved = [
        IdentityFactory(contact=merge, kind="whatsapp", address="14155550123"),
        IdentityFactory(contact=merge, kind="sms", address="+14155550123"),
    ]
    conversation = ConversationFactory(identity=moved[0])

    result = services.contact_merge(keep=keep, merge=merge)

    assert not Contact.objects.filter(pk=merge.pk).exists()
    assert (result.name, result.email, result.phone) == ("Ann", "ann@example.com", "+14155550123")
    assert set(result.identities.all()) == {kept_identity, *moved}
    assert Identity.objects.count() == 3
    conversation.refresh_from_db()
    assert conversation.identity.contact == result


def test_merge_keeps_the_kept_contacts_own_values():
    keep = ContactFactory(name="Ann", email="ann@example.com", phone="+14155550123")
    merge = ContactFactory(name="Annie", email="annie@example.com", phone="+14155550199")
    result = services.contact_merge(keep=keep, merge=merge)
    assert (result.name, result.email, result.phone) == ("Ann", "ann@example.com", "+14155550123")


def test_a_contact_cannot_be_merged_with_itself():
    contact = ContactFactory()
    with pytest.raises(ValidationError):
        services.contact_merge(keep=contact, merge=contact)
    assert Contact.objects.filter(pk=contact.pk).exists()
