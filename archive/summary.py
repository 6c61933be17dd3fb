"""The reports summary: the desk's figures by agent, queue, channel, day and hour.

`GET /api/v1/reports/summary/` and the web app's Reports page read this. Which chats a
report covers and what counts as taken, answered, a first response or a wait are the
rules of `archive.reports` (the admin report), used here as they are.

How it works: a few queries read one row per received chat and the lines of its story
that credit an agent (history entries, the first reply, offers); each figure then
becomes *facts*, `(chat, agent, metric, value)`. A desk fact (agent None) describes the
chat; an agent fact credits one agent with something they did. Every section is the
same aggregation of facts grouped differently, so the sections agree with each other
and the number of queries does not depend on the number of chats (the range is capped
so the rows held in memory stay bounded). With an agent filter, every section is built
from that agent's facts alone: their own share of the desk's work.

Definitions (docs/api.md, Reports):

- received: customer chats created in the range. For an agent: the received chats that
  reached them (offered to them, routed to their extension, or handed to them).
- taken: chats that came to be owned (a take, a first reply, a transfer). For an agent:
  chats they came to own.
- dealt with: chats marked dealt with. For an agent: marked so by them.
- transferred: chats handed from one agent to another. For an agent: handed on by them.
- missed: chats no agent replied to. For an agent: chats they were offered and let
  ring out (the offer timed out).
- first response: the customer's first message to the first agent reply, credited to
  the agent who replied.
- resolution: the customer's first message to the chat's close (dealt with or ended),
  for chats closed now, credited to the owner who closed it.
- wait: arrival to first owned, for chats in a queue, credited to the first owner.
- CSAT: the customers' 1-5 ratings, credited to the chat's owner.
- SLA breaches: chats whose first-response or resolution target passed unmet, credited
  to the chat's owner.

Percentiles are nearest-rank, like the admin report's: an observed value.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet

from archive.reports import (
    ReportFilter,
    agent_names,
    counted,
    customer_first_message_at,
    first_replies,
    received_conversations,
    waits,
)
from chatdesk.accounts.models import User
from chatdesk.inbox.errors import NotPermitted
from chatdesk.inbox.models import Conversation, ConversationEvent, Status
from queues.models import Offer

# Reports hold one row per chat of the range in memory: a quarter at most.
MAX_DAYS = 92
DEFAULT_DAYS = 7

COUNTS = ("received", "taken", "dealt_with", "transferred", "missed")
DURATIONS = ("first_response", "resolution", "wait")
METRICS = (
    *COUNTS,
    "first_response_p50_seconds",
    "first_response_p90_seconds",
    "resolution_p50_seconds",
    "resolution_p90_seconds",
    "wait_p50_seconds",
    "wait_p90_seconds",
    "csat_average",
    "csat_count",
    "sla_breaches",
)
# Upper bounds (seconds, exclusive) of the distribution buckets; the last is open.
BUCKETS = (30, 60, 120, 300, 900, 3600)
CLOSED = (Status.DEALT_WITH, Status.ENDED)


# Who sees the whole desk's figures: the admin report's permission (managers, group
# owners and system owners); everyone else sees their own.
SEES_EVERYONE = "archive.view_reports"


def scoped_agent(user: User, requested: int | None) -> int | None:
    """The agent a report may be about: anyone (or nobody, the whole desk) for those who
    see everyone; for an agent, themselves, and another agent's figures are refused."""
    if user.has_perm(SEES_EVERYONE):
        return requested
    if requested is not None and requested != user.pk:
        raise NotPermitted("You can only see your own figures.")
    return user.pk


class Fact(NamedTuple):
    # A tuple: a report makes several per chat, and tuples are the cheapest to make.
    chat: int
    agent: int | None
    metric: str
    value: float | None = None


class Chat(NamedTuple):
    """Where a received chat belongs: the keys the sections group by."""

    pk: int
    queue_id: int | None
    queue_name: str
    channel: str
    day: date
    hour: int


@dataclass
class Facts:
    chats: dict[int, Chat] = field(default_factory=dict)
    desk: list[Fact] = field(default_factory=list)
    agents: list[Fact] = field(default_factory=list)


def nearest_rank(values: list[float], percent: int) -> float | None:
    """The nearest-rank percentile: the value at rank ceil(percent/100 * n)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[(percent * len(ordered) + 99) // 100 - 1]


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


def _rounded(value: float | None) -> int | None:
    return None if value is None else round(value)


def figures(facts: Iterable[Fact]) -> dict[str, int | float | None]:
    """Every metric of one group of facts."""
    chats: dict[str, set[int]] = {name: set() for name in (*COUNTS, "sla_breaches")}
    measured: dict[str, list[float]] = {name: [] for name in DURATIONS}
    ratings: list[float] = []
    for fact in facts:
        if fact.metric in chats:
            chats[fact.metric].add(fact.chat)
        elif fact.metric == "csat":
            ratings.append(fact.value)
        else:
            measured[fact.metric].append(fact.value)
    result: dict[str, int | float | None] = {name: len(chats[name]) for name in COUNTS}
    for name in DURATIONS:
        result[f"{name}_p50_seconds"] = _rounded(nearest_rank(measured[name], 50))
        result[f"{name}_p90_seconds"] = _rounded(nearest_rank(measured[name], 90))
    result["csat_average"] = round(sum(ratings) / len(ratings), 2) if ratings else None
    result["csat_count"] = len(ratings)
    result["sla_breaches"] = len(chats["sla_breaches"])
    return result


def distribution(values: list[float]) -> list[dict]:
    """How many values fall in each bucket: "0-30", "30-60", ..., "3600+"."""
    counts = [0] * (len(BUCKETS) + 1)
    for value in values:
        counts[next((i for i, bound in enumerate(BUCKETS) if value < bound), len(BUCKETS))] += 1
    bounds = (0, *BUCKETS)
    labels = [f"{low}-{high}" for low, high in zip(bounds, BUCKETS, strict=False)]
    labels.append(f"{BUCKETS[-1]}+")
    return [{"bucket": label, "count": n} for label, n in zip(labels, counts, strict=True)]


def _chat_rows(conversations: QuerySet[Conversation]) -> list[dict]:
    return list(
        waits(counted(conversations))
        .annotate(customer_at=customer_first_message_at("pk"))
        .values(
            "pk",
            "queue_id",
            "queue__name",
            "channel",
            "created_at",
            "owner_id",
            "direct_agent_id",
            "status",
            "closed_at",
            "csat_rating",
            "sla_breached",
            "was_owned",
            "was_dealt_with",
            "was_transferred",
            "was_answered",
            "customer_at",
            "wait",
        )
    )


def _chat(row: dict, zone: ZoneInfo) -> Chat:
    local: datetime = row["created_at"].astimezone(zone)
    return Chat(
        pk=row["pk"],
        queue_id=row["queue_id"],
        # Chats routed to an agent's extension have no queue; they still count.
        queue_name=row["queue__name"] or "(routed to an agent)",
        channel=row["channel"],
        day=local.date(),
        hour=local.hour,
    )


def _resolution(row: dict) -> float | None:
    if row["status"] not in CLOSED or not row["closed_at"] or not row["customer_at"]:
        return None
    return max((row["closed_at"] - row["customer_at"]).total_seconds(), 0.0)


def _desk_facts(row: dict) -> list[Fact]:
    pk = row["pk"]
    facts = [Fact(pk, None, "received")]
    flags = {
        "taken": row["was_owned"],
        "dealt_with": row["was_dealt_with"],
        "transferred": row["was_transferred"],
        "missed": not row["was_answered"],
        "sla_breaches": row["sla_breached"],
    }
    facts += [Fact(pk, None, name) for name, flag in flags.items() if flag]
    resolution = _resolution(row)
    if resolution is not None:
        facts.append(Fact(pk, None, "resolution", resolution))
    if row["queue_id"] and row["wait"] is not None:
        facts.append(Fact(pk, None, "wait", _seconds(row["wait"])))
    if row["csat_rating"] is not None:
        facts.append(Fact(pk, None, "csat", float(row["csat_rating"])))
    return facts


def _owner_facts(row: dict) -> list[Fact]:
    """What the chat's owner is credited with: how the chat ended up."""
    pk, owner = row["pk"], row["owner_id"]
    if owner is None:
        return []
    facts = []
    resolution = _resolution(row)
    if resolution is not None:
        facts.append(Fact(pk, owner, "resolution", resolution))
    if row["csat_rating"] is not None:
        facts.append(Fact(pk, owner, "csat", float(row["csat_rating"])))
    if row["sla_breached"]:
        facts.append(Fact(pk, owner, "sla_breaches"))
    return facts


def _history_facts(conversations: QuerySet[Conversation], rows: dict[int, dict]) -> list[Fact]:
    """Takes, transfers and dealt-with from the history log, credited to who did them;
    the first owner is credited with the chat's wait."""
    entries = (
        ConversationEvent.objects.filter(
            conversation__in=conversations.values("pk"),
            kind__in=("taken", "transferred", "dealt_with"),
        )
        .order_by("at", "pk")
        .values_list("conversation_id", "kind", "actor_id", "data")
    )
    facts: list[Fact] = []
    first_owner: dict[int, int] = {}
    for chat, kind, actor, data in entries:
        if kind == "dealt_with":
            if actor is not None:
                facts.append(Fact(chat, actor, "dealt_with"))
            continue
        owner = actor if kind == "taken" else (data or {}).get("to")
        if kind == "transferred" and actor is not None:
            facts.append(Fact(chat, actor, "transferred"))
        if owner is None:
            continue
        facts += [Fact(chat, owner, "taken"), Fact(chat, owner, "received")]
        first_owner.setdefault(chat, owner)
    for chat, owner in first_owner.items():
        row = rows.get(chat)
        if row and row["queue_id"] and row["wait"] is not None:
            facts.append(Fact(chat, owner, "wait", _seconds(row["wait"])))
    return facts


def _offer_facts(conversations: QuerySet[Conversation]) -> list[Fact]:
    """Every offer means the chat reached that agent; one that rang out is their miss."""
    offers = Offer.objects.filter(conversation__in=conversations.values("pk")).values_list(
        "conversation_id", "agent_id", "outcome"
    )
    facts = []
    for chat, agent, outcome in offers.order_by():
        facts.append(Fact(chat, agent, "received"))
        if outcome == Offer.Outcome.TIMED_OUT:
            facts.append(Fact(chat, agent, "missed"))
    return facts


def collect(filters: ReportFilter) -> Facts:
    """Every fact of the range in four queries, however many chats it holds."""
    zone = ZoneInfo(settings.TIME_ZONE)
    conversations = received_conversations(filters)
    rows = {row["pk"]: row for row in _chat_rows(conversations)}
    facts = Facts(chats={pk: _chat(row, zone) for pk, row in rows.items()})
    for row in rows.values():
        facts.desk += _desk_facts(row)
        facts.agents += _owner_facts(row)
        if row["direct_agent_id"]:
            facts.agents.append(Fact(row["pk"], row["direct_agent_id"], "received"))
    replies = first_replies(conversations).values_list("conversation_id", "sender_id", "response")
    for chat, sender, response in replies:
        seconds = _seconds(response)
        facts.desk.append(Fact(chat, None, "first_response", seconds))
        facts.agents.append(Fact(chat, sender, "first_response", seconds))
    facts.agents += _history_facts(conversations, rows)
    facts.agents += _offer_facts(conversations)
    # A chat received while the report is read may show in the later queries only.
    facts.desk = [fact for fact in facts.desk if fact.chat in rows]
    facts.agents = [fact for fact in facts.agents if fact.chat in rows]
    return facts


def _grouped(facts: list[Fact], key: Callable[[Fact], Hashable]) -> dict[Hashable, list[Fact]]:
    groups: dict[Hashable, list[Fact]] = defaultdict(list)
    for fact in facts:
        groups[key(fact)].append(fact)
    return groups


def _days(filters: ReportFilter) -> list[date]:
    span = (filters.date_to - filters.date_from).days + 1
    return [filters.date_from + timedelta(days=n) for n in range(span)]


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector while facts are made: they are hundreds of
    thousands of small tuples, no cycles among them, and each burst of allocations set
    off a full pass over the process's objects (most of a large report's time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def summary(filters: ReportFilter) -> dict:
    """The report as the API answers it (the CSV is `rows(summary(...))`)."""
    with _no_cycle_collection():
        return _summary(filters)


def _summary(filters: ReportFilter) -> dict:
    facts = collect(filters)
    agent = filters.agent_id
    used = facts.desk if agent is None else [f for f in facts.agents if f.agent == agent]
    chats = facts.chats
    by_agent = _grouped(facts.agents, lambda f: f.agent)
    agent_ids = {agent} if agent is not None else {a for a in by_agent if a is not None}
    names = agent_names(agent_ids)
    by_queue = _grouped(used, lambda f: chats[f.chat].queue_id)
    queue_names = {chat.queue_id: chat.queue_name for chat in chats.values()}
    by_channel = _grouped(used, lambda f: chats[f.chat].channel)
    by_day = _grouped(used, lambda f: chats[f.chat].day)
    by_hour = _grouped(used, lambda f: chats[f.chat].hour)
    return {
        "range": {
            "date_from": filters.date_from.isoformat(),
            "date_to": filters.date_to.isoformat(),
            "time_zone": settings.TIME_ZONE,
        },
        "filters": {
            "queue": filters.queue_id,
            "channel": filters.channel,
            "agent": agent,
            "label": filters.label_id,
        },
        "totals": figures(used),
        "by_agent": sorted(
            (
                {
                    "agent": agent_id,
                    "agent_name": names.get(agent_id, f"#{agent_id}"),
                    **figures(by_agent.get(agent_id, [])),
                }
                for agent_id in agent_ids
            ),
            key=lambda row: (-row["taken"], row["agent_name"].lower(), row["agent"]),
        ),
        "by_queue": sorted(
            (
                {"queue": queue, "queue_name": queue_names[queue], **figures(group)}
                for queue, group in by_queue.items()
            ),
            key=lambda row: (row["queue_name"].lower(), row["queue"] or 0),
        ),
        "by_channel": [
            {"channel": channel, **figures(by_channel[channel])} for channel in sorted(by_channel)
        ],
        "by_day": [
            {"day": day.isoformat(), **figures(by_day.get(day, []))} for day in _days(filters)
        ],
        "by_hour": [{"hour": hour, **figures(by_hour.get(hour, []))} for hour in range(24)],
        "distributions": {
            name: distribution([f.value for f in used if f.metric == name])
            for name in ("first_response", "wait")
        },
    }


# The field that names each row of a list section: the CSV's subject.
ROW_KEYS = {
    "by_agent": "agent",
    "by_queue": "queue",
    "by_channel": "channel",
    "by_day": "day",
    "by_hour": "hour",
}


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def rows(report: dict) -> list[list[str]]:
    """The report as `section, subject, metric, value` rows: every value of the JSON
    answer once, so the CSV and the JSON cannot disagree."""
    out: list[list[str]] = [["section", "subject", "metric", "value"]]
    for section in ("range", "filters", "totals"):
        out += [[section, "", name, _cell(value)] for name, value in report[section].items()]
    for section, key in ROW_KEYS.items():
        for row in report[section]:
            subject = _cell(row[key])
            out += [
                [section, subject, name, _cell(value)] for name, value in row.items() if name != key
            ]
    for name, buckets in report["distributions"].items():
        out += [["distributions", name, b["bucket"], _cell(b["count"])] for b in buckets]
    return out
