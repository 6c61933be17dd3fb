"""Who the visitor is: name, e-mail, page, referrer and browser on the live chat."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from channels_ingest.livechat import services
from channels_ingest.livechat.models import VisitorSession, token_digest
from chatdesk.inbox.models import Conversation
from tests.factories import ConversationFactory
from tests.livechat.conftest import ORIGIN

pytestmark = pytest.mark.django_db(transaction=True)

PAGE = {
    "page_url": "https://shop.example/checkout?step=2",
    "page_title": "Checkout - Shop",
    "referrer": "https://search.example/?q=shoes",
}
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"


def _start(site, **body):
    return APIClient().post(
        "/api/v1/livechat/sessions/",
        {"site_key": site.external_id, **body},
        format="json",
        REMOTE_ADDR="127.0.0.1",
        HTTP_ORIGIN=ORIGIN,
        HTTP_USER_AGENT=BROWSER,
    )


def _chat(site, **body) -> tuple[str, Conversation]:
    response = _start(site, **body)
    assert response.status_code == 201, response.content
    token = response.json()["session_token"]
    session = VisitorSession.objects.get(pk=_session_id(token))
    message = services.visitor_message_send(session_id=session.pk, body="Where is my parcel?")
    return token, message.conversation


def _session_id(token: str) -> int:
    return VisitorSession.objects.get(token_hash=token_digest(token)).pk


def test_the_chat_carries_the_visitor_context_in_list_detail_and_events(
    site, alice, carol, api, capture_events
):
    events = capture_events()
    _, chat = _chat(site, name="Vera Visitor", email="vera@example.com", **PAGE)
    expected = {
        "name": "Vera Visitor",
        "email": "vera@example.com",
        **PAGE,
        "user_agent": BROWSER,
    }
    for agent in (alice, carol):  # offered in the queue; manager
        detail = api(agent).get(f"/api/v1/conversations/{chat.pk}/").json()
        assert detail["visitor"] == expected
        listed = api(agent).get("/api/v1/conversations/").json()["results"]
        assert [row["visitor"] for row in listed if row["id"] == chat.pk] == [expected]
    assert events.received(alice, "conversation.offered")[-1]["data"]["visitor"] == expected
    replayed = api(alice).get("/api/v1/events/?after=0").json()["results"]
    assert any(e["data"].get("visitor") == expected for e in replayed)


def test_an_outsider_gets_nothing_of_the_visitor(site, oscar, api, capture_events):
    events = capture_events()
    _, chat = _chat(site, name="Vera", email="vera@example.com", **PAGE)
    assert api(oscar).get(f"/api/v1/conversations/{chat.pk}/").status_code == 404
    assert api(oscar).get("/api/v1/conversations/").json()["results"] == []
    assert events.received(oscar) == []
    assert api(oscar).get("/api/v1/events/?after=0").json()["results"] == []


def test_moving_to_another_page_updates_the_open_chat(site, alice, api, capture_events):
    token, chat = _chat(site, **PAGE)
    events = capture_events()
    resumed = _start(
        site,
        session_token=token,
        page_url="https://shop.example/returns",
        page_title="Returns",
        referrer="https://shop.example/checkout?step=2",
    )
    assert resumed.status_code == 200, resumed.content
    visitor = api(alice).get(f"/api/v1/conversations/{chat.pk}/").json()["visitor"]
    assert (visitor["page_url"], visitor["page_title"]) == (
        "https://shop.example/returns",
        "Returns",
    )
    assert visitor["referrer"] == PAGE["referrer"]  # how they arrived, not the last page
    updated = events.received(alice, "conversation.updated")
    assert updated[-1]["data"]["visitor"]["page_title"] == "Returns"
    # The same page again changes nothing and publishes nothing.
    before = len(events.received(alice))
    _start(
        site,
        session_token=token,
        page_url="https://shop.example/returns",
        page_title="Returns",
        referrer="https://shop.example/checkout?step=2",
    )
    assert len(events.received(alice)) == before


def test_other_channels_have_no_visitor_and_long_values_are_cut(site, alice, api):
    conversation = ConversationFactory(owner=alice, status="taken")
    assert api(alice).get(f"/api/v1/conversations/{conversation.pk}/").json()["visitor"] is None
    _, chat = _chat(site, page_url="https://shop.example/" + "a" * 3000, page_title="T" * 900)
    visitor = api(alice).get(f"/api/v1/conversations/{chat.pk}/").json()["visitor"]
    assert len(visitor["page_url"]) == 2000 and len(visitor["page_title"]) == 300


def test_an_anonymous_visitor_is_never_shown_by_their_raw_id(site, alice, api):
    _, chat = _chat(site, **PAGE)
    detail = api(alice).get(f"/api/v1/conversations/{chat.pk}/").json()
    assert detail["title"].startswith("Website visitor ")
    assert "visitor-" not in detail["title"]
    assert detail["external_address"].startswith("visitor-")  # the address stays in the API


def test_the_inbox_page_first_paint_shows_no_raw_visitor_id(site, alice):
    _chat(site, **PAGE)
    client = Client()
    client.force_login(alice)
    page = client.get("/").content.decode()
    assert "Website visitor " in page
    assert "visitor-" not in page.replace("Website visitor", "")
