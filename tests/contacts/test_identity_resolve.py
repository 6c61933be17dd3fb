"""An inbound sender resolves to one identity, and one number to one contact."""

from __future__ import annotations

import contextlib
import threading
from unittest import mock

import pytest
from django.db import connection, transaction

from contacts import services
from contacts.models import Contact, Identity
from tests.concurrency import at_once
from tests.factories import ContactFactory, IdentityFactory

pytestmark = pytest.mark.django_db


def test_resolving_twice_gives_the_same_identity():
    first = services.identity_resolve(kind="whatsapp", address="14155550123", display_name="Ann")
    second = services.identity_resolve(kind="whatsapp", address="14155550123")
    assert first.pk == second.pk
    assert Identity.objects.count() == 1
    assert first.contact is None  # an unknown sender until someone adds the contact


def test_sms_numbers_are_stored_as_e164_and_matched_however_they_come():
    first = services.identity_resolve(kind="sms", address="+14155550123")
    again = services.identity_resolve(kind="sms", address=" 14155550123 ")
    assert first.pk == again.pk
    assert first.address == "+14155550123"


def test_other_addresses_are_kept_as_given():
    assert services.identity_resolve(kind="whatsapp", address="5511987654321").address == (
        "5511987654321"
    )
    assert services.identity_resolve(kind="messenger", address="6543210987").address == (
        "6543210987"
    )
    assert services.identity_resolve(kind="livechat", address="v-9f2c").address == "v-9f2c"
    assert services.identity_resolve(kind="sms", address="ACMEBANK").address == "ACMEBANK"
    assert services.identity_resolve(kind="sms", address="12345").address == "12345"


def test_display_name_is_filled_once_and_never_overwritten():
    identity = services.identity_resolve(kind="messenger", address="psid-1")
    assert identity.display_name == ""
    identity = services.identity_resolve(kind="messenger", address="psid-1", display_name="Ann")
    assert identity.display_name == "Ann"
    identity = services.identity_resolve(kind="messenger", address="psid-1", display_name="Bo")
    assert identity.display_name == "Ann"


def test_whatsapp_and_sms_from_one_number_are_one_contact():
    ann = ContactFactory(name="Ann", phone="+14155550123")
    on_whatsapp = services.identity_resolve(kind="whatsapp", address="14155550123")
    on_sms = services.identity_resolve(kind="sms", address="+14155550123")
    assert on_whatsapp.contact == ann
    assert on_sms.contact == ann


def test_a_new_channel_joins_the_contact_of_the_same_number_without_a_phone_on_file():
    ann = ContactFactory(name="Ann", phone="")
    IdentityFactory(kind="sms", address="+14155550123", contact=ann)
    on_whatsapp = services.identity_resolve(kind="whatsapp", address="14155550123")
    assert on_whatsapp.contact == ann


def test_adding_a_contact_with_a_phone_claims_the_unknown_senders_of_that_number():
    whatsapp = services.identity_resolve(kind="whatsapp", address="14155550123")
    sms = services.identity_resolve(kind="sms", address="+14155550123")
    other = services.identity_resolve(kind="sms", address="+14155550199")
    ann = services.contact_create(name="Ann", phone="(415) 555-0123")
    assert set(ann.identities.all()) == {whatsapp, sms}
    other.refresh_from_db()
    assert other.contact is None


def test_an_unknown_kind_is_refused():
    with pytest.raises(services.ValidationError):
        services.identity_resolve(kind="fax", address="123")


def test_a_lost_race_rereads_the_winners_row_and_keeps_the_transaction_usable():
    """The other webhook inserts between our read and our insert."""
    winner = IdentityFactory(kind="whatsapp", address="14155550177", contact=None)
    real_filter = Identity.objects.filter
    misses = iter([True])

    def filter_missing_once(*args, **kwargs):
        queryset = real_filter(*args, **kwargs)
        return queryset.none() if next(misses, False) else queryset

    with transaction.atomic(), mock.patch.object(Identity.objects, "filter", filter_missing_once):
        identity = services.identity_resolve(kind="whatsapp", address="14155550177")
        # The savepoint rolled back alone: the outer transaction still works.
        assert Contact.objects.count() == 0
    assert identity.pk == winner.pk
    assert Identity.objects.filter(address="14155550177").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_webhooks_for_a_new_sender_create_one_row():
    """Real threads on real connections; on PostgreSQL they truly race.

    SQLite serializes writers (BEGIN IMMEDIATE on the file database); its
    shared in-memory test database reports "table is locked" instead of
    waiting, so there the lock below stands in for that serialization.
    """
    serialize = threading.Lock() if connection.vendor == "sqlite" else contextlib.nullcontext()

    def receive(_index: int) -> int:
        with serialize:
            return services.identity_resolve(
                kind="sms", address="+14155550142", display_name="Race"
            ).pk

    results = at_once(receive, 6)
    assert len(set(results)) == 1
    assert Identity.objects.filter(kind="sms", address="+14155550142").count() == 1
