"""Transfer from the archive: a dealt-with chat reopens in the receiver's inbox."""

from __future__ import annotations

import pytest
from django.db import transaction

from chatdesk.inbox.errors import AlreadyOpen
from chatdesk.inbox.models import Conversation, ConversationEvent, Status
from chatdesk.inbox.services.ownership import _hand_over
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _dealt_with(api, agent, customer_writes, body="Thanks, bye", address="14155550123"):
    conversation = customer_writes(body, address=address).conversation
    assert api(agent).post(f"/api/v1/conversations/{conversation.pk}/take/").status_code == 200
    assert (
        api(agent).post(f"/api/v1/conversations/{conversation.pk}/dealt-with/").status_code == 200
    )
    return Conversation.objects.get(pk=conversation.pk)


def _transfer(api, sender, conversation, receiver):
    return api(sender).post(
        f"/api/v1/conversations/{conversation.pk}/transfer/",
        {"agent": receiver.pk},
        format="json",
    )


def _ids(api, agent, **params):
    return [row["id"] for row in api(agent).get("/api/v1/conversations/", params).json()["results"]]


def test_last_owner_transfers_an_archived_chat_and_it_reopens_for_the_receiver(
    customer_writes, alice, bob, oscar, api, capture_events
):
    closed = _dealt_with(api, alice, customer_writes)
    assert closed.archived and closed.status == Status.DEALT_WITH
    log = capture_events()

    response = _transfer(api, alice, closed, oscar)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["owner"], body["status"], body["archived"]) == (oscar.pk, "taken", False)
    closed.refresh_from_db()
    assert closed.closed_at is None and closed.taken_at is not None
    # The receiver finds it in their inbox; the sender has lost sight of it everywhere.
    assert _ids(api, oscar) == [closed.pk]
    assert api(alice).get(f"/api/v1/conversations/{closed.pk}/").status_code == 404
    assert closed.pk not in _ids(api, alice, archived="true")
    assert log.types(oscar) == ["message.created", "conversation.updated"]  # the line: reopened
    assert log.types(alice) == ["conversation.removed"]
    assert log.types(bob) == []
    entry = ConversationEvent.objects.filter(conversation=closed).last()
    assert (entry.kind, entry.actor) == ("transferred", alice)
    assert entry.data == {
        "to": oscar.pk,
        "previous_owner": alice.pk,
        "reopened": True,
    }


def test_the_customers_next_message_goes_to_the_receiver_not_to_routing(
    customer_writes, alice, oscar, api
):
    closed = _dealt_with(api, alice, customer_writes)
    assert _transfer(api, alice, closed, oscar).status_code == 200
    follow_up = customer_writes("One more thing").conversation
    assert follow_up.pk == closed.pk
    assert follow_up.owner == oscar


def test_a_supervisor_transfers_someone_elses_archived_chat(
    customer_writes, alice, bob, carol, api
):
    closed = _dealt_with(api, alice, customer_writes)
    response = _transfer(api, carol, closed, bob)
    assert response.status_code == 200, response.content
    assert response.json()["owner"] == bob.pk
    assert _ids(api, bob) == [closed.pk]


def test_a_supervisor_may_give_it_back_to_its_last_owner(customer_writes, alice, carol, api):
    closed = _dealt_with(api, alice, customer_writes)
    response = _transfer(api, carol, closed, alice)
    assert response.status_code == 200, response.content
    assert _ids(api, alice) == [closed.pk]


def test_another_agent_cannot_transfer_it(customer_writes, alice, bob, oscar, api):
    closed = _dealt_with(api, alice, customer_writes)
    assert _transfer(api, bob, closed, oscar).status_code == 404
    closed.refresh_from_db()
    assert (closed.owner, closed.status) == (alice, Status.DEALT_WITH)


def test_an_agent_who_sees_it_but_never_owned_it_gets_403(customer_writes, bob, carol, oscar, api):
    # Closed by a supervisor while still unowned, routed straight to bob: bob sees it
    # in his archive, but only a last owner or a supervisor may bring it back.
    conversation = customer_writes("Hi").conversation
    assert (
        api(carol).post(f"/api/v1/conversations/{conversation.pk}/dealt-with/").status_code == 200
    )
    Conversation.objects.filter(pk=conversation.pk).update(direct_agent=bob)
    assert api(bob).get(f"/api/v1/conversations/{conversation.pk}/").status_code == 200

    response = _transfer(api, bob, conversation, oscar)

    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    conversation.refresh_from_db()
    assert conversation.status == Status.DEALT_WITH


def test_a_newer_open_chat_with_the_customer_is_a_409_with_a_code(
    customer_writes, alice, oscar, api, capture_events
):
    closed = _dealt_with(api, alice, customer_writes)
    newer = customer_writes("Hello again").conversation
    assert newer.pk != closed.pk and newer.is_open
    log = capture_events()

    response = _transfer(api, alice, closed, oscar)

    assert response.status_code == 409
    assert response.json()["code"] == "already_open"
    assert f"#{newer.pk}" in response.json()["detail"]
    closed.refresh_from_db()
    assert (closed.owner, closed.status, closed.archived) == (alice, Status.DEALT_WITH, True)
    assert log.types(oscar) == []
    assert not ConversationEvent.objects.filter(conversation=closed, kind="transferred").exists()


def test_the_constraint_itself_is_turned_into_already_open(customer_writes, alice, oscar, api):
    # The race the pre-check cannot close: the new chat appears after the check.
    closed = _dealt_with(api, alice, customer_writes)
    customer_writes("Hello again")
    with transaction.atomic():
        with pytest.raises(AlreadyOpen):
            _hand_over(closed, target=oscar, reopening=True)
        # The savepoint kept the outer transaction usable.
        assert Conversation.objects.filter(pk=closed.pk, status=Status.DEALT_WITH).exists()


def test_an_ended_live_chat_is_not_reopened(customer_writes, alice, oscar, api):
    closed = _dealt_with(api, alice, customer_writes)
    Conversation.objects.filter(pk=closed.pk).update(status=Status.ENDED)
    response = _transfer(api, alice, closed, oscar)
    assert (response.status_code, response.json()["code"]) == (409, "invalid_state")


def test_the_receiver_at_capacity_is_refused(customer_writes, alice, api):
    full = UserFactory(username="full", max_chats=1)
    busy = customer_writes("busy", address="14155550999").conversation
    Conversation.objects.filter(pk=busy.pk).update(owner=full, status=Status.TAKEN)
    closed = _dealt_with(api, alice, customer_writes)
    response = _transfer(api, alice, closed, full)
    assert (response.status_code, response.json()["code"]) == (409, "at_capacity")


def test_an_open_chat_is_still_not_transferred_to_its_owner(customer_writes, alice, api):
    conversation = customer_writes("Hi").conversation
    api(alice).post(f"/api/v1/conversations/{conversation.pk}/take/")
    assert _transfer(api, alice, conversation, alice).status_code == 400
