"""Absence handling: the customer's wait, and the two rules that take a chat from an
owner who does not answer (no reply in time, offline when the customer writes)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from chatdesk.accounts.models import Presence, Role
from chatdesk.inbox import tasks
from chatdesk.inbox.models import Conversation, ConversationEvent, Message, Status
from chatdesk.inbox.services import absence, lifecycle, presence
from chatdesk.inbox.services.ownership import conversation_take, message_reply
from queues.models import Offer
from tests.factories import ConversationFactory, QueueMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def timers(monkeypatch):
    """The reassignment timers set after commit: [(conversation_id, eta)]."""
    calls: list[tuple[int, object]] = []
    monkeypatch.setattr(
        tasks.reassign_due, "apply_async", lambda args, eta: calls.append((args[0], eta))
    )
    return calls


@pytest.fixture
def clock(monkeypatch):
    """clock.at(moment): the absence rules read that as now (the rows keep real times)."""

    class Clock:
        def at(self, moment):
            monkeypatch.setattr(absence, "now", lambda: moment)

    return Clock()


def _pending(conversation) -> set[int]:
    return set(
        Offer.objects.filter(conversation=conversation, outcome=Offer.Outcome.PENDING).values_list(
            "agent_id", flat=True
        )
    )


def _taken_by(agent, customer_writes, django_capture_on_commit_callbacks) -> Conversation:
    with django_capture_on_commit_callbacks(execute=True):
        first = customer_writes("Hello")
        conversation_take(conversation_id=first.conversation_id, agent=agent)
    return Conversation.objects.get(pk=first.conversation_id)


# --- the customer's wait -------------------------------------------------------------


def test_the_wait_starts_at_the_first_message_since_the_last_reply(customer_writes, alice):
    first = customer_writes("Hello")
    conversation = Conversation.objects.get(pk=first.conversation_id)
    assert conversation.customer_waiting_since == first.created_at
    customer_writes("Anyone?")
    conversation.refresh_from_db()
    assert conversation.customer_waiting_since == first.created_at  # still the first

    message_reply(conversation_id=conversation.pk, agent=alice, body="Here")
    conversation.refresh_from_db()
    assert conversation.customer_waiting_since is None

    again = customer_writes("Thanks, one more thing")
    conversation.refresh_from_db()
    assert conversation.customer_waiting_since == again.created_at

    lifecycle.conversation_deal_with(conversation_id=conversation.pk, agent=alice)
    conversation.refresh_from_db()
    assert conversation.customer_waiting_since is None
    # The customer's next message opens a new chat: its wait starts with it.
    newer = customer_writes("Back again")
    assert newer.conversation_id != conversation.pk
    assert newer.conversation.customer_waiting_since == newer.created_at


# --- no reply in time ------------------------------------------------------------------


def test_no_reply_fires_once_on_time_and_the_owner_is_not_offered_it_again(
    queue_a, alice, bob, customer_writes, timers, clock, django_capture_on_commit_callbacks
):
    queue_a.reassign_after_seconds = 60
    queue_a.save()
    conversation = _taken_by(alice, customer_writes, django_capture_on_commit_callbacks)
    due = conversation.taken_at + timedelta(seconds=60)  # taken after the customer wrote
    assert timers == [(conversation.pk, due)]

    clock.at(due - timedelta(seconds=1))
    assert tasks.reassign_due(conversation.pk) is None
    assert Conversation.objects.get(pk=conversation.pk).owner_id == alice.pk

    clock.at(due)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.reassign_due(conversation.pk) == "no_reply"
    conversation.refresh_from_db()
    assert (conversation.owner_id, conversation.status) == (None, Status.UNASSIGNED)
    assert _pending(conversation) == {bob.pk}  # alice sits this round out
    log = ConversationEvent.objects.get(conversation=conversation, kind="reassigned")
    assert log.data == {"reason": "no_reply", "from": alice.pk}
    line = Message.objects.get(
        conversation=conversation, kind=Message.Kind.EVENT, event__type="reassigned"
    )
    assert (line.event["reason"], line.event["from"]) == ("no_reply", alice.pk)
    assert line.event["from_name"] == "Alice Tester"

    # Once: the timer coming again, or the sweep, find nothing to do.
    clock.at(due + timedelta(minutes=5))
    assert tasks.reassign_due(conversation.pk) is None
    assert tasks.reassign_overdue() == 0
    assert ConversationEvent.objects.filter(kind="reassigned").count() == 1


def test_the_owner_who_lost_it_sees_it_leave(
    queue_a,
    alice,
    customer_writes,
    timers,
    clock,
    capture_events,
    django_capture_on_commit_callbacks,
):
    queue_a.reassign_after_seconds = 30
    queue_a.save()
    conversation = _taken_by(alice, customer_writes, django_capture_on_commit_callbacks)
    log = capture_events()
    clock.at(conversation.taken_at + timedelta(seconds=31))
    assert absence.reassign_due(conversation_id=conversation.pk) == "no_reply"
    assert log.types(alice) == ["conversation.removed"]


def test_a_customer_message_after_a_reply_sets_the_timer_from_that_message(
    queue_a, alice, customer_writes, timers, django_capture_on_commit_callbacks
):
    queue_a.reassign_after_seconds = 45
    queue_a.save()
    conversation = _taken_by(alice, customer_writes, django_capture_on_commit_callbacks)
    message_reply(conversation_id=conversation.pk, agent=alice, body="Hi!")
    timers.clear()
    with django_capture_on_commit_callbacks(execute=True):
        later = customer_writes("My order is late")
        customer_writes("Order 4411")  # still the same wait: no second timer
    assert timers == [(conversation.pk, later.created_at + timedelta(seconds=45))]


def test_a_reply_stops_the_clock(
    queue_a, alice, customer_writes, timers, clock, django_capture_on_commit_callbacks
):
    queue_a.reassign_after_seconds = 10
    queue_a.save()
    conversation = _taken_by(alice, customer_writes, django_capture_on_commit_callbacks)
    message_reply(conversation_id=conversation.pk, agent=alice, body="On it")
    clock.at(timezone.now() + timedelta(hours=1))
    assert tasks.reassign_due(conversation.pk) is None
    assert tasks.reassign_overdue() == 0


def test_the_sweep_catches_a_lost_timer(
    queue_a, alice, bob, customer_writes, timers, clock, django_capture_on_commit_callbacks
):
    queue_a.reassign_after_seconds = 20
    queue_a.save()
    conversation = _taken_by(alice, customer_writes, django_capture_on_commit_callbacks)
    clock.at(conversation.taken_at + timedelta(seconds=19))
    assert tasks.reassign_overdue() == 0
    clock.at(conversation.taken_at + timedelta(seconds=21))
    assert tasks.reassign_overdue() == 1
    assert tasks.reassign_overdue() == 0
    assert _pending(conversation) == {bob.pk}


def test_nothing_fires_while_the_rules_are_off(
    queue_a, alice, customer_writes, timers, clock, django_capture_on_commit_callbacks
):
    assert queue_a.reassign_after_seconds is None
    assert queue_a.owner_offline_after_seconds is None
    conversation = _taken_by(alice, customer_writes, django_capture_on_commit_callbacks)
    presence.agent_set_status(agent=alice, status=Presence.OFFLINE)
    customer_writes("Hello?")
    clock.at(timezone.now() + timedelta(days=2))
    assert tasks.reassign_overdue() == 0
    assert tasks.reassign_due(conversation.pk) is None
    assert timers == []
    assert Conversation.objects.get(pk=conversation.pk).owner_id == alice.pk


def test_reassignment_respects_capacity(
    queue_a, alice, bob, customer_writes, timers, clock, django_capture_on_commit_callbacks
):
    queue_a.reassign_after_seconds = 30
    queue_a.max_chats_per_agent = 1
    queue_a.save()
    conversation = _taken_by(alice, customer_writes, django_capture_on_commit_callbacks)
    ConversationFactory(queue=queue_a, owner=bob, status=Status.TAKEN)  # bob is full
    clock.at(conversation.taken_at + timedelta(seconds=30))
    assert absence.reassign_due(conversation_id=conversation.pk) == "no_reply"
    conversation.refresh_from_db()
    assert conversation.status == Status.UNASSIGNED
    assert _pending(conversation) == set()  # nobody has a free slot: it waits


def test_a_hunt_offers_the_next_member_not_the_owner(
    queue_a, alice, bob, customer_writes, timers, clock, django_capture_on_commit_callbacks
):
    carl = UserFactory(username="carl")
    QueueMemberFactory(queue=queue_a, agent=carl, priority=3)
    queue_a.strategy = "hunt_prioritized"
    queue_a.reassign_after_seconds = 30
    queue_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        first = customer_writes("Hello")
    conversation = Conversation.objects.get(pk=first.conversation_id)
    assert _pending(conversation) == {alice.pk}
    conversation_take(conversation_id=conversation.pk, agent=alice)
    conversation.refresh_from_db()
    clock.at(conversation.taken_at + timedelta(seconds=30))
    assert absence.reassign_due(conversation_id=conversation.pk) == "no_reply"
    assert _pending(conversation) == {bob.pk}


# --- owner offline ---------------------------------------------------------------------


def _away_since(agent, seconds_ago: float) -> None:
    presence.agent_set_status(agent=agent, status=Presence.AWAY)
    type(agent).objects.filter(pk=agent.pk).update(
        status_changed_at=timezone.now() - timedelta(seconds=seconds_ago)
    )


def test_owner_offline_long_enough_when_the_customer_writes_routes_at_once(
    queue_a, alice, bob, customer_writes, timers, django_capture_on_commit_callbacks
):
    queue_a.owner_offline_after_seconds = 30
    queue_a.save()
    conversation = _taken_by(alice, customer_writes, django_capture_on_commit_callbacks)
    message_reply(conversation_id=conversation.pk, agent=alice, body="Let me check")
    _away_since(alice, 40)
    customer_writes("Still there?")
    conversation.refresh_from_db()
    assert (conversation.owner_id, conversation.status) == (None, Status.UNASSIGNED)
    assert _pending(conversation) == {bob.pk}
    log = ConversationEvent.objects.get(conversation=conversation, kind="reassigned")
    assert log.data == {"reason": "owner_offline", "from": alice.pk}
    assert log.actor_id is None


def test_owner_offline_not_yet_long_enough_fires_on_time(
    queue_a, alice, bob, customer_writes, timers, clock, django_capture_on_commit_callbacks
):
    queue_a.owner_offline_after_seconds = 30
    queue_a.save()
    conversation = _taken_by(alice, customer_writes, django_capture_on_commit_callbacks)
    message_reply(conversation_id=conversation.pk, agent=alice, body="Let me check")
    _away_since(alice, 0)  # from now on: the hello before came while she was online
    timers.clear()
    with django_capture_on_commit_callbacks(execute=True):
        customer_writes("Still there?")
        customer_writes("Hello??")  # the same absence: no second timer
    alice.refresh_from_db()
    due = alice.status_changed_at + timedelta(seconds=30)
    assert timers == [(conversation.pk, due)]
    assert Conversation.objects.get(pk=conversation.pk).owner_id == alice.pk

    clock.at(due - timedelta(seconds=1))
    assert tasks.reassign_due(conversation.pk) is None
    clock.at(due)
    assert tasks.reassign_due(conversation.pk) == "owner_offline"
    assert tasks.reassign_due(conversation.pk) is None
    assert _pending(conversation) == {bob.pk}


def test_owner_back_online_keeps_the_chat(
    queue_a, alice, customer_writes, timers, clock, django_capture_on_commit_callbacks
):
    queue_a.owner_offline_after_seconds = 30
    queue_a.save()
    conversation = _taken_by(alice, customer_writes, django_capture_on_commit_callbacks)
    message_reply(conversation_id=conversation.pk, agent=alice, body="Let me check")
    _away_since(alice, 10)
    customer_writes("Still there?")
    presence.agent_set_status(agent=alice, status=Presence.AVAILABLE)
    clock.at(timezone.now() + timedelta(minutes=5))
    assert tasks.reassign_due(conversation.pk) is None
    assert tasks.reassign_overdue() == 0


def test_owner_offline_needs_a_message_written_while_offline(
    queue_a, alice, customer_writes, timers, clock, django_capture_on_commit_callbacks
):
    """The customer wrote, then the owner went away: that is the no-reply rule's case."""
    queue_a.owner_offline_after_seconds = 30
    queue_a.save()
    conversation = _taken_by(alice, customer_writes, django_capture_on_commit_callbacks)
    presence.agent_set_status(agent=alice, status=Presence.AWAY)
    clock.at(timezone.now() + timedelta(minutes=5))
    assert tasks.reassign_overdue() == 0
    assert Conversation.objects.get(pk=conversation.pk).owner_id == alice.pk


def test_the_sweep_catches_a_lost_offline_timer(
    queue_a, alice, bob, customer_writes, timers, clock, django_capture_on_commit_callbacks
):
    queue_a.owner_offline_after_seconds = 30
    queue_a.save()
    conversation = _taken_by(alice, customer_writes, django_capture_on_commit_callbacks)
    message_reply(conversation_id=conversation.pk, agent=alice, body="Let me check")
    _away_since(alice, 10)
    customer_writes("Still there?")  # its timer is never run
    clock.at(timezone.now() + timedelta(seconds=21))
    assert tasks.reassign_overdue() == 1
    assert _pending(conversation) == {bob.pk}


# --- the log ----------------------------------------------------------------------------


def test_the_log_is_for_whoever_may_see_the_chat(
    api,
    queue_a,
    alice,
    bob,
    carol,
    oscar,
    customer_writes,
    timers,
    clock,
    django_capture_on_commit_callbacks,
):
    queue_a.reassign_after_seconds = 30
    queue_a.save()
    conversation = _taken_by(alice, customer_writes, django_capture_on_commit_callbacks)
    clock.at(conversation.taken_at + timedelta(seconds=30))
    absence.reassign_due(conversation_id=conversation.pk)
    url = f"/api/v1/conversations/{conversation.pk}/log/"

    response = api(carol).get(url)
    assert response.status_code == 200
    entries = response.json()
    assert [entry["type"] for entry in entries] == ["opened", "taken", "reassigned"]
    assert entries[1]["actor"] == alice.pk
    assert entries[2] == {
        "type": "reassigned",
        "at": entries[2]["at"],
        "actor": None,
        "data": {"reason": "no_reply", "from": alice.pk},
    }
    assert api(bob).get(url).status_code == 200  # offered it now
    assert api(alice).get(url).status_code == 404  # lost it
    assert api(oscar).get(url).status_code == 404
    assert api(carol).get("/api/v1/conversations/999999/log/").status_code == 404


# --- the queue's settings ---------------------------------------------------------------


def test_the_queue_api_takes_the_rules_with_a_floor_of_five(api, queue_a, olga_owner):
    url = f"/api/v1/queues/{queue_a.pk}/"
    client = api(olga_owner)
    response = client.patch(url, {"reassign_after_seconds": 4}, format="json")
    assert response.status_code == 400
    assert "reassign_after_seconds" in response.json()
    response = client.patch(url, {"owner_offline_after_seconds": 0}, format="json")
    assert response.status_code == 400
    response = client.patch(
        url, {"reassign_after_seconds": 5, "owner_offline_after_seconds": 120}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["reassign_after_seconds"] == 5
    assert response.json()["owner_offline_after_seconds"] == 120
    response = client.patch(url, {"reassign_after_seconds": None}, format="json")
    assert response.json()["reassign_after_seconds"] is None
    queue_a.refresh_from_db()
    assert (queue_a.reassign_after_seconds, queue_a.owner_offline_after_seconds) == (None, 120)


@pytest.fixture
def olga_owner(db):
    return UserFactory(username="olga", role=Role.SYSTEM_OWNER)


def test_the_admin_shows_the_rules_and_holds_the_floor(client, queue_a):
    owner = UserFactory(username="root", role=Role.SYSTEM_OWNER, is_superuser=True)
    client.force_login(owner)
    page = client.get(f"/admin/queues/queue/{queue_a.pk}/change/")
    assert page.status_code == 200
    assert b'name="reassign_after_seconds"' in page.content
    assert b'name="owner_offline_after_seconds"' in page.content
    queue_a.owner_offline_after_seconds = 4
    with pytest.raises(ValidationError) as refused:
        queue_a.full_clean()
    assert "owner_offline_after_seconds" in refused.value.message_dict
