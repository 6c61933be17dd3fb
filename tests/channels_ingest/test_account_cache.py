"""The webhooks' per-process account cache: a change here is seen at once, elsewhere
within ACCOUNT_CACHE_SECONDS, and an account read once costs no query afterwards."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from channels_ingest import services
from chatdesk.inbox.models import Message
from tests.factories import ChannelAccountFactory, QueueFactory

from .support import PHONE_NUMBER_ID, WHATSAPP_CREDENTIALS, meta_signature, raw

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    services.forget_accounts()
    yield
    services.forget_accounts()


def _post(body: bytes) -> int:
    return (
        Client()
        .post(
            "/webhooks/whatsapp/",
            data=body,
            content_type="application/json",
            headers=meta_signature(body),
        )
        .status_code
    )


def test_an_account_read_once_is_not_queried_again(wa_account):
    assert [a.pk for a in services.accounts_for("whatsapp", [PHONE_NUMBER_ID])] == [wa_account.pk]
    with CaptureQueriesContext(connection) as queries:
        again = services.accounts_for("whatsapp", [PHONE_NUMBER_ID])
    assert [a.pk for a in again] == [wa_account.pk]
    assert len(queries) == 0


def test_deactivating_an_account_here_refuses_its_next_webhook_at_once(wa_account):
    assert _post(raw("whatsapp_text.json")) == 200
    wa_account.active = False
    wa_account.save()
    assert _post(raw("whatsapp_text.json")) == 403  # a retry, 200 if accepted
    assert Message.objects.count() == 1


def test_an_account_added_here_is_accepted_at_once_after_an_unknown_one_was_cached(queue_a):
    assert _post(raw("whatsapp_text.json")) == 403  # no account yet: remembered as none
    ChannelAccountFactory(
        kind="whatsapp",
        external_id=PHONE_NUMBER_ID,
        credentials=WHATSAPP_CREDENTIALS,
        route_queue=queue_a,
    )
    assert _post(raw("whatsapp_text.json")) == 200


def test_a_change_made_by_another_process_is_seen_once_the_entry_expires(wa_account, monkeypatch):
    assert services.accounts_for("whatsapp", [PHONE_NUMBER_ID])
    # Another process's change: no signal reaches this one.
    type(wa_account).objects.filter(pk=wa_account.pk).update(active=False)
    assert services.accounts_for("whatsapp", [PHONE_NUMBER_ID]), "still cached"
    clock = services.time.monotonic() + services.ACCOUNT_CACHE_SECONDS + 0.1
    monkeypatch.setattr(services.time, "monotonic", lambda: clock)
    assert services.accounts_for("whatsapp", [PHONE_NUMBER_ID]) == []


def test_a_secret_rotated_by_another_process_is_accepted_at_once(wa_account):
    assert services.accounts_for("whatsapp", [PHONE_NUMBER_ID])  # cached with the old one
    rotated = {**WHATSAPP_CREDENTIALS, "app_secret": "rotated-secret"}
    type(wa_account).objects.filter(pk=wa_account.pk).update(credentials=rotated)  # no signal here
    body = raw("whatsapp_text.json")
    response = Client().post(
        "/webhooks/whatsapp/",
        data=body,
        content_type="application/json",
        headers=meta_signature(body, secret="rotated-secret"),
    )
    assert response.status_code == 200
    assert Message.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_account_re_created_by_another_process_stores_under_the_new_row(queue_a):
    """The cached row is gone: its id fails the foreign keys at commit, and the webhook
    is stored once more under the account as it is now, not refused (Twilio would not
    retry an SMS webhook)."""
    old = ChannelAccountFactory(
        kind="whatsapp",
        external_id=PHONE_NUMBER_ID,
        credentials=WHATSAPP_CREDENTIALS,
        route_queue=queue_a,
    )
    assert [a.pk for a in services.accounts_for("whatsapp", [PHONE_NUMBER_ID])] == [old.pk]
    # Another process deletes it and its queue, and re-creates it routed to a new queue:
    # no signal reaches this one.
    table = connection.ops.quote_name(old._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [old.pk])
    queue_b = QueueFactory(name="Queue B")
    queue_a.delete()
    type(old).objects.bulk_create(
        [
            type(old)(
                kind="whatsapp",
                name="Re-created",
                external_id=PHONE_NUMBER_ID,
                credentials=WHATSAPP_CREDENTIALS,
                route_queue=queue_b,
            )
        ]
    )
    new = type(old).objects.get(external_id=PHONE_NUMBER_ID)
    assert new.pk != old.pk
    assert _post(raw("whatsapp_text.json")) == 200
    message = Message.objects.select_related("conversation").get()
    assert (message.channel_account_id, message.conversation.queue_id) == (new.pk, queue_b.pk)
