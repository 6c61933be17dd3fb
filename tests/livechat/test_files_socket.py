"""Files over the visitor's socket: a visitor sends uploads with a message, an agent's
files reach the visitor as files, and the replay brings fresh links."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from channels_ingest.livechat.delivery import deliver_to_visitor
from chatdesk.inbox.models import Attachment, Message
from tests.filemakers import PDF, image
from tests.livechat.conftest import ORIGIN
from tests.livechat.support import next_frame, open_session, visitor_socket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@sync_to_async
def _upload(token: str, name: str, data: bytes) -> dict:
    response = APIClient().post(
        "/api/v1/livechat/attachments/",
        {"file": SimpleUploadedFile(name, data)},
        format="multipart",
        HTTP_X_VISITOR_TOKEN=token,
        HTTP_ORIGIN=ORIGIN,
    )
    assert response.status_code == 201, response.content
    return response.json()


@sync_to_async
def _open(url: str) -> tuple[int, bytes]:
    response = Client().get(url)
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response.status_code, body


async def test_a_visitor_sends_a_photo_and_a_pdf_without_text(start_session, alice, capture_events):
    session = await open_session(start_session, name="Vera")
    token = session["session_token"]
    photo = await _upload(token, "photo.png", image("PNG"))
    pdf = await _upload(token, "order.pdf", PDF)
    socket = visitor_socket(token)
    assert (await socket.connect())[0]
    events = await sync_to_async(capture_events)()

    await socket.send_json_to(
        {"type": "message", "body": "", "attachments": [photo["id"], pdf["id"]]}
    )
    echo = (await next_frame(socket, "message"))["data"]
    assert echo["body"] == ""
    shown = {item["name"]: item for item in echo["attachments"]}
    assert set(shown) == {"photo.png", "order.pdf"}
    assert shown["photo.png"]["content_type"] == "image/png"
    assert shown["photo.png"]["thumbnail_url"] and shown["order.pdf"]["thumbnail_url"] is None
    assert all(token not in item["url"] for item in shown.values())
    assert await _open(shown["order.pdf"]["url"]) == (200, PDF)
    assert (await _open(shown["photo.png"]["thumbnail_url"]))[0] == 200

    message = await sync_to_async(Message.objects.get)()
    assert message.direction == "in"
    # The agent is told the files joined the message, thumbnails and all.
    updates = await sync_to_async(events.received)(alice, "message.updated")
    files = {item["name"]: item for item in updates[-1]["data"]["attachments"]}
    assert files["photo.png"]["thumbnail_url"] == f"/api/v1/attachments/{photo['id']}/thumbnail/"
    assert set(files) == {"photo.png", "order.pdf"}

    # The replay after a reconnect carries the files with links of their own.
    await socket.disconnect()
    again = visitor_socket(token)
    assert (await again.connect())[0]
    replayed = (await next_frame(again, "message"))["data"]
    assert {item["name"] for item in replayed["attachments"]} == {"photo.png", "order.pdf"}
    assert (await _open(replayed["attachments"][0]["url"]))[0] == 200
    await again.disconnect()


async def test_another_visitors_upload_cannot_be_sent_and_nothing_is_sent(start_session):
    vera = await open_session(start_session, name="Vera")
    otto = await open_session(start_session, name="Otto", ip="203.0.113.7")
    ottos_file = await _upload(otto["session_token"], "secret.pdf", PDF)
    socket = visitor_socket(vera["session_token"])
    assert (await socket.connect())[0]

    await socket.send_json_to(
        {"type": "message", "body": "look", "attachments": [ottos_file["id"]]}
    )
    error = await next_frame(socket, "error")
    assert "upload it again" in error["data"]["detail"]
    assert await sync_to_async(Message.objects.count)() == 0
    attachment = await sync_to_async(Attachment.objects.get)(pk=ottos_file["id"])
    assert attachment.message_id is None  # still Otto's to send

    await socket.send_json_to({"type": "message", "body": "", "attachments": "nope"})
    assert "list of file ids" in (await next_frame(socket, "error"))["data"]["detail"]
    await socket.send_json_to({"type": "message", "body": ""})
    assert (await next_frame(socket, "error"))["data"]["detail"] == "Write a message first."
    assert await sync_to_async(Message.objects.count)() == 0
    await socket.disconnect()


async def test_an_upload_is_sent_once(start_session):
    session = await open_session(start_session, name="Vera")
    token = session["session_token"]
    pdf = await _upload(token, "order.pdf", PDF)
    socket = visitor_socket(token)
    assert (await socket.connect())[0]
    await socket.send_json_to({"type": "message", "body": "one", "attachments": [pdf["id"]]})
    await next_frame(socket, "message")
    await socket.send_json_to({"type": "message", "body": "two", "attachments": [pdf["id"]]})
    await next_frame(socket, "error")
    assert await sync_to_async(Message.objects.count)() == 1
    await socket.disconnect()


async def test_an_agents_files_reach_the_visitor_as_files(start_session, alice, api):
    session = await open_session(start_session, name="Vera")
    socket = visitor_socket(session["session_token"])
    assert (await socket.connect())[0]
    await socket.send_json_to({"type": "message", "body": "Which size?"})
    echo = (await next_frame(socket, "message"))["data"]
    conversation_id = await sync_to_async(
        lambda: Message.objects.get(pk=echo["id"]).conversation_id
    )()

    @sync_to_async
    def reply() -> int:
        client = api(alice)
        ids = [
            client.post(
                "/api/v1/attachments/",
                {"file": SimpleUploadedFile(name, data)},
                format="multipart",
            ).json()["id"]
            for name, data in (("chart.png", image("PNG")), ("sizes.pdf", PDF))
        ]
        response = client.post(
            f"/api/v1/conversations/{conversation_id}/messages/",
            {"body": "", "attachments": ids},
            format="json",
        )
        assert response.status_code == 201, response.content
        return response.json()["id"]

    reply_id = await reply()
    assert await sync_to_async(deliver_to_visitor)(reply_id) == "delivered"
    frame = (await next_frame(socket, "message"))["data"]
    assert frame["id"] == reply_id and frame["direction"] == "out"
    shown = {item["name"]: item for item in frame["attachments"]}
    assert set(shown) == {"chart.png", "sizes.pdf"}
    assert "/api/v1/attachments/" not in shown["chart.png"]["url"]  # not the agents' URL
    assert await _open(shown["sizes.pdf"]["url"]) == (200, PDF)
    assert (await _open(shown["chart.png"]["thumbnail_url"]))[0] == 200
    await socket.disconnect()
