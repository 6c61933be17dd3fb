"""Routing strategies: who is offered a waiting chat next. Pure functions, no ORM.

`pick` gets the queue's members as `Candidate`s (priority, presence, load) and
the agents already offered this chat in the current routing, and answers with
the agents to offer now. It never looks at the database or the clock, so every
strategy is tested with plain values and a seeded random generator.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Candidate:
    agent_id: int
    priority: int
    available: bool
    open_chats: int
    capacity: int
    last_assigned_at: datetime | None

    @property
    def eligible(self) -> bool:
        """Only an available agent with a free chat slot is ever offered a chat."""
        return self.available and self.open_chats < self.capacity


@dataclass(frozen=True)
class Pick:
    agent_ids: tuple[int, ...]
    # True when the pick is every eligible member and is final: no ring timer,
    # nobody left to escalate to (ring_all, or a hunt that tried everyone).
    whole_queue: bool

    @classmethod
    def nobody(cls) -> Pick:
        return cls(agent_ids=(), whole_queue=False)


def _by_priority(members: Sequence[Candidate], rng: random.Random) -> list[Candidate]:
    return sorted(members, key=lambda c: (c.priority, c.agent_id))


def _shuffled(members: Sequence[Candidate], rng: random.Random) -> list[Candidate]:
    # Sorted first so that the same seed gives the same order whatever the input order.
    ordered = sorted(members, key=lambda c: c.agent_id)
    rng.shuffle(ordered)
    return ordered


def _least_recently_assigned(members: Sequence[Candidate], rng: random.Random) -> list[Candidate]:
    # Never assigned comes first; then the oldest assignment; ties by priority.
    return sorted(
        members,
        key=lambda c: (
            c.last_assigned_at is not None,
            c.last_assigned_at or datetime.min,
            c.priority,
            c.agent_id,
        ),
    )


def _least_busy(members: Sequence[Candidate], rng: random.Random) -> list[Candidate]:
    return sorted(members, key=lambda c: (c.open_chats, c.priority, c.agent_id))


Order = Callable[[Sequence[Candidate], random.Random], list[Candidate]]

# strategy -> (order of the members, how many are offered per round)
_HUNTS: dict[str, tuple[Order, int]] = {
    "hunt_prioritized": (_by_priority, 1),
    "hunt_random": (_shuffled, 1),
    "hunt_by_threes_prioritized": (_by_priority, 3),
    "hunt_by_threes_random": (_shuffled, 3),
    "round_robin": (_least_recently_assigned, 1),
    "least_busy": (_least_busy, 1),
}

RING_ALL = "ring_all"
STRATEGIES = frozenset({RING_ALL, *_HUNTS})


def is_timed(strategy: str) -> bool:
    """Whether offers of this strategy escalate when the ring timeout passes."""
    return strategy != RING_ALL


def pick(
    strategy: str,
    candidates: Sequence[Candidate],
    *,
    tried: frozenset[int],
    rng: random.Random,
) -> Pick:
    """The agents to offer a chat to now, given who was already offered it.

    No eligible member: nobody (the chat waits for an agent to free up).
    ring_all: every eligible member at once. The others: the next untried
    member(s) in the strategy's order; once every eligible member was tried,
    the whole queue (every eligible member) with `whole_queue=True`.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"Unknown routing strategy {strategy!r}.")
    eligible = [c for c in candidates if c.eligible]
    if not eligible:
        return Pick.nobody()
    everyone = tuple(c.agent_id for c in _by_priority(eligible, rng))
    if strategy == RING_ALL:
        return Pick(agent_ids=everyone, whole_queue=True)
    order, per_round = _HUNTS[strategy]
    untried = [c for c in order(eligible, rng) if c.agent_id not in tried]
    if not untried:
        return Pick(agent_ids=everyone, whole_queue=True)
    return Pick(agent_ids=tuple(c.agent_id for c in untried[:per_round]), whole_queue=False)
