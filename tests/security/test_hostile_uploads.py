"""Uploads that lie, beyond tests/inbox/test_attachments.py: disguised markup, a GIF/HTML
polyglot, a zip bomb dressed as DOCX; and how files are served back."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chatdesk.inbox import files
from chatdesk.inbox.models import Attachment
from tests.filemakers import ALLOWED_SAMPLES, image

pytestmark = pytest.mark.django_db

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"

# Markup in disguise: every one must be 415, whatever its name or declared type.
DISGUISED = {
    "svg named .png": ("logo.png", SVG),
    "svg behind an XML prolog": ("logo.png", b'<?xml version="1.0"?>\n' + SVG),
    "svg behind a comment": ("logo.png", b"<!-- made with love -->\n" + SVG),
    "svg behind a BOM and blank lines": ("logo.png", "\ufeff\n\n".encode() + SVG),
    "html behind a comment": ("page.txt", b"<!-- hi -->" + HTML),
    "html in UTF-16": ("page.png", HTML.decode().encode("utf-16")),
    "gif magic then html": ("cat.gif", b"GIF89a" + HTML),
    "png magic then html": ("cat.png", b"\x89PNG\r\n\x1a\n" + HTML),
    "svg after many comments": ("logo.png", b"<!-- a -->\n<!--\nb\n-->" * 20 + SVG),
}


def _upload(client, name: str, data: bytes, content_type: str = "image/png"):
    return client.post(
        "/api/v1/attachments/",
        {"file": SimpleUploadedFile(name, data, content_type)},
        format="multipart",
    )


@pytest.mark.parametrize("case", sorted(DISGUISED))
def test_disguised_markup_is_refused(case, alice, api):
    name, data = DISGUISED[case]
    response = _upload(api(alice), name, data)
    assert response.status_code == 415, response.content
    assert Attachment.objects.count() == 0


def test_a_gif_html_polyglot_is_only_ever_a_gif(alice, api):
    # A real GIF with a page glued on: Pillow verifies the GIF, so it may be accepted —
    # but only as image/gif, served so that no browser can treat it as a page.
    polyglot = image("GIF") + b"<html><script>alert(document.cookie)</script></html>"
    response = _upload(api(alice), "cat.html", polyglot, "text/html")
    assert response.status_code == 201
    body = response.json()
    assert body["content_type"] == "image/gif"
    assert body["name"].endswith(".gif")
    download = api(alice).get(body["url"])
    assert download["Content-Type"] == "image/gif"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    assert "default-src 'none'" in download["Content-Security-Policy"]


def _zip_bomb(inflated_bytes: int) -> bytes:
    """A DOCX-shaped zip whose main part inflates to `inflated_bytes` of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(inflated_bytes // len(chunk)):
                part.write(chunk)
    return out.getvalue()


@pytest.mark.slow
def test_a_zip_bomb_dressed_as_docx_is_judged_by_its_directory_alone(alice, api):
    bomb = _zip_bomb(512 * 1024 * 1024)  # half a gigabyte inflated
    assert len(bomb) < 1024 * 1024  # under a megabyte on the wire
    tracemalloc.start()
    started = time.perf_counter()
    detected = files.detect(bomb)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert detected.extension == "docx"
    # Inflating would take seconds and 512 MiB; reading the directory takes neither.
    assert elapsed < 0.5
    assert peak < 16 * 1024 * 1024
    started = time.perf_counter()
    assert _upload(api(alice), "report.docx", bomb).status_code == 201
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize(
    ("kind", "disposition"),
    [("pdf", "attachment"), ("txt", "attachment"), ("rtf", "attachment"), ("png", "inline")],
)
def test_non_images_download_as_attachments_with_their_stored_type(kind, disposition, alice, api):
    uploaded = _upload(api(alice), f"file.{kind}", ALLOWED_SAMPLES[kind]()).json()
    download = api(alice).get(uploaded["url"])
    assert download.status_code == 200
    assert download["Content-Type"].split(";")[0] == uploaded["content_type"]
    assert download["Content-Disposition"].startswith(disposition)
    assert download["X-Content-Type-Options"] == "nosniff"


def test_many_comments_do_not_make_the_markup_check_slow(alice, api):
    # The comment-skipping pattern must not backtrack exponentially on hostile text.
    text = b"<!---->" * 580 + b"just words"
    started = time.perf_counter()
    response = _upload(api(alice), "notes.txt", text, "text/plain")
    assert response.status_code == 201
    assert response.json()["content_type"] == "text/plain"
    assert time.perf_counter() - started < 2
