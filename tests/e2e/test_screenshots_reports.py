"""The Reports page's screenshot, on the demo seed plus a week of answered chats.

Runs only with CHATDESK_SCREENSHOTS=1, so CI never rewrites the PNG:

    CHATDESK_SCREENSHOTS=1 .venv/bin/python -m pytest tests/e2e/test_screenshots_reports.py
"""

from __future__ import annotations

import io
import os
import random
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from channels_ingest.models import ChannelAccount
from chatdesk.accounts.models import User
from chatdesk.inbox.models import (
    Conversation,
    ConversationEvent,
    DeliveryStatus,
    Message,
    Status,
)
from contacts.models import Identity
from queues.models import Offer, Queue

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("CHATDESK_SCREENSHOTS") != "1",
        reason="writes docs/screenshots/; set CHATDESK_SCREENSHOTS=1 to refresh them",
    ),
]

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# Chats per hour of an office day: a morning peak and a smaller one after lunch.
HOURLY = {8: 2, 9: 5, 10: 6, 11: 4, 12: 2, 13: 3, 14: 5, 15: 4, 16: 3, 17: 1}


def _stamp(model, pk: int, **fields) -> None:
    model.objects.filter(pk=pk).update(**fields)


def _history_week() -> None:
    """Seven days of chats with known times: taken, answered, some transferred, some
    missed, most dealt with and rated, a few past their service-level targets."""
    rng = random.Random(14)
    agents = list(User.objects.filter(username__in=["alice", "bob", "carol"]).order_by("username"))
    queues = {q.name: q for q in Queue.objects.all()}
    accounts = list(ChannelAccount.objects.exclude(kind="livechat"))
    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    serial = 0
    for back in range(6, -1, -1):
        day = today - timedelta(days=back)
        weekend = day.weekday() >= 5
        for hour, count in HOURLY.items():
            for _ in range(max(0, count - (3 if weekend else 0) + rng.randint(-1, 1))):
                arrived = timezone.make_aware(
                    datetime.combine(day, time(hour, rng.randint(0, 59))), zone
                )
                if arrived > timezone.now() - timedelta(minutes=30):
                    continue
                serial += 1
                _chat(rng, serial, arrived, agents, queues, accounts)


def _chat(rng, serial, arrived, agents, queues, accounts) -> None:
    account = rng.choice(accounts)
    queue = account.route_queue or queues["Sales"]
    address = f"+1555{serial:07d}" if account.kind == "sms" else f"1555{serial:07d}"
    identity = Identity.objects.create(kind=account.kind, address=address)
    chat = Conversation.objects.create(
        channel=account.kind,
        channel_account=account,
        identity=identity,
        queue=queue,
        status=Status.DEALT_WITH,
        archived=True,
    )
    _stamp(Conversation, chat.pk, created_at=arrived, last_message_at=arrived)
    first = Message.objects.create(
        conversation=chat, direction="in", body="Hello", delivery_status=DeliveryStatus.DELIVERED
    )
    _stamp(Message, first.pk, created_at=arrived)
    agent = rng.choice(agents)
    missed = rng.random() < 0.08
    offer = Offer.objects.create(
        conversation=chat,
        queue=queue,
        agent=agent,
        outcome=Offer.Outcome.TIMED_OUT if missed else Offer.Outcome.TAKEN,
    )
    _stamp(Offer, offer.pk, offered_at=arrived)
    if missed:
        _stamp(Conversation, chat.pk, status=Status.ENDED, closed_at=arrived + timedelta(minutes=9))
        return
    wait = timedelta(seconds=rng.choice([8, 15, 25, 40, 55, 75, 110, 150, 240, 420]))
    taken = arrived + wait
    _log(chat, "taken", agent, taken)
    reply = Message.objects.create(
        conversation=chat,
        direction="out",
        sender=agent,
        body="Hi, happy to help!",
        delivery_status=DeliveryStatus.READ,
    )
    _stamp(Message, reply.pk, created_at=taken + timedelta(seconds=rng.randint(10, 90)))
    owner = agent
    if rng.random() < 0.12:
        owner = rng.choice([a for a in agents if a != agent])
        _log(chat, "transferred", agent, taken + timedelta(minutes=4), to=owner.pk)
    closed = taken + timedelta(minutes=rng.randint(4, 40))
    _log(chat, "dealt_with", owner, closed)
    rating = rng.choice([5, 5, 5, 4, 4, 4, 3, 2, None])
    _stamp(
        Conversation,
        chat.pk,
        owner=owner,
        taken_at=taken,
        closed_at=closed,
        csat_rating=rating,
        sla_breached=wait.total_seconds() > 200,
    )


def _log(chat, kind, actor, at, **data) -> None:
    entry = ConversationEvent.objects.create(conversation=chat, kind=kind, actor=actor, data=data)
    _stamp(ConversationEvent, entry.pk, at=at)


def test_take_the_reports_screenshot(sign_in, live_url):
    call_command("seed_demo", stdout=io.StringIO())
    _history_week()
    manager = User.objects.get(username="manager")
    page = sign_in(manager, viewport=(1366, 900))
    page.goto(f"{live_url}/reports/")
    expect(page.locator("body[data-report-state=ready]")).to_be_attached()
    page.wait_for_timeout(300)
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / "14-reports.png"), full_page=True)
