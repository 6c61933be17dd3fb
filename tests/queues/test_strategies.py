"""Each strategy's pick, with plain values: who is offered, in what order, and when it stops."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from queues.strategies import Candidate, Pick, pick

NOON = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def member(agent_id, priority=1, *, available=True, open_chats=0, capacity=5, last=None):
    return Candidate(
        agent_id=agent_id,
        priority=priority,
        available=available,
        open_chats=open_chats,
        capacity=capacity,
        last_assigned_at=last,
    )


def hunt(strategy, members, *, seed=1):
    """Every round of a hunt until the whole-queue fallback: a list of picks."""
    rng = random.Random(seed)
    tried: frozenset[int] = frozenset()
    rounds = []
    while True:
        choice = pick(strategy, members, tried=tried, rng=rng)
        rounds.append(choice)
        if choice.whole_queue or not choice.agent_ids:
            return rounds
        tried |= set(choice.agent_ids)


TEAM = [member(4, 2), member(1, 3), member(7, 1), member(2, 2)]


def test_ring_all_offers_every_eligible_member_at_once():
    team = [*TEAM, member(9, 1, available=False), member(8, 1, open_chats=5)]
    assert pick("ring_all", team, tried=frozenset(), rng=random.Random(1)) == Pick(
        agent_ids=(7, 2, 4, 1), whole_queue=True
    )


def test_hunt_prioritized_goes_one_by_one_by_priority_then_the_whole_queue():
    rounds = hunt("hunt_prioritized", TEAM)
    assert [r.agent_ids for r in rounds] == [(7,), (2,), (4,), (1,), (7, 2, 4, 1)]
    assert [r.whole_queue for r in rounds] == [False, False, False, False, True]


def test_hunt_by_threes_prioritized_offers_three_at_a_time():
    team = [*TEAM, member(5, 4)]
    rounds = hunt("hunt_by_threes_prioritized", team)
    assert [r.agent_ids for r in rounds] == [(7, 2, 4), (1, 5), (7, 2, 4, 1, 5)]
    assert rounds[-1].whole_queue


@pytest.mark.parametrize("strategy,per_round", [("hunt_random", 1), ("hunt_by_threes_random", 3)])
def test_random_hunts_try_everyone_once_in_a_seeded_order(strategy, per_round):
    team = [member(i, 1) for i in range(1, 8)]
    rounds = hunt(strategy, team, seed=42)
    offered = [a for r in rounds[:-1] for a in r.agent_ids]
    assert sorted(offered) == list(range(1, 8))  # each member exactly once
    assert all(len(r.agent_ids) <= per_round for r in rounds[:-1])
    assert rounds[-1] == Pick(agent_ids=tuple(range(1, 8)), whole_queue=True)
    # The same seed gives the same order whatever the input order; another seed differs.
    assert hunt(strategy, list(reversed(team)), seed=42) == rounds
    assert hunt(strategy, team, seed=43) != rounds


def test_round_robin_offers_the_least_recently_assigned_first():
    team = [
        member(1, 1, last=NOON),
        member(2, 2, last=NOON - timedelta(hours=1)),
        member(3, 3),  # never assigned: first
        member(4, 1),  # never assigned, better priority: before 3
    ]
    rounds = hunt("round_robin", team)
    assert [r.agent_ids for r in rounds[:-1]] == [(4,), (3,), (2,), (1,)]
    assert rounds[-1] == Pick(agent_ids=(1, 4, 2, 3), whole_queue=True)


def test_least_busy_offers_the_fewest_open_chats_first_ties_by_priority():
    team = [member(1, 1, open_chats=2), member(2, 2, open_chats=0), member(3, 1, open_chats=0)]
    assert [r.agent_ids for r in hunt("least_busy", team)] == [(3,), (2,), (1,), (1, 3, 2)]


@pytest.mark.parametrize(
    "strategy",
    [
        "ring_all",
        "hunt_prioritized",
        "hunt_random",
        "hunt_by_threes_prioritized",
        "hunt_by_threes_random",
        "round_robin",
        "least_busy",
    ],
)
def test_away_offline_or_full_members_are_never_offered(strategy):
    team = [
        member(1, 1, available=False),
        member(2, 1, open_chats=3, capacity=3),
        member(3, 2),
    ]
    rounds = hunt(strategy, team)
    assert {a for r in rounds for a in r.agent_ids} == {3}


@pytest.mark.parametrize("strategy", ["ring_all", "hunt_prioritized", "least_busy"])
def test_nobody_eligible_means_nobody_is_offered_and_the_chat_waits(strategy):
    team = [member(1, available=False), member(2, open_chats=1, capacity=1)]
    assert pick(strategy, team, tried=frozenset(), rng=random.Random(1)) == Pick(
        agent_ids=(), whole_queue=False
    )
    assert pick(strategy, [], tried=frozenset(), rng=random.Random(1)).agent_ids == ()


def test_a_member_tried_earlier_but_ineligible_now_is_left_out_of_the_whole_queue():
    team = [member(1, 1, available=False), member(2, 2)]
    choice = pick("hunt_prioritized", team, tried=frozenset({1, 2}), rng=random.Random(1))
    assert choice == Pick(agent_ids=(2,), whole_queue=True)


def test_an_unknown_strategy_is_refused():
    with pytest.raises(ValueError, match="Unknown routing strategy"):
        pick("longest_idle", TEAM, tried=frozenset(), rng=random.Random(1))
