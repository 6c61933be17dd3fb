"""A visitor's uploads (`POST /api/v1/livechat/attachments/`) and the signed links that
open a chat's files for one visitor's session (`/livechat/files/...`)."""

from __future__ import annotations

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from channels_ingest.livechat import links, push, services
from channels_ingest.livechat.models import VisitorSession, VisitorUpload
from chatdesk.inbox.models import Attachment, Message
from tests.factories import UserFactory
from tests.filemakers import PDF, image
from tests.livechat.conftest import ORIGIN

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _upload(token: str | None, name: str, data: bytes, *, origin: str = ORIGIN):
    headers = {"HTTP_ORIGIN": origin}
    if token is not None:
        headers["HTTP_X_VISITOR_TOKEN"] = token
    return APIClient().post(
        "/api/v1/livechat/attachments/",
        {"file": SimpleUploadedFile(name, data, "application/octet-stream")},
        format="multipart",
        **headers,
    )


def _visitor(start_session, name: str, ip: str = "127.0.0.1") -> tuple[str, VisitorSession]:
    response = start_session(name=name, ip=ip)
    assert response.status_code == 201, response.content
    body = response.json()
    return body["session_token"], VisitorSession.objects.get(visitor_id=body["visitor"])


def test_a_visitor_uploads_a_photo_and_gets_its_id_name_type_and_size(start_session):
    token, session = _visitor(start_session, "Vera")
    photo = image("PNG")
    response = _upload(token, "../../etc/holiday.png", photo)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body == {
        "id": body["id"],
        "name": "holiday.png",
        "content_type": "image/png",
        "size": len(photo),
    }
    # The widget on the customer's site must read the answer.
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    upload = VisitorUpload.objects.select_related("attachment").get()
    assert (upload.session, upload.attachment.message_id) == (session, None)
    assert upload.attachment.thumbnail  # images get a preview, like agents' uploads


def test_the_preflight_allows_the_visitor_token_header(site):
    response = APIClient().options(
        "/api/v1/livechat/attachments/",
        HTTP_ORIGIN=ORIGIN,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x-visitor-token",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert "X-Visitor-Token" in response["Access-Control-Allow-Headers"]
    assert "POST" in response["Access-Control-Allow-Methods"]


def test_an_upload_without_a_live_session_is_401(start_session):
    assert _upload(None, "a.pdf", PDF).status_code == 401
    assert _upload("not-a-token", "a.pdf", PDF).status_code == 401
    assert Attachment.objects.count() == 0


def test_unsupported_and_oversized_files_are_refused_like_agents_uploads(start_session, settings):
    token, _ = _visitor(start_session, "Vera")
    page = _upload(token, "invoice.pdf", b"<html><script>alert(1)</script></html>")
    assert page.status_code == 415
    assert "cannot be sent" in page.json()["detail"]
    assert page["Access-Control-Allow-Origin"] == ORIGIN  # the widget can say why
    program = _upload(token, "setup.pdf", b"MZ\x90\x00\x03" + bytes(200))
    assert program.status_code == 415
    settings.MAX_UPLOAD_BYTES = 1000
    large = _upload(token, "big.pdf", PDF + b"%" * 2000)
    assert large.status_code == 413
    assert "limit" in large.json()["detail"]
    assert Attachment.objects.count() == 0


def test_an_upload_from_an_origin_the_site_does_not_allow_is_403(start_session, site):
    token, _ = _visitor(start_session, "Vera")
    site.allowed_origins = [ORIGIN]
    site.save()
    assert _upload(token, "a.pdf", PDF, origin="https://evil.example").status_code == 403
    assert _upload(token, "a.pdf", PDF).status_code == 201


# ---- the links ----


def _sent_files(start_session, name: str = "Vera", ip: str = "127.0.0.1"):
    """A visitor who sent a photo and a PDF: (session, photo, pdf)."""
    token, session = _visitor(start_session, name, ip)
    photo_id = _upload(token, "photo.png", image("PNG")).json()["id"]
    pdf_id = _upload(token, "terms.pdf", PDF).json()["id"]
    services.visitor_message_send(session_id=session.pk, body="", attachment_ids=[photo_id, pdf_id])
    return session, Attachment.objects.get(pk=photo_id), Attachment.objects.get(pk=pdf_id)


def test_the_right_link_opens_the_file_and_its_thumbnail_without_any_header(client, start_session):
    session, photo, pdf = _sent_files(start_session)
    opened = client.get(links.link(pdf.pk, "file", session.pk))
    assert opened.status_code == 200
    assert b"".join(opened.streaming_content) == PDF
    assert opened["Content-Type"] == "application/pdf"
    assert opened["Content-Disposition"].startswith("attachment")  # a download, not a page
    assert opened["Cross-Origin-Resource-Policy"] == "cross-origin"
    shown = client.get(links.link(photo.pk, "file", session.pk))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert b"".join(shown.streaming_content) == photo.file.open("rb").read()
    thumb = client.get(links.link(photo.pk, "thumbnail", session.pk))
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/webp"


def test_a_link_never_carries_the_session_token(start_session):
    token, session = _visitor(start_session, "Vera")
    photo_id = _upload(token, "photo.png", image("PNG")).json()["id"]
    message = services.visitor_message_send(
        session_id=session.pk, body="", attachment_ids=[photo_id]
    )
    payload = push.message_payload(message, visitor_name="Vera", session_id=session.pk)
    (shown,) = payload["attachments"]
    assert set(shown) == {"id", "name", "content_type", "size", "url", "thumbnail_url"}
    assert token not in shown["url"] and token not in shown["thumbnail_url"]
    assert shown["url"].startswith(f"/livechat/files/{photo_id}/file/")


def test_another_visitors_link_is_403(client, start_session):
    _, photo, _ = _sent_files(start_session, "Vera")
    other, _, _ = _sent_files(start_session, "Otto", ip="203.0.113.7")
    # Signed correctly, but for a session whose chat does not hold the file.
    assert client.get(links.link(photo.pk, "file", other.pk)).status_code == 403
    assert client.get(links.link(photo.pk, "thumbnail", other.pk)).status_code == 403


def test_a_link_without_its_signature_is_403(client, start_session):
    _, photo, _ = _sent_files(start_session)
    assert client.get(f"/livechat/files/{photo.pk}/file/").status_code == 403


def test_an_expired_link_is_403(client, start_session, settings, monkeypatch):
    session, photo, _ = _sent_files(start_session)
    real_time = signing.time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() - 901)
    old = links.link(photo.pk, "file", session.pk)
    monkeypatch.setattr(signing.time, "time", real_time)
    assert client.get(old).status_code == 403
    settings.LIVECHAT_LINK_SECONDS = 3600  # the setting decides how long a link lives
    assert client.get(old).status_code == 200


def test_an_altered_link_is_403(client, start_session):
    session, photo, _ = _sent_files(start_session)
    url = links.link(photo.pk, "file", session.pk)
    head, token, _ = url.rsplit("/", 2)
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(f"{head}/{flipped}/").status_code == 403
    assert client.get(f"{head}/{token}x/").status_code == 403


def test_a_link_pointed_at_another_file_is_403(client, start_session):
    session, photo, pdf = _sent_files(start_session)
    url = links.link(photo.pk, "file", session.pk)
    # The same visitor's other file, and the thumbnail variant: neither was signed.
    assert client.get(url.replace(f"/{photo.pk}/", f"/{pdf.pk}/")).status_code == 403
    assert client.get(url.replace("/file/", "/thumbnail/")).status_code == 403


def test_an_unsent_upload_has_no_link_that_opens(client, start_session):
    token, session = _visitor(start_session, "Vera")
    photo_id = _upload(token, "photo.png", image("PNG")).json()["id"]
    assert client.get(links.link(photo_id, "file", session.pk)).status_code == 403


def test_the_visitors_files_join_the_message_the_agent_sees(start_session, api, alice):
    _, photo, pdf = _sent_files(start_session)
    message = Message.objects.get()
    assert set(message.attachments.values_list("pk", flat=True)) == {photo.pk, pdf.pk}
    listed = api(alice).get(f"/api/v1/conversations/{message.conversation_id}/messages/")
    assert listed.status_code == 200, listed.content
    rows = listed.json()["results"] if isinstance(listed.json(), dict) else listed.json()
    (shown,) = [row for row in rows if row["id"] == message.pk]
    by_name = {item["name"]: item for item in shown["attachments"]}
    assert by_name["photo.png"]["thumbnail_url"] == f"/api/v1/attachments/{photo.pk}/thumbnail/"
    assert by_name["terms.pdf"]["url"] == f"/api/v1/attachments/{pdf.pk}/file/"
    assert api(alice).get(by_name["terms.pdf"]["url"]).status_code == 200


def test_the_widget_config_is_public_and_comes_from_the_site(client, site, settings):
    site.widget_color = "#0a7d4f"
    site.widget_greeting = "Hej! Ask us about sizes."
    site.save()
    response = client.get("/api/v1/livechat/config/?site_key=shop-site", HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 200
    assert response.json() == {
        "name": "Shop chat",
        "color": "#0a7d4f",
        "greeting": "Hej! Ask us about sizes.",
        "max_file_bytes": settings.MAX_UPLOAD_BYTES,
    }
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert client.get("/api/v1/livechat/config/?site_key=nope").status_code == 404
    site.widget_color = site.widget_greeting = ""
    site.save()
    plain = client.get("/api/v1/livechat/config/?site_key=shop-site").json()
    assert (plain["color"], plain["greeting"]) == ("#1f6feb", "Hi! How can we help you today?")


def test_the_widget_colour_must_be_a_hex_colour(api, site):
    owner = UserFactory(username="owner", role="system_owner")
    path = f"/api/v1/channel-accounts/{site.pk}/"
    bad = api(owner).patch(path, {"widget_color": "red"}, format="json")
    assert bad.status_code == 400 and "widget_color" in bad.json()
    good = api(owner).patch(
        path, {"widget_color": "#0A7D4F", "widget_greeting": "Hello"}, format="json"
    )
    assert good.status_code == 200, good.content
    assert (good.json()["widget_color"], good.json()["widget_greeting"]) == ("#0A7D4F", "Hello")
