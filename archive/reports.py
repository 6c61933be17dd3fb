"""Manager reports: what the desk received and how fast it was answered, in SQL.

Every figure describes the customer conversations *received* (created) in the
chosen date range, optionally narrowed to one queue or channel, so the numbers
of one report add up. Internal chats are not customer work and are left out.

- taken: came to be owned by an agent (a take, a first reply or a transfer: a
  `taken` or `transferred` line in its history, so a chat handed back to routing
  later still counts);
- dealt with / transferred: marked so at least once (their history log);
- unanswered: no agent ever replied (the missed chats); a reply is a message an
  agent typed to the customer, not a private note or an event line;
- per agent: handled = chats they own now (a transfer hands the work on);
  first-response times go to the agent who sent the first reply, measured from
  the customer's first message; handling time is take to dealt-with of the
  chats they dealt with;
- per queue: counts and the wait from arrival until someone first owned it.

Medians and 90th percentiles are nearest-rank (an actual observed value),
computed with window functions so that SQLite and PostgreSQL give the same
answer and the query count stays constant however many chats there are.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone

from chatdesk.accounts.models import User
from chatdesk.inbox.models import Channel, Conversation, ConversationEvent, Message, Status

DEFAULT_DAYS = 7
TOTALS = ("received", "taken", "dealt_with", "transferred", "unanswered")


@dataclass(frozen=True)
class ReportFilter:
    date_from: date
    date_to: date
    queue_id: int | None = None
    channel: str | None = None
    # Narrows the figures to what this agent did (archive.summary), not the chats.
    agent_id: int | None = None
    label_id: int | None = None

    @classmethod
    def last_days(cls, days: int = DEFAULT_DAYS, **kwargs: object) -> ReportFilter:
        """The default range: the last `days` days, today included."""
        today = timezone.localdate()
        return cls(date_from=today - timedelta(days=days - 1), date_to=today, **kwargs)


@dataclass
class AgentRow:
    agent_id: int
    name: str
    handled: int = 0
    first_response_median: timedelta | None = None
    first_response_p90: timedelta | None = None
    handling_median: timedelta | None = None


@dataclass
class QueueRow:
    queue_id: int | None
    name: str
    received: int = 0
    taken: int = 0
    dealt_with: int = 0
    unanswered: int = 0
    wait_median: timedelta | None = None


@dataclass
class Report:
    filters: ReportFilter
    totals: dict[str, int]
    agents: list[AgentRow] = field(default_factory=list)
    queues: list[QueueRow] = field(default_factory=list)


def received_conversations(filters: ReportFilter) -> QuerySet[Conversation]:
    """The customer conversations created in the range (local dates, both ends included)."""
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(filters.date_from, time.min), zone)
    end = timezone.make_aware(datetime.combine(filters.date_to + timedelta(days=1), time.min), zone)
    queryset = Conversation.objects.exclude(channel=Channel.INTERNAL).filter(
        created_at__gte=start, created_at__lt=end
    )
    if filters.queue_id:
        queryset = queryset.filter(queue_id=filters.queue_id)
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    if filters.label_id:
        queryset = queryset.filter(labels__id=filters.label_id)
    return queryset.order_by()


def _logged(kind: str) -> Exists:
    return Exists(ConversationEvent.objects.filter(conversation_id=OuterRef("pk"), kind=kind))


def agent_replies() -> QuerySet[Message]:
    """What counts as an agent's reply: typed to the customer by someone. Event lines
    have no sender; private notes have one but the customer never reads them."""
    return Message.objects.filter(
        direction=Message.Direction.OUT, sender__isnull=False, kind=Message.Kind.MESSAGE
    )


def _owned() -> Exists:
    return Exists(
        ConversationEvent.objects.filter(
            conversation_id=OuterRef("pk"), kind__in=("taken", "transferred")
        )
    )


def _answered() -> Exists:
    return Exists(agent_replies().filter(conversation_id=OuterRef("pk")))


def counted(queryset: QuerySet[Conversation]) -> QuerySet[Conversation]:
    return queryset.annotate(
        was_owned=_owned(),
        was_dealt_with=_logged("dealt_with"),
        was_transferred=_logged("transferred"),
        was_answered=_answered(),
    )


def _count_kwargs() -> dict[str, Count]:
    return {
        "received": Count("pk"),
        "taken": Count("pk", filter=Q(was_owned=True)),
        "dealt_with": Count("pk", filter=Q(was_dealt_with=True)),
        "transferred": Count("pk", filter=Q(was_transferred=True)),
        "unanswered": Count("pk", filter=Q(was_answered=False)),
    }


def percentile_by(
    queryset: QuerySet, *, group: str, value: str, percent: int
) -> dict[int | None, timedelta]:
    """The nearest-rank `percent` percentile of `value` per `group`, in one query.

    Each row is ranked within its group; the row whose rank is ceil(percent/100 * n)
    is the answer. ceil is integer arithmetic ((p*n + 99) // 100) so both backends
    agree; window functions are filtered in SQL (Django wraps them in a subquery).
    """
    ranked = (
        queryset.filter(**{f"{value}__isnull": False})
        .annotate(
            _rank=Window(RowNumber(), partition_by=[F(group)], order_by=[F(value).asc(), "pk"]),
            _size=Window(Count("pk"), partition_by=[F(group)]),
        )
        .annotate(
            _wanted=ExpressionWrapper(
                (F("_size") * Value(percent) + Value(99)) / Value(100),
                output_field=IntegerField(),
            )
        )
        .filter(_rank=F("_wanted"))
        .values_list(group, value)
    )
    return dict(ranked)


def customer_first_message_at(conversation_ref: str) -> Subquery:
    """When the customer first wrote in the conversation `OuterRef(conversation_ref)`:
    where first-response and resolution times start."""
    first_in = (
        Message.objects.filter(
            conversation_id=OuterRef(conversation_ref), direction=Message.Direction.IN
        )
        .order_by()
        .values("conversation_id")
        .annotate(at=Min("created_at"))
        .values("at")
    )
    return Subquery(first_in, output_field=DateTimeField())


def first_replies(conversations: QuerySet[Conversation]) -> QuerySet[Message]:
    """Each conversation's first agent reply, with the time since the customer's first line."""
    earlier_reply = (
        agent_replies()
        .filter(
            conversation_id=OuterRef("conversation_id"),
        )
        .filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
        )
    )
    return (
        agent_replies()
        .filter(conversation__in=conversations.values("pk"))
        .exclude(Exists(earlier_reply))
        .annotate(customer_at=customer_first_message_at("conversation_id"))
        # A chat an agent opened (outreach) has no customer line to answer yet.
        .filter(customer_at__lte=F("created_at"))
        .annotate(
            response=ExpressionWrapper(
                F("created_at") - F("customer_at"), output_field=DurationField()
            )
        )
    )


def _handling(conversations: QuerySet[Conversation]) -> QuerySet[Conversation]:
    return conversations.filter(
        status=Status.DEALT_WITH, owner__isnull=False, taken_at__isnull=False
    ).annotate(
        handling=ExpressionWrapper(F("closed_at") - F("taken_at"), output_field=DurationField())
    )


def waits(conversations: QuerySet[Conversation]) -> QuerySet[Conversation]:
    first_owned = (
        ConversationEvent.objects.filter(
            conversation_id=OuterRef("pk"), kind__in=("taken", "transferred")
        )
        .order_by()
        .values("conversation_id")
        .annotate(at=Min("at"))
        .values("at")
    )
    return conversations.annotate(
        owned_at=Subquery(first_owned, output_field=DateTimeField())
    ).annotate(
        wait=ExpressionWrapper(F("owned_at") - F("created_at"), output_field=DurationField())
    )


def agent_names(user_ids: set[int]) -> dict[int, str]:
    users = User.objects.filter(pk__in=user_ids).only("username", "first_name", "last_name")
    return {user.pk: user.get_full_name() or user.username for user in users}


def _agent_rows(conversations: QuerySet[Conversation]) -> list[AgentRow]:
    handled = dict(
        conversations.filter(owner__isnull=False)
        .values("owner")
        .annotate(n=Count("pk"))
        .values_list("owner", "n")
    )
    replies = first_replies(conversations)
    frt_median = percentile_by(replies, group="sender_id", value="response", percent=50)
    frt_p90 = percentile_by(replies, group="sender_id", value="response", percent=90)
    handling = percentile_by(
        _handling(conversations), group="owner_id", value="handling", percent=50
    )
    ids = set(handled) | set(frt_median) | set(handling)
    names = agent_names(ids)
    rows = [
        AgentRow(
            agent_id=agent_id,
            name=names.get(agent_id, f"#{agent_id}"),
            handled=handled.get(agent_id, 0),
            first_response_median=frt_median.get(agent_id),
            first_response_p90=frt_p90.get(agent_id),
            handling_median=handling.get(agent_id),
        )
        for agent_id in ids
    ]
    return sorted(rows, key=lambda row: (-row.handled, row.name.lower()))


def _queue_rows(conversations: QuerySet[Conversation]) -> list[QueueRow]:
    counts = counted(conversations).values("queue", "queue__name").annotate(**_count_kwargs())
    wait_medians = percentile_by(waits(conversations), group="queue_id", value="wait", percent=50)
    rows = [
        QueueRow(
            queue_id=row["queue"],
            # Chats routed to an agent's extension have no queue; they still count.
            name=row["queue__name"] or "(routed to an agent)",
            received=row["received"],
            taken=row["taken"],
            dealt_with=row["dealt_with"],
            unanswered=row["unanswered"],
            wait_median=wait_medians.get(row["queue"]),
        )
        for row in counts
    ]
    return sorted(rows, key=lambda row: row.name.lower())


def manager_report(filters: ReportFilter) -> Report:
    """The whole report in a fixed number of queries, whatever the number of chats."""
    conversations = received_conversations(filters)
    totals = counted(conversations).aggregate(**_count_kwargs())
    return Report(
        filters=filters,
        totals={name: totals[name] or 0 for name in TOTALS},
        agents=_agent_rows(conversations),
        queues=_queue_rows(conversations),
    )


def _seconds(duration: timedelta | None) -> str:
    return "" if duration is None else str(round(duration.total_seconds()))


def report_csv(report: Report) -> str:
    """The report as one long CSV (section, subject, metric, value): easy to pivot."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "subject", "metric", "value"])
    filters = report.filters
    writer.writerow(["range", "", "date_from", filters.date_from.isoformat()])
    writer.writerow(["range", "", "date_to", filters.date_to.isoformat()])
    for name in TOTALS:
        writer.writerow(["totals", "", name, report.totals[name]])
    for agent in report.agents:
        writer.writerow(["agent", agent.name, "handled", agent.handled])
        writer.writerow(
            [
                "agent",
                agent.name,
                "first_response_median_seconds",
                _seconds(agent.first_response_median),
            ]
        )
        writer.writerow(
            ["agent", agent.name, "first_response_p90_seconds", _seconds(agent.first_response_p90)]
        )
        writer.writerow(
            ["agent", agent.name, "handling_median_seconds", _seconds(agent.handling_median)]
        )
    for queue in report.queues:
        for metric in ("received", "taken", "dealt_with", "unanswered"):
            writer.writerow(["queue", queue.name, metric, getattr(queue, metric)])
        writer.writerow(["queue", queue.name, "wait_median_seconds", _seconds(queue.wait_median)])
    return out.getvalue()
