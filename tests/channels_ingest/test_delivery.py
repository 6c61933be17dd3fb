"""Outbound delivery through the Celery task to the loopback provider emulator."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from channels_ingest.tasks import (
    deliver_message,
    download_media,
    enqueue_delivery,
    resend_pending,
)
from chatdesk.inbox.models import DeliveryStatus, Message
from chatdesk.inbox.services.ownership import message_reply
from tests.factories import ChannelAccountFactory

from .support import (
    OUR_NUMBER,
    OUR_WAMID,
    TWILIO_CREDENTIALS,
    media,
)

pytestmark = pytest.mark.django_db


def _reply(customer_writes, account, alice, body="Hello from Chatdesk"):
    conversation = customer_writes("hi", to=account, address="14155550123").conversation
    message, _ = message_reply(conversation_id=conversation.pk, agent=alice, body=body)
    return message


def test_reply_is_sent_and_records_the_provider_id(
    providers, eager, wa_account, alice, customer_writes
):
    message = _reply(customer_writes, wa_account, alice)
    assert deliver_message.apply(args=(message.pk,)).get() == "sent"
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT
    assert message.provider_message_id == OUR_WAMID
    sent = providers.requests("whatsapp")[-1]
    assert sent.json()["to"] == "14155550123"
    assert sent.json()["text"]["body"] == "Hello from Chatdesk"
    # Once accepted, a second run (a retry, the sweep) sends nothing more.
    assert deliver_message.apply(args=(message.pk,)).get() == "not pending"
    assert len(providers.requests("whatsapp")) == 1


def test_transient_errors_retry_then_succeed(providers, eager, wa_account, alice, customer_writes):
    message = _reply(customer_writes, wa_account, alice)
    providers.fail_next("whatsapp", "500", times=2)
    deliver_message.apply(args=(message.pk,))
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT
    assert message.delivery_attempts == 2


def test_outside_the_window_fails_with_the_reason(
    providers, eager, wa_account, alice, customer_writes
):
    message = _reply(customer_writes, wa_account, alice)
    providers.fail_next("whatsapp", "131047")
    assert deliver_message.apply(args=(message.pk,)).get() == "failed"
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.FAILED
    assert "131047" in message.delivery_error


def test_sms_stop_is_permanent(providers, eager, queue_a, alice, customer_writes):
    account = ChannelAccountFactory(
        kind="sms", external_id=OUR_NUMBER, credentials=TWILIO_CREDENTIALS, route_queue=queue_a
    )
    conversation = customer_writes("hi", to=account, address="+14155550123").conversation
    message, _ = message_reply(conversation_id=conversation.pk, agent=alice, body="hello")
    providers.fail_next("twilio", "21610")
    deliver_message.apply(args=(message.pk,))
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.FAILED
    assert "21610" in message.delivery_error


def test_the_sweep_resends_a_reply_whose_enqueue_was_lost(
    providers, eager, wa_account, alice, customer_writes
):
    message = _reply(customer_writes, wa_account, alice)
    Message.objects.filter(pk=message.pk).update(created_at=message.created_at.replace(year=2020))
    assert resend_pending.apply().get() == 1
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT


def test_inbound_image_is_downloaded_once(providers, eager, wa_account, customer_writes):
    message = customer_writes("photo", to=wa_account)
    args = (message.pk, wa_account.pk, "1266798744318251", "image/jpeg", "", "", 0)
    assert download_media.apply(args=args).get() == "stored"
    assert download_media.apply(args=args).get() == "stored"
    attachment = message.attachments.get()
    assert attachment.file.read() == media("sample.jpg")
    assert attachment.thumbnail


def test_agent_retries_a_failed_reply(
    providers,
    eager,
    wa_account,
    alice,
    bob,
    customer_writes,
    api,
    django_capture_on_commit_callbacks,
):
    message = _reply(customer_writes, wa_account, alice)
    providers.fail_next("whatsapp", "131047")
    deliver_message.apply(args=(message.pk,))
    url = f"/api/v1/conversations/{message.conversation_id}/messages/{message.pk}/retry/"
    assert api(bob).post(url).status_code == 404  # not bob's chat
    with django_capture_on_commit_callbacks(execute=True):
        response = api(alice).post(url)
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT  # eager: sent again at once
    assert api(alice).post(url).status_code == 409  # only failed messages are retried


def test_reply_outside_the_24_hour_window_fails_before_calling_the_provider(
    providers, eager, wa_account, alice, customer_writes
):
    message = _reply(customer_writes, wa_account, alice)
    Message.objects.filter(direction="in").update(
        created_at=message.created_at - timedelta(hours=25)
    )
    assert deliver_message.apply(args=(message.pk,)).get() == "failed"
    message.refresh_from_db()
    assert "24-hour window" in message.delivery_error
    assert providers.requests("whatsapp") == []


def test_outbound_file_goes_as_a_signed_link_the_provider_can_fetch(
    providers, eager, wa_account, alice, customer_writes, settings, tmp_path
):
    from django.test import Client

    from chatdesk.inbox.services.attachments import attachment_upload
    from tests.filemakers import image

    settings.MEDIA_ROOT = tmp_path
    conversation = customer_writes("send a photo", to=wa_account).conversation
    upload = attachment_upload(agent=alice, name="photo.png", data=image("PNG"))
    message, _ = message_reply(
        conversation_id=conversation.pk, agent=alice, body="Here", attachment_ids=[upload.pk]
    )
    deliver_message.apply(args=(message.pk,))
    bodies = [request.json() for request in providers.requests("whatsapp")]
    links = [body["image"]["link"] for body in bodies if body.get("type") == "image"]
    assert len(links) == 1
    path = links[0].split("://", 1)[1].split("/", 1)[1]
    fetched = Client().get("/" + path)  # as the provider would: no login
    assert fetched.status_code == 200
    assert b"".join(fetched.streaming_content) == upload.file.open("rb").read()
    assert Client().get("/" + path.replace("/signed/", "/signed/x")).status_code == 404


@pytest.fixture
def limiter_calls(monkeypatch):
    """The waits the sender's limit answered, in order (a runaway re-asking fails fast)."""
    from channels_ingest import tasks

    answered: list[float] = []
    real = tasks.wait_seconds

    def counting(**kwargs):
        assert len(answered) < 10, "the limit is asked again and again"
        answered.append(real(**kwargs))
        return answered[-1]

    monkeypatch.setattr(tasks, "wait_seconds", counting)
    return answered


def _one_a_second(queue):
    """A WhatsApp number limited to 1 message/s (no slot taken: conftest)."""
    return ChannelAccountFactory(
        kind="whatsapp",
        credentials={"access_token": "test-whatsapp-token", "app_secret": "x"},
        route_queue=queue,
        max_messages_per_second=1,
    )


def test_a_reply_over_the_limit_asks_once_and_goes_at_its_reserved_slot(
    providers, eager, queue_a, alice, customer_writes, limiter_calls
):
    account = _one_a_second(queue_a)
    first = _reply(customer_writes, account, alice, body="first")
    second, _ = message_reply(conversation_id=first.conversation_id, agent=alice, body="second")
    assert deliver_message.apply(args=(first.pk,)).get() == "sent"
    assert deliver_message.apply(args=(second.pk,)).get() == "sent"
    # The second was told to wait about a second for its slot, came back (eagerly here)
    # and went without asking again: one answer per reply.
    # (Waits shrink by the time the test takes between calls: bounds are loose below.)
    assert limiter_calls[0] == 0.0 and 0.5 < limiter_calls[1] <= 1.01
    assert len(limiter_calls) == 2
    second.refresh_from_db()
    assert second.delivery_status == DeliveryStatus.SENT and second.delivery_attempts == 0
    bodies = [r.json()["text"]["body"] for r in providers.requests("whatsapp")]
    assert bodies == ["first", "second"]


def test_a_failed_attempt_at_its_slot_waits_for_a_new_one(
    providers, eager, queue_a, alice, customer_writes, limiter_calls
):
    account = _one_a_second(queue_a)
    first = _reply(customer_writes, account, alice, body="first")
    second, _ = message_reply(conversation_id=first.conversation_id, agent=alice, body="second")
    deliver_message.apply(args=(first.pk,))
    providers.fail_next("whatsapp", "500")
    deliver_message.apply(args=(second.pk,))
    # Its slot (wait ~1 s), the 500, then a new slot one further on (wait ~2 s, less
    # the time the test took meanwhile).
    assert len(limiter_calls) == 3
    assert limiter_calls[1] + 0.5 < limiter_calls[2] <= 2.01
    second.refresh_from_db()
    assert second.delivery_status == DeliveryStatus.SENT and second.delivery_attempts == 1


@pytest.fixture
def queued(monkeypatch):
    """What enqueue_delivery put on the queue: (message id, kwargs, countdown) each."""
    calls: list[tuple[int, dict, float | None]] = []

    def record(args, kwargs, countdown=None):
        calls.append((args[0], kwargs, countdown))

    monkeypatch.setattr(deliver_message, "apply_async", record)
    return calls


def test_a_reply_is_queued_at_its_slot_and_sent_there_without_asking_again(
    providers, eager, queue_a, alice, customer_writes, limiter_calls, queued
):
    account = _one_a_second(queue_a)
    first = _reply(customer_writes, account, alice, body="first")
    second, _ = message_reply(conversation_id=first.conversation_id, agent=alice, body="second")
    before = time.time()
    enqueue_delivery(first.pk)
    enqueue_delivery(second.pk)
    (_, now_kwargs, now_countdown), (_, later_kwargs, later_countdown) = queued
    assert now_countdown is None and before <= now_kwargs["slot_at"] <= time.time()
    # The second's slot is a second on (less the time between the calls), and it is
    # scheduled for it rather than told to wait by the worker.
    assert 0.5 < later_countdown <= 1.01
    assert abs(later_kwargs["slot_at"] - (now_kwargs["slot_at"] + 1)) < 0.1
    assert deliver_message.apply(args=(first.pk,), kwargs=now_kwargs).get() == "sent"
    assert deliver_message.apply(args=(second.pk,), kwargs=later_kwargs).get() == "sent"
    assert len(limiter_calls) == 2  # once each, at enqueue
    bodies = [r.json()["text"]["body"] for r in providers.requests("whatsapp")]
    assert bodies == ["first", "second"]


def test_a_run_late_for_its_slot_asks_for_a_new_one(
    providers, eager, queue_a, alice, customer_writes, limiter_calls, queued
):
    """Replies that sat in the broker past their slots must not all go at once when they
    come out (seen in bench scenario 5: overdue SMS slots behind a WhatsApp backlog
    ran together, above the long code's limit; docs/performance.md)."""
    account = _one_a_second(queue_a)
    first = _reply(customer_writes, account, alice, body="first")
    second, _ = message_reply(conversation_id=first.conversation_id, agent=alice, body="second")
    enqueue_delivery(first.pk)
    enqueue_delivery(second.pk)
    deliver_message.apply(args=(first.pk,), kwargs=queued[0][1])
    late = {"slot_at": queued[1][1]["slot_at"] - 5}  # its slot passed long ago
    assert deliver_message.apply(args=(second.pk,), kwargs=late).get() == "sent"
    # Asked again: a slot after the two already reserved (wait ~2 s; eagerly not waited).
    assert len(limiter_calls) == 3
    assert 1.5 < limiter_calls[2] <= 2.01


def test_a_reply_scheduled_far_ahead_is_held_from_the_sweep_until_its_slot(
    settings, queue_a, alice, customer_writes, queued
):
    from chatdesk.inbox.services.delivery import claim_timeout, messages_left_pending

    settings.OUTBOX_PENDING_AGE_SECONDS = 2  # waits of a second or more are held
    account = _one_a_second(queue_a)
    first = _reply(customer_writes, account, alice, body="first")
    others = [
        message_reply(conversation_id=first.conversation_id, agent=alice, body=body)[0]
        for body in ("second", "third")
    ]
    for message in [first, *others]:
        enqueue_delivery(message.pk)
    third_countdown = queued[2][2]
    assert 1.5 < third_countdown <= 2.01
    pending = messages_left_pending(older_than=timedelta(0))
    assert first.pk in pending and others[0].pk in pending  # waits under a second: not held
    assert others[1].pk not in pending
    others[1].refresh_from_db()
    lapses_at = others[1].delivery_claimed_at + claim_timeout()
    slot = datetime.fromtimestamp(queued[2][1]["slot_at"], tz=UTC)
    # Free for its own task a second before its slot (a task may fire a little early).
    assert abs((slot - lapses_at).total_seconds() - 1.0) < 0.1


def test_a_live_chat_reply_is_queued_without_a_slot(
    queue_a, alice, customer_writes, queued, limiter_calls
):
    site = ChannelAccountFactory(kind="livechat", credentials={}, route_queue=queue_a)
    message = _reply(customer_writes, site, alice, body="Hi")
    enqueue_delivery(message.pk)
    assert limiter_calls == []  # a visitor's socket has no provider limit to keep
    assert queued == [(message.pk, {}, None)]
