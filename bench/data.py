"""The bench's desk, made through the ORM in the bench process (same DATABASE_URL)."""

from __future__ import annotations

from dataclasses import dataclass

from rest_framework.authtoken.models import Token

from channels_ingest.models import ChannelAccount
from chatdesk.accounts.models import Presence, Role, User
from chatdesk.inbox.services.receive import Inbound, message_receive
from queues.models import Queue, QueueMember, Strategy

APP_SECRET = "test-app-secret"
PHONE_NUMBER_ID = "113355779900246"
RACE_PHONE_NUMBER_ID = "113355779900357"
FANOUT_PHONE_NUMBER_ID = "113355779900791"
UNLIMITED = 1_000_000


@dataclass
class Desk:
    tokens: list[str]
    queue_id: int
    agent_id: int  # scenario 5's replies are this agent's
    race_tokens: list[str]
    race_queue_id: int
    race_account_id: int


def _agents(prefix: str, count: int) -> list[User]:
    User.objects.bulk_create(
        User(
            username=f"{prefix}{i}",
            role=Role.AGENT,
            status=Presence.AVAILABLE,
            max_chats=UNLIMITED,
        )
        for i in range(count)
    )
    users = list(User.objects.filter(username__startswith=prefix).order_by("pk"))
    Token.objects.bulk_create(Token(user=user, key=Token.generate_key()) for user in users)
    return users


def _queue(name: str, agents: list[User]) -> Queue:
    queue = Queue.objects.create(
        name=name, strategy=Strategy.RING_ALL, max_chats_per_agent=UNLIMITED
    )
    QueueMember.objects.bulk_create(QueueMember(queue=queue, agent=agent) for agent in agents)
    return queue


def _account(external_id: str, queue: Queue) -> ChannelAccount:
    return ChannelAccount.objects.create(
        kind=ChannelAccount.Kind.WHATSAPP,
        name=f"Bench {external_id}",
        external_id=external_id,
        credentials={"access_token": "bench", "app_secret": APP_SECRET},
        route_queue=queue,
    )


def tokens_of(users: list[User]) -> list[str]:
    return [user.auth_token.key for user in users]


def make_desk(agents: int, racers: int) -> Desk:
    """`agents` on a ring_all queue fed by one WhatsApp number; `racers` on another."""
    inbound_agents = _agents("bench-agent-", agents)
    queue = _queue("Bench inbound", inbound_agents)
    _account(PHONE_NUMBER_ID, queue)
    race_agents = _agents("bench-racer-", racers)
    race_queue = _queue("Bench race", race_agents)
    race_account = _account(RACE_PHONE_NUMBER_ID, race_queue)
    return Desk(
        tokens=tokens_of(inbound_agents),
        queue_id=queue.pk,
        agent_id=inbound_agents[0].pk,
        race_tokens=tokens_of(race_agents),
        race_queue_id=race_queue.pk,
        race_account_id=race_account.pk,
    )


def race_conversations(desk: Desk, count: int) -> list[int]:
    """`count` unassigned chats offered to every racer, made by the real inbound service."""
    ids = []
    for n in range(count):
        message, _ = message_receive(
            inbound=Inbound(
                channel="whatsapp",
                channel_account_id=desk.race_account_id,
                route_queue_id=desk.race_queue_id,
                route_agent_id=None,
                sender_address=f"1999555{n:05d}",
                sender_name="Racer customer",
                body="race",
                provider_message_id=f"wamid.race-{n}",
            )
        )
        ids.append(message.conversation_id)
    return ids


def make_fanout_desk(agents: int) -> list[str]:
    """`agents` on one more ring_all queue (scenarios 3 and 4); their tokens."""
    users = _agents("bench-fan-", agents)
    _account(FANOUT_PHONE_NUMBER_ID, _queue("Bench fan-out", users))
    return tokens_of(users)
