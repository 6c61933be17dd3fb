"""Service-level targets: due times from the customer's first message, stopped by the
first reply and by Dealt with, breached once passed unmet, restarted by a reopen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest

from chatdesk.inbox.models import Conversation
from chatdesk.inbox.quality import breached_q, sla_breached_count
from chatdesk.inbox.services import sla
from chatdesk.inbox.services.ownership import message_reply
from chatdesk.inbox.tasks import sla_breach_sweep

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FIRST, RESOLUTION = 60, 600


class Clock:
    """`timezone.now()` answers `at` until moved: services, auto_now fields and reads."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def at_offset(self, seconds: float) -> None:
        self.at = T0 + timedelta(seconds=seconds)


@pytest.fixture
def clock():
    frozen = Clock(T0)
    with mock.patch("django.utils.timezone.now", frozen):
        yield frozen


@pytest.fixture
def targets(queue_a):
    queue_a.first_response_target_seconds = FIRST
    queue_a.resolution_target_seconds = RESOLUTION
    queue_a.save()
    return queue_a


def iso(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


def shown(api, user, chat_id: int) -> dict:
    response = api(user).get(f"/api/v1/conversations/{chat_id}/")
    assert response.status_code == 200, response.content
    return response.json()["sla"]


def test_the_clocks_start_at_the_first_message_and_a_follow_up_moves_nothing(
    clock, targets, customer_writes, carol, api
):
    chat = customer_writes("Hello").conversation
    assert shown(api, carol, chat.pk) == {
        "first_response_due_at": iso(FIRST),
        "resolution_due_at": iso(RESOLUTION),
        "breached": False,
    }
    clock.at_offset(20)
    customer_writes("Anyone there?")
    assert shown(api, carol, chat.pk)["first_response_due_at"] == iso(FIRST)


def test_the_first_reply_in_time_stops_the_first_response_clock(
    clock, targets, customer_writes, alice, carol, api
):
    chat = customer_writes("Hello").conversation
    clock.at_offset(30)
    message_reply(conversation_id=chat.pk, agent=alice, body="Hi, how can I help?")
    assert shown(api, carol, chat.pk) == {
        "first_response_due_at": None,
        "resolution_due_at": iso(RESOLUTION),
        "breached": False,
    }
    clock.at_offset(FIRST + 100)  # long past the first-response target: it was met
    customer_writes("Thanks, one more question")  # no new clock for a later message
    assert sla_breach_sweep() == 0
    assert shown(api, carol, chat.pk)["breached"] is False


def test_an_unanswered_chat_breaches_on_read_and_the_sweep_records_it_once(
    clock, targets, customer_writes, alice, carol, api, capture_events
):
    chat = customer_writes("Hello").conversation
    clock.at_offset(FIRST - 1)
    assert shown(api, carol, chat.pk)["breached"] is False
    assert sla_breach_sweep() == 0
    clock.at_offset(FIRST + 1)
    # A read does not wait for the sweep.
    assert shown(api, carol, chat.pk)["breached"] is True
    assert not Conversation.objects.get(pk=chat.pk).sla_breached
    assert sla_breached_count(Conversation.objects.all()) == 1
    events = capture_events()
    assert sla_breach_sweep() == 1
    assert Conversation.objects.get(pk=chat.pk).sla_breached
    updates = events.received(alice, "conversation.updated")
    assert [u["data"]["sla"]["breached"] for u in updates] == [True]
    assert sla_breach_sweep() == 0
    # A late reply stops the clock but the breach stays.
    message_reply(conversation_id=chat.pk, agent=alice, body="Sorry for the wait")
    assert shown(api, carol, chat.pk) == {
        "first_response_due_at": None,
        "resolution_due_at": iso(RESOLUTION),
        "breached": True,
    }


def test_a_late_reply_breaches_even_before_the_sweep(
    clock, targets, customer_writes, alice, carol, api
):
    chat = customer_writes("Hello").conversation
    clock.at_offset(FIRST + 5)
    message_reply(conversation_id=chat.pk, agent=alice, body="Sorry for the wait")
    assert Conversation.objects.get(pk=chat.pk).sla_breached
    assert shown(api, carol, chat.pk)["breached"] is True


def test_dealt_with_in_time_stops_both_clocks(clock, targets, customer_writes, alice, carol, api):
    chat = customer_writes("Hello").conversation
    clock.at_offset(10)
    message_reply(conversation_id=chat.pk, agent=alice, body="Done!")
    clock.at_offset(RESOLUTION - 1)
    assert api(alice).post(f"/api/v1/conversations/{chat.pk}/dealt-with/").status_code == 200
    assert shown(api, carol, chat.pk) == {
        "first_response_due_at": None,
        "resolution_due_at": None,
        "breached": False,
    }
    clock.at_offset(RESOLUTION * 10)
    assert sla_breach_sweep() == 0
    assert shown(api, carol, chat.pk)["breached"] is False


def test_dealt_with_late_is_a_breach(clock, targets, customer_writes, alice, carol, api):
    chat = customer_writes("Hello").conversation
    clock.at_offset(10)
    message_reply(conversation_id=chat.pk, agent=alice, body="Looking into it")
    clock.at_offset(RESOLUTION + 1)
    assert api(alice).post(f"/api/v1/conversations/{chat.pk}/dealt-with/").status_code == 200
    assert shown(api, carol, chat.pk) == {
        "first_response_due_at": None,
        "resolution_due_at": None,
        "breached": True,
    }


def test_a_reopened_chat_starts_again(clock, targets, customer_writes, alice, carol, api):
    chat = customer_writes("Hello").conversation
    clock.at_offset(FIRST + 1)
    assert api(alice).post(f"/api/v1/conversations/{chat.pk}/dealt-with/").status_code == 200
    assert shown(api, carol, chat.pk)["breached"] is True

    clock.at_offset(3600)
    response = api(carol).post(
        f"/api/v1/conversations/{chat.pk}/transfer/", {"agent": alice.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["sla"] == {
        "first_response_due_at": iso(3600 + FIRST),
        "resolution_due_at": iso(3600 + RESOLUTION),
        "breached": False,
    }
    clock.at_offset(3600 + 30)
    message_reply(conversation_id=chat.pk, agent=alice, body="Back on it")
    assert shown(api, carol, chat.pk)["first_response_due_at"] is None


def test_a_new_chat_after_dealt_with_starts_its_own_clocks(
    clock, targets, customer_writes, alice, carol, api
):
    chat = customer_writes("Hello").conversation
    assert api(alice).post(f"/api/v1/conversations/{chat.pk}/dealt-with/").status_code == 200
    clock.at_offset(5000)
    again = customer_writes("Me again").conversation
    assert again.pk != chat.pk
    assert shown(api, carol, again.pk)["first_response_due_at"] == iso(5000 + FIRST)


def test_a_queue_with_one_target_or_none(clock, queue_a, customer_writes, carol, api):
    chat = customer_writes("Hello", address="14155550001").conversation
    assert shown(api, carol, chat.pk) == {
        "first_response_due_at": None,
        "resolution_due_at": None,
        "breached": False,
    }
    queue_a.resolution_target_seconds = RESOLUTION
    queue_a.save()
    other = customer_writes("Hello", address="14155550002").conversation
    assert shown(api, carol, other.pk) == {
        "first_response_due_at": None,
        "resolution_due_at": iso(RESOLUTION),
        "breached": False,
    }


def test_the_sweeps_q_and_the_warning_time(clock, targets, customer_writes):
    chat = customer_writes("Hello").conversation
    assert sla.sla_warn_at(Conversation.objects.select_related("queue").get(pk=chat.pk)) == (
        T0 + timedelta(seconds=FIRST * (1 - sla.WARN_SHARE))
    )
    assert not Conversation.objects.filter(breached_q(), pk=chat.pk).exists()
    clock.at_offset(FIRST + 1)
    assert Conversation.objects.filter(breached_q(), pk=chat.pk).exists()
