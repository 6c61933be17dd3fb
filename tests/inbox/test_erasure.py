"""Erasing a contact leaves nothing of them: not in any table, not in storage, not in
the search index; only an audit row without content. And the export holds it all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection, models
from rest_framework.test import APIClient

from channels_ingest.livechat import limits
from channels_ingest.livechat import services as livechat
from channels_ingest.livechat.models import VisitorSession, VisitorUpload, token_digest
from chatdesk.accounts.models import Role
from chatdesk.inbox.models import (
    Attachment,
    Conversation,
    Event,
    Label,
    Message,
    ReadMarker,
    VisitorBlock,
)
from chatdesk.inbox.services.attachments import attachment_upload
from chatdesk.search.query import parse
from chatdesk.search.selectors import messages_matching
from contacts.models import Contact, ErasureRecord, Identity
from queues.models import Offer
from tests.factories import ChannelAccountFactory, UserFactory
from tests.filemakers import ALLOWED_SAMPLES

pytestmark = pytest.mark.django_db

# Everything below is unique to the erased customer: none of it may be found afterwards.
NAME = "Zebediah Quuxwright"
EMAIL = "zq-erase@example.org"
PHONE = "+14155550999"
WORD = "xylophonical"  # in their messages, so the search index holds it
NOTE = "Zebediah asked twice"
VISITOR_IP = "203.0.113.77"
MARKERS = (NAME, "Zebediah", "Quuxwright", EMAIL, "4155550999", WORD, VISITOR_IP)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.delete(limits.session_start_key("127.0.0.1"))
    yield
    cache.delete(limits.session_start_key("127.0.0.1"))


@pytest.fixture
def olga(db):
    return UserFactory(username="olga", first_name="Olga", role=Role.SYSTEM_OWNER)


@pytest.fixture
def site(queue_a):
    return ChannelAccountFactory(
        kind="livechat", name="Shop chat", external_id="erase-site", route_queue=queue_a
    )


def _files(root: Path) -> set[str]:
    if not root.exists():
        return set()
    return {
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _, names in os.walk(root)
        for name in names
    }


@pytest.fixture
def customer(customer_writes, api, alice, site):
    """A customer with a WhatsApp chat (files both ways, a note, labels, read by alice,
    dealt with) and a live chat (their upload, an unsent upload, blocked), and a second
    customer who must keep everything."""
    contact = Contact.objects.create(name=NAME, email=EMAIL, phone=PHONE)
    # WhatsApp: the customer writes, sends a picture, alice answers with a file.
    first = customer_writes(f"Hello, {WORD} question", address="14155550999", name=NAME)
    chat = first.conversation
    Identity.objects.filter(pk=chat.identity_id).update(contact=contact)
    picture = attachment_upload(agent=None, name="zq-photo.png", data=ALLOWED_SAMPLES["png"]())
    assert picture.thumbnail, "an image gets a thumbnail: erasure must remove both files"
    picture.message = customer_writes(f"{WORD} photo", address="14155550999")
    picture.save(update_fields=["message"])
    upload = attachment_upload(agent=alice, name="zq-invoice.pdf", data=ALLOWED_SAMPLES["pdf"]())
    api(alice).post(f"/api/v1/conversations/{chat.pk}/take/")
    reply = api(alice).post(
        f"/api/v1/conversations/{chat.pk}/messages/",
        {"body": f"Dear {NAME}, here you are", "attachments": [upload.pk]},
        format="json",
    )
    assert reply.status_code == 201, reply.content
    Message.objects.create(conversation=chat, direction="out", kind="note", sender=alice, body=NOTE)
    label = Label.objects.create(name="VIP", color="#aa0000")
    assert (
        api(alice)
        .put(f"/api/v1/conversations/{chat.pk}/labels/", {"labels": [label.pk]}, format="json")
        .status_code
        == 200
    )
    api(alice).post(f"/api/v1/conversations/{chat.pk}/read/")
    assert api(alice).post(f"/api/v1/conversations/{chat.pk}/dealt-with/").status_code == 200

    # Live chat: the visitor gives their name and e-mail, sends a file, leaves another
    # unsent, and is blocked.
    token = (
        APIClient()
        .post(
            "/api/v1/livechat/sessions/",
            {"site_key": site.external_id, "name": NAME, "email": EMAIL},
            format="json",
            HTTP_ORIGIN="http://127.0.0.1:8000",
        )
        .json()["session_token"]
    )
    session = VisitorSession.objects.get(token_hash=token_digest(token))
    sent_file = livechat.visitor_upload(
        session_id=session.pk, name="zq-visitor.png", data=ALLOWED_SAMPLES["png"]()
    )
    livechat.visitor_upload(
        session_id=session.pk, name="zq-unsent.pdf", data=ALLOWED_SAMPLES["pdf"]()
    )
    live = livechat.visitor_message_send(
        session_id=session.pk,
        body=f"{WORD} from the website",
        attachment_ids=[sent_file.pk],
        ip=VISITOR_IP,
    ).conversation
    Identity.objects.filter(pk=live.identity_id).update(contact=contact)
    assert (
        api(alice).post(f"/api/v1/conversations/{live.pk}/block/", {"reason": "test"}).status_code
        == 200
    )

    # Someone else, who keeps everything.
    other = customer_writes("Unrelated customer here", address="14155550111", name="Other One")
    other_file = attachment_upload(agent=alice, name="other.pdf", data=ALLOWED_SAMPLES["pdf"]())
    other_file.message = other
    other_file.save(update_fields=["message"])
    return {
        "contact": contact,
        "identities": [chat.identity_id, live.identity_id],
        "conversations": [chat.pk, live.pk],
        "messages": list(
            Message.objects.filter(conversation__in=[chat, live]).values_list("pk", flat=True)
        ),
        "attachments": list(
            Attachment.objects.filter(name__startswith="zq-").values_list("pk", flat=True)
        ),
        "visitor": session.visitor_id,
        "other": other,
        "other_file": other_file,
    }


def _index_hits(word: str, user) -> list:
    """What the message index finds for `word`: on SQLite the FTS5 table itself, on
    PostgreSQL the search's own query (served by its GIN index)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM search_message_fts WHERE search_message_fts MATCH %s", [word]
            )
            return cursor.fetchall()
    return list(messages_matching(user, parse(word)).values_list("pk", flat=True))


def _every_row_of_every_table() -> dict[str, list[tuple]]:
    """Every row of every table the database has (the search index's own tables too)."""
    rows = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor, include_views=False):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows[table] = cursor.fetchall()
    return rows


def _mentions(value: object, markers: tuple[str, ...]) -> list[str]:
    if isinstance(value, memoryview | bytes | bytearray):
        raw = bytes(value)
        return [m for m in markers if m.encode() in raw or m.lower().encode() in raw]
    text = str(value)
    return [m for m in markers if m in text or m.lower() in text.lower()]


def _references(erased: dict) -> list[str]:
    """Rows of any model pointing at an erased contact, identity, chat, message or file."""
    targets = {
        Contact: [erased["contact"].pk],
        Identity: erased["identities"],
        Conversation: erased["conversations"],
        Message: erased["messages"],
        Attachment: erased["attachments"],
    }
    found = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            related = getattr(field, "related_model", None)
            if (
                not field.concrete
                or related not in targets
                or not isinstance(field, models.ForeignKey | models.OneToOneField)
            ):
                continue
            hits = model._base_manager.filter(**{f"{field.attname}__in": targets[related]})
            if hits.exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found


def test_erasure_leaves_nothing_in_the_database_storage_or_search_index(
    customer, olga, api, _media, django_capture_on_commit_callbacks
):
    files_before = _files(_media)
    assert (
        len(files_before) == 2 + 1 + 2 + 1 + 1
    )  # photo+thumb, invoice, visitor photo+thumb, unsent, other
    assert _index_hits(WORD, olga), "the index holds the customer's word before"
    assert VisitorBlock.objects.filter(identity_id__in=customer["identities"]).exists()
    assert Offer.objects.filter(conversation_id__in=customer["conversations"]).exists()
    assert ReadMarker.objects.filter(conversation_id__in=customer["conversations"]).exists()
    assert Event.objects.filter(conversation_id__in=customer["conversations"]).exists()

    # Files go once the erasure has committed: run what waits for the commit.
    with django_capture_on_commit_callbacks(execute=True):
        response = api(olga).post(f"/api/v1/contacts/{customer['contact'].pk}/erase/")
    assert response.status_code == 200, response.content
    assert response.json()["conversations"] == 2

    # Nothing points at what was erased, in any model of any app.
    assert _references(customer) == []
    assert not VisitorSession.objects.filter(visitor_id=customer["visitor"]).exists()
    assert not VisitorUpload.objects.exists()
    # Nothing mentions them in any row of any table (search index tables included).
    leftovers = {
        table: found
        for table, rows in _every_row_of_every_table().items()
        for row in rows
        for found in [[m for value in row for m in _mentions(value, MARKERS)]]
        if found
    }
    assert leftovers == {}
    assert _index_hits(WORD, olga) == []
    # Their files are gone from storage; the other customer's stays.
    assert _files(_media) == {customer["other_file"].file.name}
    assert Message.objects.filter(pk=customer["other"].pk).exists()


def test_erasure_is_refused_while_a_chat_of_theirs_is_open(customer_writes, olga, api, _media):
    contact = Contact.objects.create(name=NAME, email=EMAIL)
    message = customer_writes(f"{WORD} still waiting", address="14155550999")
    Identity.objects.filter(pk=message.conversation.identity_id).update(contact=contact)
    response = api(olga).post(f"/api/v1/contacts/{contact.pk}/erase/")
    assert response.status_code == 409
    assert response.json()["code"] == "chat_open"
    assert f"#{message.conversation_id}" in response.json()["detail"]
    assert "open chat" in response.json()["detail"]
    assert Contact.objects.filter(pk=contact.pk).exists()
    assert Message.objects.filter(pk=message.pk).exists()
    assert not ErasureRecord.objects.exists()


def test_the_audit_row_keeps_who_when_and_the_id_and_no_content(customer, olga, api):
    contact_id = customer["contact"].pk
    api(olga).post(f"/api/v1/contacts/{contact_id}/erase/")
    record = ErasureRecord.objects.get()
    assert (record.contact_id, record.erased_by, record.erased_by_username) == (
        contact_id,
        olga,
        "olga",
    )
    assert record.erased_at is not None
    assert (record.identities, record.conversations) == (2, 2)
    assert record.messages == len(customer["messages"])
    text_fields = [
        f.name
        for f in ErasureRecord._meta.fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
    ]
    assert text_fields == ["erased_by_username"]


def test_only_a_system_owner_erases(customer, alice, carol, api):
    url = f"/api/v1/contacts/{customer['contact'].pk}/erase/"
    group_owner = UserFactory(username="gina", role=Role.GROUP_OWNER)
    for user in (alice, carol, group_owner):
        assert api(user).post(url).status_code == 403
    assert APIClient().post(url).status_code == 401
    assert Contact.objects.filter(pk=customer["contact"].pk).exists()
    assert (
        api(UserFactory(username="root", is_superuser=True))
        .post("/api/v1/contacts/999999/erase/")
        .status_code
        == 404
    )


def test_the_export_holds_everything_and_is_for_supervisors(customer, alice, carol, olga, api):
    url = f"/api/v1/contacts/{customer['contact'].pk}/export/"
    assert api(alice).get(url).status_code == 403
    assert APIClient().get(url).status_code == 401
    for user in (carol, olga, UserFactory(username="gina", role=Role.GROUP_OWNER)):
        assert api(user).get(url).status_code == 200
    data = api(carol).get(url).json()
    assert set(data) == {"contact", "identities", "conversations"}
    assert data["contact"]["name"] == NAME and data["contact"]["email"] == EMAIL
    assert {i["kind"] for i in data["identities"]} == {"whatsapp", "livechat"}
    assert sorted(c["id"] for c in data["conversations"]) == sorted(customer["conversations"])
    whatsapp = next(c for c in data["conversations"] if c["channel"] == "whatsapp")
    assert whatsapp["labels"] == ["VIP"]
    assert {"taken", "labels_set", "dealt_with"} <= {e["kind"] for e in whatsapp["history"]}
    messages = [m for c in data["conversations"] for m in c["messages"]]
    assert sorted(m["id"] for m in messages) == sorted(customer["messages"])
    assert {"id", "kind", "direction", "body", "created_at", "attachments"} <= set(messages[0])
    files = {a["name"]: a for m in messages for a in m["attachments"]}
    assert set(files) == {"zq-photo.png", "zq-invoice.pdf", "zq-visitor.png"}
    photo = files["zq-photo.png"]
    assert photo["url"] == f"/api/v1/attachments/{photo['id']}/file/"
    assert photo["thumbnail_url"] == f"/api/v1/attachments/{photo['id']}/thumbnail/"
    assert {"content_type", "size", "created_at"} <= set(photo)
    assert any(m["kind"] == "note" and m["body"] == NOTE for m in messages)
    live = next(c for c in data["conversations"] if c["channel"] == "livechat")
    assert live["visitor"]["email"] == EMAIL and live["visitor_ip"] == VISITOR_IP
    assert api(carol).get("/api/v1/contacts/999999/export/").status_code == 404


def test_the_admin_erases_after_a_confirmation_for_system_owners_only(
    customer, olga, carol, client
):
    changelist = "/admin/contacts/contact/"
    contact = customer["contact"]
    client.force_login(carol)
    assert "erase_contacts" not in client.get(changelist).content.decode()
    client.force_login(olga)
    assert "erase_contacts" in client.get(changelist).content.decode()
    picked = {"action": "erase_contacts", "_selected_action": [contact.pk]}
    confirm = client.post(changelist, picked)
    assert confirm.status_code == 200
    assert "This cannot be undone" in confirm.content.decode()
    assert Contact.objects.filter(pk=contact.pk).exists()
    done = client.post(changelist, {**picked, "confirm": "yes"}, follow=True)
    assert "Erased 1 contact" in done.content.decode()
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert not Conversation.objects.filter(pk__in=customer["conversations"]).exists()
    assert ErasureRecord.objects.get().erased_by == olga
    assert "/admin/contacts/erasurerecord/" in client.get("/admin/").content.decode()


def test_the_admin_tells_why_an_open_chat_stops_it(customer_writes, olga, client):
    contact = Contact.objects.create(name=NAME)
    message = customer_writes("Still open", address="14155550999")
    Identity.objects.filter(pk=message.conversation.identity_id).update(contact=contact)
    client.force_login(olga)
    done = client.post(
        "/admin/contacts/contact/",
        {"action": "erase_contacts", "_selected_action": [contact.pk], "confirm": "yes"},
        follow=True,
    )
    assert "has an open chat" in done.content.decode()
    assert Contact.objects.filter(pk=contact.pk).exists()
