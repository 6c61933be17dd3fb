"""Finding contacts, and the actions the contact panel offers."""

from __future__ import annotations

import pytest

from contacts.selectors import contact_actions, contact_search
from tests.factories import ContactFactory, IdentityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    ann = ContactFactory(name="Ann Lee", email="ann@example.com", phone="+14155550123")
    bob = ContactFactory(name="Bob Ray", email="bob@shop.test", phone="")
    IdentityFactory(contact=bob, kind="whatsapp", address="442079460018")
    IdentityFactory(contact=bob, kind="messenger", address="psid-777")
    return ann, bob


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ann", {"Ann Lee"}),
        ("SHOP.test", {"Bob Ray"}),
        ("(415) 555-0123", {"Ann Lee"}),
        ("+44 20 7946 0018", {"Bob Ray"}),
        ("psid-777", {"Bob Ray"}),
        ("", {"Ann Lee", "Bob Ray"}),
        ("nobody", set()),
    ],
)
def test_search_over_name_email_phone_and_addresses(people, query, expected):
    assert {c.name for c in contact_search(query)} == expected


def test_a_contact_with_many_matching_identities_is_listed_once(people):
    _, bob = people
    IdentityFactory(contact=bob, kind="sms", address="+442079460018")
    assert list(contact_search("442079460018")) == [bob]


def test_actions_for_email_and_phone():
    contact = ContactFactory(email="ann@example.com", phone="+14155550123")
    assert contact_actions(contact) == {
        "mailto": "ann@example.com",
        "tel": "+14155550123",
        "sms": "+14155550123",
    }


def test_a_whatsapp_number_can_be_called_but_not_texted():
    contact = ContactFactory(email="", phone="")
    IdentityFactory(contact=contact, kind="whatsapp", address="14155550123")
    assert contact_actions(contact) == {"tel": "+14155550123"}


def test_the_number_someone_texts_from_is_the_sms_target():
    contact = ContactFactory(email="", phone="+14155550123")
    IdentityFactory(contact=contact, kind="sms", address="+14155550199")
    assert contact_actions(contact) == {"tel": "+14155550123", "sms": "+14155550199"}


def test_a_live_chat_visitor_without_email_gets_no_actions():
    contact = ContactFactory(email="", phone="")
    IdentityFactory(contact=contact, kind="livechat", address="v-1")
    IdentityFactory(contact=contact, kind="sms", address="ACMEBANK")
    assert contact_actions(contact) == {}
