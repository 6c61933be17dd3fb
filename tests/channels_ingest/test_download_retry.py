"""A customer's file that could not be downloaded stays in sight with a Retry."""

from __future__ import annotations

import pytest

from channels_ingest.tasks import download_media
from chatdesk.inbox.models import Message

pytestmark = pytest.mark.django_db

MEDIA_ID = "1266798744318251"  # a file the emulator serves (fixtures README)
# A checksum the file does not have: the download fails for good (a corrupted transfer).
WRONG_SHA256 = "bm90IHRoZSByaWdodCBjaGVja3N1bQ=="


def _failed_download(customer_writes, wa_account) -> Message:
    message = customer_writes("see attached", to=wa_account)
    args = (message.pk, wa_account.pk, MEDIA_ID, "image/jpeg", "receipt.jpg", WRONG_SHA256, 0)
    assert download_media.apply(args=args).get() == "failed"
    message.refresh_from_db()
    return message


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """The downloads are enqueued once the retry commits."""
    return django_capture_on_commit_callbacks


def _messages(api, user, conversation_id) -> list[dict]:
    return api(user).get(f"/api/v1/conversations/{conversation_id}/messages/").json()["results"]


def test_a_failed_download_shows_as_a_placeholder_without_provider_internals(
    providers, eager, wa_account, customer_writes, alice, api
):
    message = _failed_download(customer_writes, wa_account)
    shown = next(m for m in _messages(api, alice, message.conversation_id) if m["id"] == message.pk)
    assert shown["attachments"] == []
    [missing] = shown["missing_files"]
    assert (missing["name"], missing["content_type"], missing["retrying"]) == (
        "receipt.jpg",
        "image/jpeg",
        False,
    )
    assert missing["error"]
    assert set(missing) == {"index", "name", "content_type", "error", "retrying"}


def test_retry_download_fetches_the_file_and_the_placeholder_goes(
    providers, eager, wa_account, customer_writes, alice, capture_events, api, after_commit
):
    message = _failed_download(customer_writes, wa_account)
    # The provider serves the file intact now (here: no checksum left to disagree with).
    message.missing_files[0]["sha256"] = ""
    Message.objects.filter(pk=message.pk).update(missing_files=message.missing_files)
    log = capture_events()
    url = f"/api/v1/conversations/{message.conversation_id}/messages/{message.pk}/retry-download/"
    with after_commit(execute=True):
        response = api(alice).post(url)
    assert response.status_code == 202
    message.refresh_from_db()
    assert message.missing_files == []
    assert message.delivery_error == ""
    assert message.attachments.get().name == "receipt.jpg"
    assert "message.updated" in log.types(alice)
    # Nothing is left to retry.
    assert api(alice).post(url).status_code == 409


def test_a_retry_that_fails_again_shows_the_placeholder_again(
    providers, eager, wa_account, customer_writes, alice, api, after_commit
):
    message = _failed_download(customer_writes, wa_account)
    url = f"/api/v1/conversations/{message.conversation_id}/messages/{message.pk}/retry-download/"
    with after_commit(execute=True):
        assert api(alice).post(url).status_code == 202
    message.refresh_from_db()
    assert [(m["name"], m["retrying"]) for m in message.missing_files] == [("receipt.jpg", False)]


def test_only_who_sees_the_chat_may_retry(
    providers, eager, wa_account, customer_writes, oscar, api
):
    message = _failed_download(customer_writes, wa_account)
    url = f"/api/v1/conversations/{message.conversation_id}/messages/{message.pk}/retry-download/"
    assert api(oscar).post(url).status_code == 404
