"""Satisfaction on live chat: the widget is asked over its socket and posts the rating."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from rest_framework.test import APIClient

from channels_ingest.livechat import services
from channels_ingest.livechat.models import VisitorSession, token_digest
from chatdesk.inbox.models import Conversation, Message
from tests.livechat.conftest import ORIGIN
from tests.livechat.support import next_frame, open_session, visitor_socket

pytestmark = pytest.mark.django_db(transaction=True)


def rate(token: str, body: dict, *, origin: str = ORIGIN):
    return APIClient().post(
        "/api/v1/livechat/csat/",
        body,
        format="json",
        HTTP_X_VISITOR_TOKEN=token,
        HTTP_ORIGIN=origin,
    )


def _enable(queue, enabled: bool = True) -> None:
    queue.csat_enabled = enabled
    queue.save(update_fields=["csat_enabled"])


async def _visitor_writes(start_session):
    session = await open_session(start_session, name="Vera")
    socket = visitor_socket(session["session_token"])
    assert (await socket.connect())[0]
    await socket.send_json_to({"type": "message", "body": "My parcel is late"})
    echo = await next_frame(socket, "message")
    conversation_id = await sync_to_async(
        lambda: Message.objects.get(pk=echo["data"]["id"]).conversation_id
    )()
    return socket, session["session_token"], conversation_id


async def _post(api, agent, path: str):
    return await sync_to_async(lambda: api(agent).post(path, {}, format="json"))()


async def test_dealt_with_asks_the_widget_and_the_rating_is_stored_once(
    start_session, queue_a, alice, carol, api
):
    await sync_to_async(_enable)(queue_a)
    socket, token, chat_id = await _visitor_writes(start_session)
    response = await _post(api, alice, f"/api/v1/conversations/{chat_id}/dealt-with/")
    assert response.status_code == 200, response.content
    assert response.json()["csat"] is None

    frame = await next_frame(socket, "csat.request")
    assert frame == {"type": "csat.request", "data": {}}

    rated = await sync_to_async(rate)(token, {"rating": 4, "comment": " Quick and kind "})
    assert rated.status_code == 201, rated.content
    assert rated.json()["conversation"] == chat_id
    assert (rated.json()["rating"], rated.json()["comment"]) == (4, "Quick and kind")

    shown = await sync_to_async(lambda: api(carol).get(f"/api/v1/conversations/{chat_id}/"))()
    assert shown.status_code == 200, shown.content
    csat = shown.json()["csat"]
    assert (csat["rating"], csat["comment"]) == (4, "Quick and kind") and csat["at"]
    # Agents see the rating as a line of the chat's story; the visitor's log does not.
    line = await sync_to_async(
        lambda: Message.objects.filter(conversation_id=chat_id, event__type="csat").get()
    )()
    assert (line.kind, line.event["rating"]) == ("event", 4)

    again = await sync_to_async(rate)(token, {"rating": 1})
    assert again.status_code == 409
    assert again.json()["code"] == "csat_already_rated"
    stored = await sync_to_async(Conversation.objects.get)(pk=chat_id)
    assert stored.csat_rating == 4  # the second rating changed nothing
    await socket.disconnect()


async def test_end_asks_before_the_socket_closes_and_the_ended_session_may_rate(
    start_session, queue_a, alice, api
):
    await sync_to_async(_enable)(queue_a)
    socket, token, chat_id = await _visitor_writes(start_session)
    response = await _post(api, alice, f"/api/v1/conversations/{chat_id}/end/")
    assert response.status_code == 200, response.content
    frames = []
    while not frames or frames[-1]["type"] != "chat.ended":
        frames.append(await socket.receive_json_from(timeout=5))
    kinds = [frame["type"] for frame in frames if frame["type"] != "message"]
    assert kinds == ["csat.request", "chat.ended"]

    rated = await sync_to_async(rate)(token, {"rating": 5})
    assert rated.status_code == 201, rated.content
    assert rated.json()["comment"] == ""


async def test_a_rating_never_asked_for_is_409(start_session, queue_a, alice, api):
    socket, token, chat_id = await _visitor_writes(start_session)  # the queue does not ask
    response = await _post(api, alice, f"/api/v1/conversations/{chat_id}/dealt-with/")
    assert response.status_code == 200
    refused = await sync_to_async(rate)(token, {"rating": 5})
    assert refused.status_code == 409
    assert refused.json()["code"] == "csat_not_asked"
    stored = await sync_to_async(Conversation.objects.get)(pk=chat_id)
    assert (stored.csat_requested_at, stored.csat_rating) == (None, None)
    # Nor is the visitor asked: nothing but the socket's own traffic arrives.
    frames = []
    while not await socket.receive_nothing(timeout=0.5):
        frames.append((await socket.receive_json_from())["type"])
    assert "csat.request" not in frames
    await socket.disconnect()


async def test_a_visitor_who_only_opened_the_widget_gets_409(start_session, queue_a):
    await sync_to_async(_enable)(queue_a)
    session = await open_session(start_session, name="Idle")
    refused = await sync_to_async(rate)(session["session_token"], {"rating": 3})
    assert refused.status_code == 409


@pytest.mark.parametrize(
    "body",
    [{"rating": 0}, {"rating": 6}, {"rating": "great"}, {"rating": 4.5}, {}, {"rating": None}],
)
def test_a_bad_rating_is_400_and_the_question_stays_open(body, start_session, queue_a, alice, api):
    _enable(queue_a)
    token = start_session(name="Vera").json()["session_token"]
    session = VisitorSession.objects.get(token_hash=token_digest(token))
    chat_id = services.visitor_message_send(session_id=session.pk, body="Hello").conversation_id
    assert api(alice).post(f"/api/v1/conversations/{chat_id}/dealt-with/").status_code == 200

    refused = rate(token, body)
    assert refused.status_code == 400, refused.content
    assert "rating" in refused.json()
    assert Conversation.objects.get(pk=chat_id).csat_rating is None
    assert rate(token, {"rating": 2, "comment": "x" * 2001}).status_code == 400
    assert rate(token, {"rating": 2}).status_code == 201


def test_an_unknown_token_is_401_and_a_foreign_origin_403(start_session, site):
    assert rate("not-a-token", {"rating": 5}).status_code == 401
    site.allowed_origins = [ORIGIN]
    site.save(update_fields=["allowed_origins"])
    token = start_session(name="Vera").json()["session_token"]
    assert rate(token, {"rating": 5}, origin="https://evil.example").status_code == 403


async def test_a_reconnecting_widget_is_asked_again_until_it_rates(
    start_session, queue_a, alice, api
):
    await sync_to_async(_enable)(queue_a)
    socket, token, chat_id = await _visitor_writes(start_session)
    dealt = await _post(api, alice, f"/api/v1/conversations/{chat_id}/dealt-with/")
    assert dealt.status_code == 200
    await next_frame(socket, "csat.request")
    await socket.disconnect()

    # A reload: the card comes back with the replay.
    again = visitor_socket(token)
    assert (await again.connect())[0]
    await next_frame(again, "csat.request")
    await again.disconnect()

    assert (await sync_to_async(rate)(token, {"rating": 3})).status_code == 201
    rated = visitor_socket(token)
    assert (await rated.connect())[0]
    frames = []
    while not await rated.receive_nothing(timeout=0.5):
        frames.append((await rated.receive_json_from())["type"])
    assert "csat.request" not in frames
    await rated.disconnect()
