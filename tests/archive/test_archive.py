"""The archived list with its filters, and retention that removes files too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from archive.services import archive_purge
from archive.tasks import purge
from chatdesk.inbox.models import Conversation, Message
from chatdesk.inbox.services.attachments import attachment_upload
from chatdesk.inbox.services.ownership import message_reply
from tests.factories import ChannelAccountFactory
from tests.filemakers import image

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _closed(api, agent, customer_writes, body, address, **kwargs):
    conversation = customer_writes(body, address=address, **kwargs).conversation
    api(agent).post(f"/api/v1/conversations/{conversation.pk}/take/")
    api(agent).post(f"/api/v1/conversations/{conversation.pk}/dealt-with/")
    return Conversation.objects.get(pk=conversation.pk)


def test_archive_filters_by_channel_agent_text_and_date(
    queue_a, customer_writes, alice, bob, carol, api
):
    refund = _closed(api, alice, customer_writes, "I want a refund", "14155550001")
    shipping = _closed(api, bob, customer_writes, "Where is my parcel?", "14155550002")
    sms = ChannelAccountFactory(kind="sms", external_id="+15005550006", route_queue=queue_a)
    by_sms = _closed(api, alice, customer_writes, "refund by sms", "+14155550003", to=sms)

    def ids(**params):
        response = api(carol).get("/api/v1/archive/", params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {refund.pk, shipping.pk, by_sms.pk}
    assert ids(channel="sms") == {by_sms.pk}
    assert ids(agent=bob.pk) == {shipping.pk}
    assert ids(q="REFUND") == {refund.pk, by_sms.pk}
    today = timezone.now().date()
    assert ids(date_from=str(today + timedelta(days=1))) == set()
    assert ids(date_to=str(today)) == {refund.pk, shipping.pk, by_sms.pk}
    # An agent's archive holds only their own chats.
    alice_ids = {r["id"] for r in api(alice).get("/api/v1/archive/").json()["results"]}
    assert alice_ids == {refund.pk, by_sms.pk}
    assert api(carol).get("/api/v1/archive/", {"date_from": "yesterday"}).status_code == 400


def test_purge_deletes_old_archived_chats_only(customer_writes, alice, api, settings):
    old = customer_writes("old chat", address="14155550011").conversation
    upload = attachment_upload(agent=alice, name="photo.png", data=image("PNG"))
    message_reply(conversation_id=old.pk, agent=alice, body="see", attachment_ids=[upload.pk])
    api(alice).post(f"/api/v1/conversations/{old.pk}/dealt-with/")
    recent = _closed(api, alice, customer_writes, "recent chat", "14155550012")
    still_open = customer_writes("open one", address="14155550013").conversation
    long_ago = timezone.now() - timedelta(days=40)
    Conversation.objects.filter(pk__in=[old.pk, still_open.pk]).update(last_message_at=long_ago)

    settings.ARCHIVE_RETENTION_DAYS = 30
    deleted = purge.apply().get()
    assert deleted == 1
    assert not Conversation.objects.filter(pk=old.pk).exists()
    assert not Message.objects.filter(conversation_id=old.pk).exists()
    assert Conversation.objects.filter(pk__in=[recent.pk, still_open.pk]).count() == 2
    assert archive_purge(older_than_days=0) == 0  # 0 keeps everything


def test_purged_files_leave_storage(
    customer_writes, alice, api, django_capture_on_commit_callbacks
):
    old = customer_writes("old chat", address="14155550021").conversation
    upload = attachment_upload(agent=alice, name="photo.png", data=image("PNG"))
    message_reply(conversation_id=old.pk, agent=alice, body="see", attachment_ids=[upload.pk])
    api(alice).post(f"/api/v1/conversations/{old.pk}/dealt-with/")
    Conversation.objects.filter(pk=old.pk).update(
        last_message_at=timezone.now() - timedelta(days=40)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert archive_purge(older_than_days=30) == 1
    assert not default_storage.exists(upload.file.name)
    assert not default_storage.exists(upload.thumbnail.name)
