"""Manager reports: the figures on a crafted day, the admin page, its CSV and permissions."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from archive.reports import ReportFilter, manager_report
from chatdesk.accounts.models import Role
from chatdesk.inbox.models import Channel, Conversation, ConversationEvent, Message, Status
from tests.factories import (
    ChannelAccountFactory,
    ConversationFactory,
    IdentityFactory,
    MessageFactory,
    QueueFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

REPORT_URL = "/admin/archive/report/"


class Desk:
    """Builds conversations with exact timestamps (auto_now_add is overwritten after)."""

    def __init__(self) -> None:
        self.t0 = timezone.now() - timedelta(days=1)
        self.account = ChannelAccountFactory(kind="whatsapp")
        self.sms = ChannelAccountFactory(kind="sms", external_id="+15005550006")
        self.sales = QueueFactory(name="Sales")
        self.support = QueueFactory(name="Support")
        self.alice = UserFactory(username="r-alice", first_name="Alice", last_name="Agent")
        self.bob = UserFactory(username="r-bob", first_name="Bob", last_name="Agent")

    def at(self, seconds: float):
        return self.t0 + timedelta(seconds=seconds)

    def chat(self, queue, *, account=None, created=0.0, **fields) -> Conversation:
        account = account or self.account
        conversation = ConversationFactory(
            channel=account.kind,
            channel_account=account,
            identity=IdentityFactory(kind=account.kind),
            queue=queue,
            **fields,
        )
        Conversation.objects.filter(pk=conversation.pk).update(created_at=self.at(created))
        self.message(conversation, Message.Direction.IN, created)
        return conversation

    def message(self, conversation, direction, seconds, sender=None) -> None:
        message = MessageFactory(conversation=conversation, direction=direction, sender=sender)
        Message.objects.filter(pk=message.pk).update(created_at=self.at(seconds))

    def reply(self, conversation, agent, seconds) -> None:
        self.message(conversation, Message.Direction.OUT, seconds, sender=agent)

    def logged(self, conversation, kind, seconds, actor=None) -> None:
        entry = ConversationEvent.objects.create(conversation=conversation, kind=kind, actor=actor)
        ConversationEvent.objects.filter(pk=entry.pk).update(at=self.at(seconds))

    def taken(self, conversation, agent, seconds) -> None:
        self.logged(conversation, "taken", seconds, agent)
        Conversation.objects.filter(pk=conversation.pk).update(
            owner=agent, status=Status.TAKEN, taken_at=self.at(seconds)
        )

    def dealt_with(self, conversation, seconds) -> None:
        self.logged(conversation, "dealt_with", seconds)
        Conversation.objects.filter(pk=conversation.pk).update(
            status=Status.DEALT_WITH, archived=True, closed_at=self.at(seconds)
        )

    def day(self) -> None:
        """Five chats received yesterday, plus one a month ago and one internal chat."""
        alice, bob = self.alice, self.bob
        c1 = self.chat(self.sales)  # alice: answered in 60 s, handled 570 s
        self.taken(c1, alice, 30)
        self.reply(c1, alice, 60)
        self.dealt_with(c1, 600)
        c2 = self.chat(self.sales)  # alice: answered in 120 s, still open
        self.taken(c2, alice, 100)
        self.reply(c2, alice, 120)
        c3 = self.chat(self.sales, account=self.sms)  # bob answers in 300 s, hands it to alice
        self.taken(c3, bob, 200)
        self.reply(c3, bob, 300)
        self.logged(c3, "transferred", 400, bob)
        self.taken(c3, alice, 400)
        ConversationEvent.objects.filter(conversation=c3, kind="taken", actor=alice).delete()
        self.dealt_with(c3, 1000)
        self.chat(self.support)  # nobody answered: missed
        c5 = self.chat(self.support)  # bob: answered in 90 s
        self.taken(c5, bob, 50)
        self.reply(c5, bob, 90)
        old = self.chat(self.sales, created=-30 * 86400)
        self.taken(old, alice, -30 * 86400 + 5)
        self.reply(old, alice, -30 * 86400 + 10)
        ConversationFactory(channel=Channel.INTERNAL, channel_account=None, identity=None)


@pytest.fixture
def desk():
    return Desk()


def _report(**kwargs):
    return manager_report(ReportFilter.last_days(**kwargs))


def test_totals_count_only_the_chats_received_in_the_range(desk):
    desk.day()
    assert _report().totals == {
        "received": 5,
        "taken": 4,
        "dealt_with": 2,
        "transferred": 1,
        "unanswered": 1,
    }
    month = ReportFilter.last_days(days=32)
    assert manager_report(month).totals["received"] == 6


def test_per_agent_handled_first_response_and_handling_times(desk):
    desk.day()
    rows = {row.name: row for row in _report().agents}
    assert set(rows) == {"Alice Agent", "Bob Agent"}
    alice, bob = rows["Alice Agent"], rows["Bob Agent"]
    assert (alice.handled, bob.handled) == (3, 1)
    # Alice's first replies: 60 s and 120 s; nearest-rank median 60, p90 120.
    assert alice.first_response_median == timedelta(seconds=60)
    assert alice.first_response_p90 == timedelta(seconds=120)
    # Bob answered c3 (300 s) before handing it on, and c5 (90 s).
    assert bob.first_response_median == timedelta(seconds=90)
    assert bob.first_response_p90 == timedelta(seconds=300)
    # Alice dealt with c1 (570 s after her take) and c3 (600 s after the transfer).
    assert alice.handling_median == timedelta(seconds=570)
    assert bob.handling_median is None


def test_per_queue_counts_and_median_wait_until_taken(desk):
    desk.day()
    rows = {row.name: row for row in _report().queues}
    sales, support = rows["Sales"], rows["Support"]
    assert (sales.received, sales.taken, sales.dealt_with, sales.unanswered) == (3, 3, 2, 0)
    assert (support.received, support.taken, support.dealt_with, support.unanswered) == (2, 1, 0, 1)
    # Sales waits: 30, 100, 200 s -> 100; Support: only c5 was taken, after 50 s.
    assert sales.wait_median == timedelta(seconds=100)
    assert support.wait_median == timedelta(seconds=50)


def test_chats_routed_to_an_agent_have_a_row_of_their_own(desk):
    direct = desk.chat(None, direct_agent=desk.bob)
    desk.taken(direct, desk.bob, 40)
    rows = {row.name: row for row in _report().queues}
    assert set(rows) == {"(routed to an agent)"}
    assert (rows["(routed to an agent)"].received, rows["(routed to an agent)"].taken) == (1, 1)
    assert rows["(routed to an agent)"].wait_median == timedelta(seconds=40)


def test_queue_and_channel_filters_narrow_every_figure(desk):
    desk.day()
    support = _report(queue_id=desk.support.pk)
    assert support.totals["received"] == 2
    assert [row.name for row in support.queues] == ["Support"]
    assert [row.name for row in support.agents] == ["Bob Agent"]
    sms = _report(channel="sms")
    assert sms.totals == {
        "received": 1,
        "taken": 1,
        "dealt_with": 1,
        "transferred": 1,
        "unanswered": 0,
    }


def test_an_empty_range_reports_zeros(desk):
    desk.day()
    future = timezone.localdate() + timedelta(days=10)
    report = manager_report(ReportFilter(date_from=future, date_to=future))
    assert set(report.totals.values()) == {0}
    assert (report.agents, report.queues) == ([], [])


def test_the_query_count_does_not_grow_with_the_chats(desk, django_assert_num_queries):
    desk.day()
    with django_assert_num_queries(8):
        small = _report()
    for _ in range(3):
        desk.day()
    with django_assert_num_queries(8):
        large = _report()
    assert large.totals["received"] == 4 * small.totals["received"]


# --- the admin page -----------------------------------------------------------------


def _signed_in(role: str, **fields) -> Client:
    client = Client()
    client.force_login(UserFactory(username=f"report-{role}", role=role, **fields))
    return client


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.AGENT, 302),  # agents have no admin: sent to the login page
        (Role.MANAGER, 200),
        (Role.GROUP_OWNER, 200),
        (Role.SYSTEM_OWNER, 200),
    ],
)
def test_who_opens_the_reports_page(role, status):
    response = _signed_in(role).get(REPORT_URL)
    assert response.status_code == status
    if status == 302:
        assert "/admin/login/" in response["Location"]


def test_a_superuser_opens_it_too():
    assert _signed_in(Role.AGENT, is_superuser=True).get(REPORT_URL).status_code == 200


def test_staff_without_the_permission_gets_403():
    client = Client()
    staff = UserFactory(username="report-staff", role=Role.MANAGER)
    staff.groups.clear()  # a supervisor whose group was stripped of rights
    client.force_login(staff)
    assert client.get(REPORT_URL).status_code == 403
    assert client.get("/admin/").status_code == 200
    assert "Reports" not in client.get("/admin/").content.decode()


def test_the_page_shows_the_figures_and_is_listed_in_admin(desk):
    desk.day()
    client = _signed_in(Role.MANAGER)
    assert REPORT_URL in client.get("/admin/").content.decode()
    page = client.get(REPORT_URL)
    assert page.status_code == 200
    report = page.context["report"]
    assert report.totals["received"] == 5
    html = page.content.decode()
    assert "Alice Agent" in html and "1 min 00 s" in html
    filtered = client.get(REPORT_URL, {"queue": desk.support.pk})
    assert filtered.context["report"].totals["received"] == 2


def test_a_reversed_range_is_a_form_error_not_a_crash(desk):
    client = _signed_in(Role.MANAGER)
    page = client.get(REPORT_URL, {"date_from": "2026-02-10", "date_to": "2026-02-01"})
    assert page.status_code == 200
    assert page.context["report"] is None
    assert "start date is after" in page.content.decode()


def test_the_csv_holds_the_same_figures(desk):
    desk.day()
    client = _signed_in(Role.MANAGER)
    response = client.get(REPORT_URL, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    value = {(r["section"], r["subject"], r["metric"]): r["value"] for r in rows}
    assert value[("totals", "", "received")] == "5"
    assert value[("totals", "", "unanswered")] == "1"
    assert value[("agent", "Alice Agent", "handled")] == "3"
    assert value[("agent", "Bob Agent", "first_response_p90_seconds")] == "300"
    assert value[("agent", "Bob Agent", "handling_median_seconds")] == ""
    assert value[("queue", "Sales", "wait_median_seconds")] == "100"
    assert value[("range", "", "date_to")] == timezone.localdate().isoformat()


def test_the_csv_link_keeps_the_filters(desk):
    desk.day()
    client = _signed_in(Role.MANAGER)
    page = client.get(REPORT_URL, {"channel": "sms"})
    csv_response = client.get(f"{REPORT_URL}?{page.context['csv_query']}")
    rows = list(csv.DictReader(io.StringIO(csv_response.content.decode())))
    totals = {r["metric"]: r["value"] for r in rows if r["section"] == "totals"}
    assert totals["received"] == "1"


def test_the_migration_granted_view_reports_to_manager_and_group_owner_only():
    holders = set(
        Group.objects.filter(
            permissions__content_type__app_label="archive",
            permissions__codename="view_reports",
        ).values_list("name", flat=True)
    )
    assert holders == {"Manager", "Group owner", "System owner"}
