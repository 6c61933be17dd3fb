"""Labels: the list supervisors keep, labels on chats, the filter and the event."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from chatdesk.accounts.models import Role
from chatdesk.inbox.models import Label
from chatdesk.inbox.serializers import ConversationSerializer
from contacts.models import Contact
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def vip(db):
    return Label.objects.create(name="VIP", color="#aa0000")


@pytest.fixture
def refund(db):
    return Label.objects.create(name="Refund", color="#1f6feb")


def test_supervisors_keep_the_list_and_agents_read_it(api, alice, carol, vip):
    owner = UserFactory(username="olga", role=Role.SYSTEM_OWNER)
    group_owner = UserFactory(username="gina", role=Role.GROUP_OWNER)
    assert api(alice).get("/api/v1/labels/").json()["results"] == [
        {"id": vip.pk, "name": "VIP", "color": "#aa0000"}
    ]
    assert (
        api(alice).post("/api/v1/labels/", {"name": "Spam", "color": "#000000"}).status_code == 403
    )
    assert api(alice).patch(f"/api/v1/labels/{vip.pk}/", {"name": "V"}).status_code == 403
    assert api(alice).delete(f"/api/v1/labels/{vip.pk}/").status_code == 403
    for n, user in enumerate((carol, group_owner, owner)):
        created = api(user).post("/api/v1/labels/", {"name": f"L{n}", "color": "#ABCDEF"})
        assert created.status_code == 201, created.content
        assert created.json()["color"] == "#abcdef"
    assert api(carol).patch(f"/api/v1/labels/{vip.pk}/", {"color": "#00aa00"}).status_code == 200
    assert api(owner).delete(f"/api/v1/labels/{vip.pk}/").status_code == 204
    assert APIClient().get("/api/v1/labels/").status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"name": "Bad", "color": "red"},
        {"name": "Bad", "color": "#12345"},
        {"name": "Bad", "color": "#gggggg"},
        {"name": "Bad", "color": "#1234567"},
        {"name": "   ", "color": "#123456"},
        {"name": "VIP", "color": "#123456"},  # taken
        {"name": "Bad", "colour": "#123456"},  # unknown field
    ],
)
def test_a_bad_label_is_400_with_a_reason(api, carol, vip, body):
    response = api(carol).post("/api/v1/labels/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()
    assert Label.objects.count() == 1


def test_whoever_sees_the_chat_sets_its_labels_and_the_audience_hears(
    customer_writes, api, alice, bob, carol, oscar, vip, refund, capture_events
):
    chat_id = customer_writes("Hello").conversation_id
    url = f"/api/v1/conversations/{chat_id}/labels/"
    events = capture_events()
    response = api(alice).put(url, {"labels": [vip.pk, refund.pk]}, format="json")
    assert response.status_code == 200, response.content
    # Sorted by name, with what a chip needs.
    assert response.json()["labels"] == [
        {"id": refund.pk, "name": "Refund", "color": "#1f6feb"},
        {"id": vip.pk, "name": "VIP", "color": "#aa0000"},
    ]
    # Everyone who sees the chat gets the update; oscar (outside the queue) does not.
    for user in (alice, bob, carol):
        updates = events.received(user, "conversation.updated")
        assert [label["name"] for label in updates[-1]["data"]["labels"]] == ["Refund", "VIP"]
    assert events.received(oscar) == []
    # A manager may change them too; an outsider gets 404, as for the chat itself.
    assert api(carol).put(url, {"labels": []}, format="json").json()["labels"] == []
    assert api(oscar).put(url, {"labels": [vip.pk]}, format="json").status_code == 404
    assert APIClient().put(url, {"labels": [vip.pk]}, format="json").status_code == 401


@pytest.mark.parametrize(
    "body", [{"labels": [999999]}, {"labels": ["x"]}, {"labels": 5}, {}, {"labels": [1], "x": 1}]
)
def test_an_unknown_label_or_bad_body_is_400_and_changes_nothing(
    customer_writes, api, alice, vip, body
):
    chat_id = customer_writes("Hello").conversation_id
    url = f"/api/v1/conversations/{chat_id}/labels/"
    api(alice).put(url, {"labels": [vip.pk]}, format="json")
    given = {**body, "labels": [vip.pk, 999999]} if body == {"labels": [999999]} else body
    response = api(alice).put(url, given, format="json")
    assert response.status_code == 400, response.content
    assert list(Label.objects.filter(conversations=chat_id)) == [vip]


def test_the_list_filters_by_label(customer_writes, api, alice, carol, vip, refund):
    tagged = customer_writes("One", address="14155550001").conversation_id
    other = customer_writes("Two", address="14155550002").conversation_id
    customer_writes("Three", address="14155550003")
    api(alice).put(f"/api/v1/conversations/{tagged}/labels/", {"labels": [vip.pk]}, format="json")
    api(alice).put(f"/api/v1/conversations/{other}/labels/", {"labels": [refund.pk]}, format="json")
    rows = api(carol).get(f"/api/v1/conversations/?label={vip.pk}").json()["results"]
    assert [row["id"] for row in rows] == [tagged]
    assert rows[0]["labels"][0]["name"] == "VIP"
    everything = api(carol).get("/api/v1/conversations/").json()["results"]
    assert len(everything) == 3
    assert api(carol).get("/api/v1/conversations/?label=abc").status_code == 400
    # The web app's list filters alike.
    client = APIClient()
    client.force_login(carol)
    web = client.get(f"/inbox/rows/?label={refund.pk}").json()["results"]
    assert [row["id"] for row in web] == [other]


def test_the_list_reads_labels_in_one_query_whatever_the_rows(
    customer_writes, api, carol, vip, refund
):
    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api(carol).get("/api/v1/conversations/").status_code == 200
        return len(queries)

    chat = customer_writes("First", address="14155550010").conversation_id
    api(carol).put(f"/api/v1/conversations/{chat}/labels/", {"labels": [vip.pk]}, format="json")
    few = cost()
    for n in range(5):
        chat = customer_writes("More", address=f"1415555002{n}").conversation_id
        api(carol).put(
            f"/api/v1/conversations/{chat}/labels/", {"labels": [vip.pk, refund.pk]}, format="json"
        )
    assert cost() == few


def test_labels_show_in_the_contacts_history(customer_writes, api, alice, vip):
    message = customer_writes("Hello")
    contact = Contact.objects.create(name="Known")
    identity = message.conversation.identity
    identity.contact = contact
    identity.save()
    api(alice).put(
        f"/api/v1/conversations/{message.conversation_id}/labels/",
        {"labels": [vip.pk]},
        format="json",
    )
    rows = api(alice).get(f"/api/v1/contacts/{contact.pk}/history/").json()["results"]
    assert rows[0]["labels"] == [{"id": vip.pk, "name": "VIP", "color": "#aa0000"}]


def test_a_new_chat_serializes_no_labels_without_a_query_until_it_gets_some(
    customer_writes, vip, django_assert_num_queries
):
    conversation = customer_writes("Hello").conversation
    with django_assert_num_queries(0):
        assert ConversationSerializer(conversation).data["labels"] == []
    conversation.labels.add(vip)
    assert [label["name"] for label in ConversationSerializer(conversation).data["labels"]] == [
        "VIP"
    ]
