"""Scale-out: two daphne processes, two Celery workers and one beat on one PostgreSQL
and one Redis (docs/operations.md). Nothing here may depend on which process served what."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from chatdesk.inbox.models import Conversation, Message
from queues.models import Offer

from .stack import AgentSocket, needs_postgres, post_whatsapp, wait_until, whatsapp_body

pytestmark = [pytest.mark.reliability, needs_postgres, pytest.mark.django_db(transaction=True)]

TAKE_TRIALS = 20


def test_a_webhook_on_server_b_reaches_agents_on_both_servers_live(live, desk):
    team = desk("ring_all")

    async def scenario() -> tuple[dict, dict]:
        alice = await AgentSocket(live, 0, team.tokens[0]).connect()
        bob = await AgentSocket(live, 1, team.tokens[1]).connect()
        try:
            body = whatsapp_body(wamid="wamid.scale-1", sender="14155550101", text="Where is B?")
            response = await asyncio.to_thread(post_whatsapp, live.url(1), body)
            assert response.status_code == 200, response.text
            on_a = await alice.next("message.created")
            on_b = await bob.next("message.created")
            return on_a, on_b
        finally:
            await alice.close()
            await bob.close()

    on_a, on_b = asyncio.run(scenario())
    stored = Message.objects.get(provider_message_id="wamid.scale-1")
    assert on_a["data"]["id"] == on_b["data"]["id"] == stored.pk
    assert on_a["data"]["body"] == "Where is B?"


def test_two_agents_on_two_servers_racing_to_take_one_chat_exactly_one_wins(live, desk):
    team = desk("ring_all")

    async def race(conversation_id: int) -> list[int]:
        # Each agent on its own server; both requests leave together.
        async with (
            httpx.AsyncClient(base_url=live.url(0), timeout=30) as on_a,
            httpx.AsyncClient(base_url=live.url(1), timeout=30) as on_b,
        ):
            path = f"/api/v1/conversations/{conversation_id}/take/"
            answers = await asyncio.gather(
                on_a.post(path, headers=team.auth(0)), on_b.post(path, headers=team.auth(1))
            )
        return [answer.status_code for answer in answers]

    outcomes = []
    for trial in range(TAKE_TRIALS):
        # The chats arrive through both servers in turn.
        body = whatsapp_body(wamid=f"wamid.race-{trial}", sender=f"1415555{trial:04d}", text="hi")
        assert post_whatsapp(live.url(trial % 2), body).status_code == 200
        conversation = Message.objects.get(provider_message_id=f"wamid.race-{trial}").conversation
        statuses = asyncio.run(race(conversation.pk))
        conversation.refresh_from_db()
        outcomes.append((statuses, conversation.owner_id))

    winners = {team.agents[0].pk: 0, team.agents[1].pk: 0}
    for statuses, owner in outcomes:
        assert sorted(statuses) == [200, 409], outcomes
        winner = team.agents[statuses.index(200)].pk
        assert owner == winner, outcomes
        winners[winner] += 1
    assert sum(winners.values()) == TAKE_TRIALS
    print(f"take race: {TAKE_TRIALS} trials, wins per server {list(winners.values())}")


def test_a_ring_timeout_escalates_exactly_once_with_two_workers_and_beat(live, desk):
    """Hunt by priority, 2 s ring timeout: each chat rings agent0, then agent1, then the
    whole queue. The ETA task (on either worker) and the overdue sweep (beat, every
    second) race for every deadline; each round must still move on exactly once."""
    team = desk("hunt_prioritized", ring_timeout=2)
    chats = 6
    for index in range(chats):
        body = whatsapp_body(wamid=f"wamid.hunt-{index}", sender=f"1415666{index:04d}", text="?")
        assert post_whatsapp(live.url(index % 2), body).status_code == 200
    ids = list(Conversation.objects.values_list("pk", flat=True))
    assert len(ids) == chats

    def all_at_whole_queue() -> bool:
        return Conversation.objects.filter(pk__in=ids, routing_round=3).count() == chats

    wait_until(all_at_whole_queue, timeout=30, what="every chat to reach its third round")
    # Late duplicates (a second ETA task, a sweep that read the old deadline) would land
    # within a few sweep periods: give them the time, then look.
    time.sleep(3)
    first, second = team.agents
    for conversation in Conversation.objects.filter(pk__in=ids):
        assert conversation.routing_round == 3
        offers = sorted(
            Offer.objects.filter(conversation=conversation).values_list(
                "round", "agent_id", "outcome"
            )
        )
        assert offers == [
            (1, first.pk, Offer.Outcome.TIMED_OUT),
            (2, second.pk, Offer.Outcome.TIMED_OUT),
            (3, first.pk, Offer.Outcome.PENDING),
            (3, second.pk, Offer.Outcome.PENDING),
        ], offers
