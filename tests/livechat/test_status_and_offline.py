"""GET /api/v1/livechat/status/ and POST /api/v1/livechat/offline-messages/."""

from __future__ import annotations

from datetime import UTC, datetime, time
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import override_settings
from rest_framework.test import APIClient

from channels_ingest.livechat.offline import offline_key
from chatdesk.accounts.models import Presence
from chatdesk.inbox.models import Conversation, Message
from queues.models import BusinessHours, Offer, OpeningWindow
from tests.factories import ChannelAccountFactory
from tests.livechat.conftest import ORIGIN, VISITOR_IPS

pytestmark = pytest.mark.django_db

FORM = {"name": "Olga Offline", "email": "olga@example.com", "message": "Call me back, please."}


@pytest.fixture(autouse=True)
def _fresh_offline_limits():
    cache.delete_many([offline_key(ip) for ip in VISITOR_IPS])
    yield
    cache.delete_many([offline_key(ip) for ip in VISITOR_IPS])


@pytest.fixture
def weekday_hours(db):
    """Monday to Friday 09:00-17:00 UTC."""
    schedule = BusinessHours.objects.create(name="Weekdays", time_zone="UTC")
    for day in range(5):
        OpeningWindow.objects.create(schedule=schedule, day=day, start=time(9), end=time(17))
    return schedule


def at(moment: datetime):
    return mock.patch("django.utils.timezone.now", lambda: moment)


def status_of(site, **headers) -> dict:
    response = APIClient().get(
        "/api/v1/livechat/status/", {"site_key": site.external_id}, **headers
    )
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    return response.json()


def leave(site, *, ip: str = "127.0.0.1", origin: str | None = ORIGIN, **fields):
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    return APIClient().post(
        "/api/v1/livechat/offline-messages/",
        {"site_key": site.external_id, **FORM, **fields},
        format="json",
        REMOTE_ADDR=ip,
        **headers,
    )


def test_open_within_hours_with_an_agent_available(site, weekday_hours, queue_a):
    queue_a.business_hours = weekday_hours
    queue_a.save()
    with at(datetime(2026, 3, 2, 10, 0, tzinfo=UTC)):
        body = status_of(site, HTTP_ORIGIN=ORIGIN)
    assert body == {
        "open": True,
        "next_open_at": None,
        "within_hours": True,
        "agents_available": True,
    }


def test_closed_outside_hours_says_when_it_opens(site, weekday_hours, queue_a):
    queue_a.business_hours = weekday_hours
    queue_a.save()
    with at(datetime(2026, 3, 6, 18, 0, tzinfo=UTC)):  # Friday evening
        body = status_of(site)
    assert body["open"] is False and body["within_hours"] is False
    assert body["next_open_at"] == "2026-03-09T09:00:00Z"


def test_not_open_when_nobody_in_the_queue_is_available(site, alice, bob):
    for agent in (alice, bob):
        agent.status = Presence.AWAY
        agent.save()
    body = status_of(site)
    assert body == {
        "open": False,
        "next_open_at": None,
        "within_hours": True,
        "agents_available": False,
    }


def test_a_site_routed_to_an_agent_is_open_while_that_agent_is_available(alice):
    direct = ChannelAccountFactory(kind="livechat", external_id="alice-site", route_agent=alice)
    assert status_of(direct)["open"] is True
    alice.status = Presence.OFFLINE
    alice.save()
    assert status_of(direct)["open"] is False


def test_status_of_an_unknown_site_is_404(db):
    response = APIClient().get("/api/v1/livechat/status/", {"site_key": "nope"})
    assert response.status_code == 404


def test_an_offline_message_becomes_a_waiting_chat_in_the_queue(site, queue_a, alice, carol, api):
    text = "  Hello,\n\nmy parcel never came.\n  Order 42.  "
    response = leave(site, message=text, page_url="https://shop.example/help")
    assert response.status_code == 201, response.content
    assert response.json()["received"] is True
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    conversation = Conversation.objects.get()
    assert (conversation.channel, conversation.status, conversation.queue_id) == (
        "livechat",
        "unassigned",
        queue_a.pk,
    )
    assert conversation.offline is True
    [first] = Message.objects.filter(conversation=conversation)
    assert (first.direction, first.body) == ("in", text)  # verbatim
    seen = api(carol).get(f"/api/v1/conversations/{conversation.pk}/").json()
    assert seen["offline"] is True
    assert seen["visitor"]["name"] == "Olga Offline"
    assert seen["visitor"]["email"] == "olga@example.com"
    assert seen["visitor"]["page_url"] == "https://shop.example/help"
    # It is routed like any chat: queue A's members are offered it.
    assert Offer.objects.filter(conversation=conversation, agent=alice).exists()


def test_every_other_chat_says_offline_false(site, customer_writes, carol, api):
    customer_writes("Hi from WhatsApp")
    leave(site)
    flags = {
        c["channel"]: c["offline"]
        for c in api(carol).get("/api/v1/conversations/").json()["results"]
    }
    assert flags == {"whatsapp": False, "livechat": True}


def test_two_offline_messages_are_two_chats(site):
    assert leave(site).status_code == 201
    assert leave(site, message="And another thing").status_code == 201
    assert Conversation.objects.filter(offline=True).count() == 2


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"name": "  "}, {"name": ["Please tell us your name."]}),
        ({"email": ""}, {"email": ["Please give an e-mail address so we can answer you."]}),
        ({"email": "olga@"}, {"email": ["This e-mail address does not look right."]}),
        ({"message": " \n "}, {"message": ["Please write your message."]}),
        ({"message": "x" * 4001}, {"message": ["Messages are limited to 4000 characters."]}),
    ],
)
def test_a_bad_form_names_its_fields_and_stores_nothing(site, fields, errors):
    response = leave(site, **fields)
    assert response.status_code == 400
    assert response.json() == errors
    assert response["Access-Control-Allow-Origin"] == ORIGIN  # the widget can read why
    assert not Conversation.objects.exists()


def test_a_form_with_everything_missing_lists_every_field(site):
    response = APIClient().post(
        "/api/v1/livechat/offline-messages/", {"site_key": site.external_id}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"name", "email", "message"}


def test_refused_sites_and_origins(site):
    site.allowed_origins = ["https://shop.example"]
    site.save()
    assert leave(site, origin="https://evil.example").status_code == 403
    assert leave(site, site_key="no-such-site").status_code == 404
    assert not Conversation.objects.exists()


@override_settings(LIVECHAT_SESSION_STARTS_PER_MINUTE=2)
def test_offline_messages_are_rate_limited_per_address(site):
    assert leave(site, ip="203.0.113.7").status_code == 201
    assert leave(site, ip="203.0.113.7").status_code == 201
    refused = leave(site, ip="203.0.113.7")
    assert refused.status_code == 429
    assert leave(site, ip="198.51.100.20").status_code == 201  # another visitor
    assert Conversation.objects.count() == 3


def test_an_offline_message_while_closed_waits_for_the_opening_untold(site, queue_a, weekday_hours):
    queue_a.business_hours = weekday_hours
    queue_a.out_of_hours_message = "We are closed."
    queue_a.save()
    with at(datetime(2026, 3, 6, 18, 0, tzinfo=UTC)):
        assert leave(site).status_code == 201
    conversation = Conversation.objects.get()
    assert conversation.held_until == datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
    assert not Offer.objects.exists()
    # Nobody is on a socket to read an automatic reply: none is sent.
    assert not Message.objects.filter(kind=Message.Kind.NOTICE).exists()
