"""Faults injected into the running stack (docs/operations.md): Redis stopped and restarted, a
worker SIGKILLed mid-delivery, a failing provider, PostgreSQL dropping a connection
in the middle of a webhook, timers and replies lost with Redis. Each test counts what
it sent in and what came out; the answer must be that nothing was lost or doubled."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time

import httpx
import psycopg
import pytest

from chatdesk.inbox.models import Conversation, DeliveryStatus, Event, Message
from contacts.models import Identity
from queues.models import Offer
from tests.channels_ingest.support import OUR_NUMBER, TWILIO_CREDENTIALS
from tests.live import test_database_url as url_of_the_test_database

from .stack import (
    AgentSocket,
    Stack,
    needs_postgres,
    post_twilio_sms,
    post_whatsapp,
    wait_until,
    whatsapp_body,
)

pytestmark = [pytest.mark.reliability, needs_postgres, pytest.mark.django_db(transaction=True)]

OUTAGE_WEBHOOKS = 10


def readyz(stack: Stack, server: int) -> httpx.Response:
    return httpx.get(f"{stack.url(server)}/readyz", timeout=10)


def reply(stack: Stack, server: int, auth: dict[str, str], conversation_id: int, body: str):
    return httpx.post(
        f"{stack.url(server)}/api/v1/conversations/{conversation_id}/messages/",
        json={"body": body},
        headers=auth,
        timeout=30,
    )


def accepted_sends(emulator, provider: str, text: str) -> int:
    """Sends of `text` the provider accepted (2xx): what the customer would receive."""
    return sum(
        1
        for answer in emulator.answers(provider)
        if 200 <= answer.status < 300 and text in answer.request.body.decode()
    )


class Feeder(threading.Thread):
    """A provider that keeps posting webhooks, alternating servers, until stopped: the
    traffic runs through the moments Redis dies and comes back."""

    def __init__(self, stack: Stack) -> None:
        super().__init__(daemon=True)
        self.stack = stack
        self.answers: dict[str, int] = {}  # wamid -> HTTP status
        self.stopping = threading.Event()

    def run(self) -> None:
        index = 0
        while not self.stopping.is_set():
            wamid = f"wamid.stream-{index}"
            body = whatsapp_body(wamid=wamid, sender=f"1415777{index:04d}", text=f"stream {index}")
            try:
                self.answers[wamid] = post_whatsapp(self.stack.url(index % 2), body).status_code
            except httpx.HTTPError:
                self.answers[wamid] = 0
            index += 1
            time.sleep(0.05)

    def stop(self) -> dict[str, int]:
        self.stopping.set()
        self.join(timeout=30)
        return self.answers


def sent_reply(message_id: int, *, timeout: float) -> Message:
    def done() -> Message | None:
        message = Message.objects.get(pk=message_id)
        return message if message.delivery_status != DeliveryStatus.PENDING else None

    return wait_until(done, timeout=timeout, what=f"reply {message_id} to leave pending")


def test_redis_stopped_and_restarted_while_webhooks_arrive(live, desk, emulator):
    """Every webhook answered 200 during the outage is stored; /readyz names redis while
    it is down; the agent's socket reconnects and replays what it missed, then gets
    events live again; a reply committed during the outage is sent once afterwards."""
    team = desk("ring_all")
    first = whatsapp_body(wamid="wamid.before", sender="14155550001", text="before the outage")
    assert post_whatsapp(live.url(0), first).status_code == 200
    conversation = Message.objects.get(provider_message_id="wamid.before").conversation
    assert httpx.post(
        f"{live.url(1)}/api/v1/conversations/{conversation.pk}/take/",
        headers=team.auth(1),
        timeout=30,
    ).is_success

    async def outage() -> dict:
        agent = await AgentSocket(live, 0, team.tokens[0]).connect()
        feeder = Feeder(live)
        feeder.start()
        await asyncio.sleep(0.5)
        live.redis.kill()
        acknowledged = []
        for index in range(OUTAGE_WEBHOOKS):
            body = whatsapp_body(
                wamid=f"wamid.outage-{index}", sender=f"14155551{index:03d}", text=f"lost? {index}"
            )
            response = await asyncio.to_thread(post_whatsapp, live.url(index % 2), body)
            assert response.status_code == 200, response.text
            acknowledged.append(f"wamid.outage-{index}")
        # A photo's download cannot be enqueued: the message is stored, but the webhook
        # answers 500 so that the provider sends it again (and its file is not forgotten).
        photo = whatsapp_body(
            wamid="wamid.photo-during-outage", sender="14155551999", text="photo", image=True
        )
        photo_first = await asyncio.to_thread(post_whatsapp, live.url(0), photo)
        down = [await asyncio.to_thread(readyz, live, server) for server in (0, 1)]
        committed = await asyncio.to_thread(
            reply, live, 1, team.auth(1), conversation.pk, "sent while redis was down"
        )
        assert committed.status_code == 201, committed.text

        live.redis.start()
        wait_until(lambda: readyz(live, 0).status_code == 200, timeout=20, what="/readyz 200")
        # The socket either died with Redis or lost its group with Redis's memory: the
        # client reconnects (as static/js does on close) and replays from the last id.
        await agent.close()
        await reconnect(agent)
        await asyncio.sleep(1)
        streamed = await asyncio.to_thread(feeder.stop)
        replayed = await agent.replay()
        photo_retry = await asyncio.to_thread(post_whatsapp, live.url(1), photo)
        after = whatsapp_body(wamid="wamid.after", sender="14155552000", text="after the outage")
        assert (await asyncio.to_thread(post_whatsapp, live.url(1), after)).status_code == 200
        live_event = await agent.next(
            "message.created", where=lambda e: e["data"]["body"] == "after the outage"
        )
        await agent.close()
        await agent.replay()  # whatever the socket had not shown yet
        return {
            "acknowledged": acknowledged,
            "down": down,
            "reply": committed.json(),
            "replayed": replayed,
            "live": live_event,
            "photo": (photo_first.status_code, photo_retry.status_code),
            "streamed": streamed,
            "seen": {e["data"].get("body") for e in agent.events if e["type"] == "message.created"},
        }

    async def reconnect(agent: AgentSocket) -> None:
        deadline = time.monotonic() + 30
        while True:
            try:
                await agent.connect()
                return
            except Exception:  # refused, closed at once, no session.ready yet
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)

    result = asyncio.run(outage())

    for response in result["down"]:
        assert response.status_code == 503
        failing = response.json()["failing"]
        assert set(failing) == {"redis"}, failing  # the database still answers
    stored = set(
        Message.objects.filter(provider_message_id__startswith="wamid.outage-").values_list(
            "provider_message_id", flat=True
        )
    )
    assert stored == set(result["acknowledged"])
    replayed_bodies = {
        e["data"]["body"] for e in result["replayed"] if e["type"] == "message.created"
    }
    missing = {f"lost? {i}" for i in range(OUTAGE_WEBHOOKS)} - replayed_bodies
    assert not missing, missing
    assert result["live"]["data"]["body"] == "after the outage"

    streamed = result["streamed"]
    refused = {wamid: status for wamid, status in streamed.items() if status != 200}
    assert not refused, refused  # storing needs PostgreSQL only
    stored_stream = set(
        Message.objects.filter(provider_message_id__in=streamed).values_list(
            "provider_message_id", flat=True
        )
    )
    assert stored_stream == set(streamed)
    unseen = {f"stream {w.rsplit('-', 1)[1]}" for w in streamed} - result["seen"]
    assert not unseen, unseen  # live or replayed, the agent has every one

    assert result["photo"] == (500, 200)
    photo = Message.objects.get(provider_message_id="wamid.photo-during-outage")
    wait_until(photo.attachments.exists, timeout=30, what="the photo to be downloaded")
    assert photo.attachments.count() == 1

    message = sent_reply(result["reply"]["id"], timeout=40)
    assert message.delivery_status == DeliveryStatus.SENT, message.delivery_error
    time.sleep(3)  # a second send would come from the next sweeps
    assert accepted_sends(emulator, "whatsapp", "sent while redis was down") == 1
    print(
        f"redis outage: {len(result['acknowledged'])} webhooks during it and "
        f"{len(streamed)} streamed across it acknowledged, "
        f"{len(stored) + len(stored_stream)} stored, all seen by the agent (live or replayed); "
        "1 photo stored and downloaded after the provider's retry; 1 reply committed, "
        "1 accepted by the provider"
    )


def test_an_offer_whose_timer_was_lost_with_redis_still_escalates(live, desk):
    team = desk("hunt_prioritized", ring_timeout=2)
    live.redis.kill()
    body = whatsapp_body(wamid="wamid.timer", sender="14155553000", text="ring ring")
    # The escalation task cannot be enqueued: the chat is stored and offered regardless.
    assert post_whatsapp(live.url(0), body).status_code == 200
    conversation = Message.objects.get(provider_message_id="wamid.timer").conversation
    assert conversation.routing_round == 1
    live.redis.start()  # empty: whatever it held is gone, and the task never got there

    first, second = team.agents

    def escalated() -> bool:
        return Offer.objects.filter(conversation=conversation, agent=second, round=2).exists()

    wait_until(escalated, timeout=30, what="the overdue sweep to offer the next agent")
    assert list(
        Offer.objects.filter(conversation=conversation, round=1).values_list("agent", "outcome")
    ) == [(first.pk, Offer.Outcome.TIMED_OUT)]


def test_a_worker_killed_mid_delivery_delivers_the_reply_exactly_once(live, desk, emulator):
    team = desk("ring_all")
    inbound = whatsapp_body(wamid="wamid.kill", sender="14155554000", text="please answer")
    assert post_whatsapp(live.url(0), inbound).status_code == 200
    conversation = Message.objects.get(provider_message_id="wamid.kill").conversation
    # The provider takes 30 s to accept: long enough for the kill to land mid-request.
    emulator.fail_next("whatsapp", "slow", delay=30)
    marks = [len(worker.log()) for worker in live.workers]
    response = reply(live, 0, team.auth(0), conversation.pk, "answer despite the crash")
    assert response.status_code == 201, response.text
    message_id = response.json()["id"]

    wait_until(lambda: emulator.requests("whatsapp"), timeout=20, what="the send to start")
    busy = [
        index
        for index, worker in enumerate(live.workers)
        if "channels_ingest.deliver_message" in worker.log()[marks[index] :]
    ]
    assert len(busy) == 1, busy
    # Mid-request: well before the worker's own client timeout (2 s) would end the call.
    in_flight = time.monotonic() - emulator.requests("whatsapp")[0].at
    live.workers[busy[0]].kill()  # SIGKILL to the worker and its pool process
    assert in_flight < 1.5, in_flight
    assert "Delivery of message" not in live.workers[busy[0]].log()[marks[busy[0]] :]
    assert Message.objects.get(pk=message_id).delivery_status == DeliveryStatus.PENDING

    live.restart_worker(busy[0])  # the worker returns (systemd Restart=always)
    message = sent_reply(message_id, timeout=40)
    assert message.delivery_status == DeliveryStatus.SENT, message.delivery_error
    time.sleep(3)  # room for a duplicate from a redelivered task or the sweep
    statuses = [
        answer.status
        for answer in emulator.answers("whatsapp")
        if "answer despite the crash" in answer.request.body.decode()
    ]
    # The killed attempt was abandoned unaccepted (0); one later attempt was accepted.
    assert statuses == [0, 200], statuses
    assert accepted_sends(emulator, "whatsapp", "answer despite the crash") == 1


def test_provider_500_timeout_and_429_are_retried_with_backoff_then_failed(live, desk, emulator):
    """DELIVERY_MAX_ATTEMPTS=4 in the stack: 500, a timeout, 429 (Retry-After: 3), 500."""
    team = desk("ring_all")
    sms = post_twilio_sms(
        live.url(1),
        sid="SM0000000000000000000000000000f001",
        sender="+14155555000",
        to=OUR_NUMBER,
        text="text me back",
        account_sid=TWILIO_CREDENTIALS["account_sid"],
    )
    assert sms.status_code == 200, sms.text
    conversation = Conversation.objects.get(identity__address="+14155555000")
    emulator.fail_next("twilio", "500")
    emulator.fail_next("twilio", "timeout")
    emulator.fail_next("twilio", "429", retry_after=3)
    emulator.fail_next("twilio", "500")
    response = reply(live, 0, team.auth(0), conversation.pk, "will this ever arrive")
    assert response.status_code == 201, response.text

    message = sent_reply(response.json()["id"], timeout=60)
    assert message.delivery_status == DeliveryStatus.FAILED
    assert "Internal Server Error" in message.delivery_error, message.delivery_error
    assert message.delivery_attempts == 3  # the 4th attempt failed it; 3 were released
    time.sleep(3)  # nothing more may be sent once it failed
    attempts = [r for r in emulator.requests("twilio") if r.method == "POST"]
    assert len(attempts) == 4, [r.path for r in attempts]
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(attempts)]
    timeout = 2.0  # PROVIDER_TIMEOUT_SECONDS of the stack
    # Backoff for attempt n is uniform(2**n / 2, 2**n), never below Retry-After: the reply's
    # due time; a second's slack below it for the broker's and the workers' clocks.
    minimum = [1 - 1, timeout + 2 - 1, max(3, 4) - 1]
    assert all(gap >= low - 0.2 for gap, low in zip(gaps, minimum, strict=True)), gaps
    print(f"provider faults: 4 attempts, gaps {[round(g, 1) for g in gaps]} s, then failed")


def test_postgres_connection_dropped_mid_webhook_leaves_nothing_half_written(live, desk):
    """The webhook's transaction is held at its first event insert (a SHARE lock on the
    event table, taken here), after the contact, conversation and message rows are
    written; its backend is then terminated. The answer is a clean 500, nothing of the
    chat remains, and the provider's retry stores it once."""
    desk("ring_all")
    sender = "14155556000"
    body = whatsapp_body(wamid="wamid.dropped", sender=sender, text="half or nothing")
    database = url_of_the_test_database()
    answers: list[httpx.Response] = []

    with (
        psycopg.connect(database) as locker,
        psycopg.connect(database, autocommit=True) as admin,
    ):
        locker.execute("LOCK TABLE inbox_event IN SHARE MODE")
        webhook = threading.Thread(target=lambda: answers.append(post_whatsapp(live.url(0), body)))
        webhook.start()

        def blocked_backend() -> int | None:
            # Autocommit: inside a transaction pg_stat_activity would be one frozen snapshot.
            row = admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> %s AND wait_event_type = 'Lock'",
                [locker.info.backend_pid],
            ).fetchone()
            return row[0] if row else None

        pid = wait_until(blocked_backend, timeout=15, what="the webhook to wait for the lock")
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        webhook.join(timeout=30)
        locker.rollback()

    assert answers and answers[0].status_code == 500, answers
    assert "Traceback" not in answers[0].text  # production settings: a plain error page
    assert not Identity.objects.filter(address__endswith=sender).exists()
    assert not Conversation.objects.filter(identity__address__endswith=sender).exists()
    assert not Message.objects.filter(provider_message_id="wamid.dropped").exists()
    assert not Offer.objects.exists() and not Event.objects.exists()  # no routing either

    # Meta retries an unacknowledged webhook; the same daphne serves it on a new connection.
    assert post_whatsapp(live.url(0), body).status_code == 200
    assert Conversation.objects.filter(identity__address__endswith=sender).count() == 1
    assert Message.objects.filter(provider_message_id="wamid.dropped").count() == 1
