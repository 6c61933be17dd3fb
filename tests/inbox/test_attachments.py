"""Files both ways: allowed by content, refused with a reason, served only to who may see."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from chatdesk.inbox.models import Attachment
from tests.filemakers import ALLOWED_SAMPLES, image

pytestmark = pytest.mark.django_db

EXPECTED_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "txt": "text/plain",
    "rtf": "application/rtf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "webp": "image/webp",
    "tif": "image/tiff",
    "heic": "image/heic",
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _upload(client, name: str, data: bytes, content_type: str = "application/octet-stream"):
    return client.post(
        "/api/v1/attachments/",
        {"file": SimpleUploadedFile(name, data, content_type)},
        format="multipart",
    )


@pytest.mark.parametrize("kind", sorted(ALLOWED_SAMPLES))
def test_every_allowed_type_is_accepted_by_content(kind, alice, api):
    # Named wrongly on purpose: the bytes decide, not the name.
    response = _upload(api(alice), "upload.bin", ALLOWED_SAMPLES[kind]())
    assert response.status_code == 201, response.content
    body = response.json()
    if kind in EXPECTED_TYPES:
        assert body["content_type"] == EXPECTED_TYPES[kind]
    assert body["name"] == f"upload.{kind}"
    assert (body["thumbnail_url"] is not None) == (
        kind in {"jpg", "png", "gif", "bmp", "webp", "tif", "heic"}
    )


REFUSED = {
    "html named png": ("photo.png", b"<html><script>alert(1)</script></html>", 415),
    "svg": ("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', 415),
    "executable": ("invoice.pdf", b"\x7fELF\x02\x01\x01" + b"\0" * 100, 415),
    "plain zip": ("report.docx", b"PK\x03\x04" + b"\0" * 60, 415),
    "empty": ("empty.txt", b"", 415),
    "truncated jpeg": ("cut.jpg", image("JPEG")[:200], 415),
    "binary junk": ("notes.txt", bytes(range(256)) * 4, 415),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_lying_and_broken_files_are_refused(case, alice, api):
    name, data, code = REFUSED[case]
    response = _upload(api(alice), name, data, "image/png")
    assert response.status_code == code
    assert response.json()["detail"]
    assert Attachment.objects.count() == 0


def test_decompression_bomb_is_refused(alice, api):
    out = io.BytesIO()
    Image.new("1", (12000, 12000)).save(out, format="PNG")
    assert len(out.getvalue()) < 1_000_000  # tiny on disk, 144 million pixels in memory
    response = _upload(api(alice), "bomb.png", out.getvalue())
    assert response.status_code == 415


def test_over_the_size_limit_is_413(alice, api, settings):
    settings.MAX_UPLOAD_BYTES = 1000
    response = _upload(api(alice), "big.txt", b"a" * 1001)
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]


def test_sent_file_is_served_only_to_who_sees_the_chat(customer_writes, alice, bob, api):
    conversation = customer_writes("send me the invoice").conversation
    uploaded = _upload(api(alice), "invoice.pdf", ALLOWED_SAMPLES["pdf"]()).json()
    # Before sending, only the uploader may fetch it.
    assert api(bob).get(uploaded["url"]).status_code == 404
    assert api(alice).get(uploaded["url"]).status_code == 200
    reply = api(alice).post(
        f"/api/v1/conversations/{conversation.pk}/messages/",
        {"body": "Here it is", "attachments": [uploaded["id"]]},
        format="json",
    )
    assert reply.status_code == 201
    assert [a["id"] for a in reply.json()["attachments"]] == [uploaded["id"]]
    download = api(alice).get(uploaded["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert api(bob).get(uploaded["url"]).status_code == 404  # alice owns the chat now


def test_someone_elses_upload_cannot_be_attached(customer_writes, alice, bob, api):
    conversation = customer_writes("hi").conversation
    uploaded = _upload(api(bob), "x.pdf", ALLOWED_SAMPLES["pdf"]()).json()
    reply = api(alice).post(
        f"/api/v1/conversations/{conversation.pk}/messages/",
        {"body": "sneaky", "attachments": [uploaded["id"]]},
        format="json",
    )
    assert reply.status_code == 400
    assert Attachment.objects.get(pk=uploaded["id"]).message is None
