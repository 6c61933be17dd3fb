"""The reports summary API: figures of a scripted desk on a frozen clock, CSV, permissions.

The desk below is played through the real services (a customer's message through
`message_receive`, takes, replies, transfers, ring timeouts and dealt-with) while the
clock stands still between steps, so every timestamp is known. The expected figures
are worked out by hand in the comments.

The desk, times in UTC (T0 = 2026-03-02 09:00:00, a Monday):

- c1 WhatsApp -> Sales (hunt: alice, then bob) at T0. Offered to alice; she takes it
  at +20 s, replies at +50 s, deals with it at +600 s. The customer rates it 5.
- c2 WhatsApp -> Sales at +600 s (09:10). Offered to alice, who lets it ring out: the
  30 s ring timeout at +630 s offers it to bob. Bob's reply at +700 s takes it; he
  hands it to alice at +800 s; she deals with it at +1000 s. Rated 3.
- c3 SMS -> Support (ring all: bob) at +5400 s (10:30). Nobody answers; its
  first-response target passed (breached).
- c4 WhatsApp -> Sales on 2026-03-03 at 14:00. Offered to alice; she takes it at
  +240 s, writes a private note at +260 s, replies at +300 s. Still open.
- c5 WhatsApp -> Sales on 2026-03-05: outside the range of most tests.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from archive.reports import ReportFilter
from archive.summary import METRICS, summary
from chatdesk.accounts.models import Role
from chatdesk.inbox import assignment
from chatdesk.inbox.models import Conversation, Label, Message
from chatdesk.inbox.services.lifecycle import conversation_deal_with
from chatdesk.inbox.services.ownership import (
    conversation_take,
    conversation_transfer,
    message_reply,
)
from chatdesk.inbox.services.receive import message_receive
from queues.models import Strategy
from tests.factories import (
    ChannelAccountFactory,
    QueueFactory,
    QueueMemberFactory,
    UserFactory,
    inbound_from,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/summary/"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY2 = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
RANGE = {"date_from": "2026-03-02", "date_to": "2026-03-03"}


class Clock:
    """timezone.now() stands still at `now`; `at()` moves it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, start: datetime) -> None:
        self.now = start
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def at(self, start: datetime, seconds: float = 0) -> None:
        self.now = start + timedelta(seconds=seconds)


class Desk:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.alice = UserFactory(username="s-alice", first_name="Alice", last_name="A")
        self.bob = UserFactory(username="s-bob", first_name="Bob", last_name="B")
        self.carol = UserFactory(username="s-carol", role=Role.MANAGER)
        self.sales = QueueFactory(
            name="Sales", strategy=Strategy.HUNT_PRIORITIZED, ring_timeout_seconds=30
        )
        QueueMemberFactory(queue=self.sales, agent=self.alice, priority=1)
        QueueMemberFactory(queue=self.sales, agent=self.bob, priority=2)
        self.support = QueueFactory(name="Support", strategy=Strategy.RING_ALL)
        QueueMemberFactory(queue=self.support, agent=self.bob)
        self.whatsapp = ChannelAccountFactory(kind="whatsapp", route_queue=self.sales)
        self.sms = ChannelAccountFactory(
            kind="sms", external_id="+15005550006", route_queue=self.support
        )
        self.numbers = iter(range(100))

    def writes(self, account, start: datetime, seconds: float = 0, *, address=None) -> Conversation:
        self.clock.at(start, seconds)
        number = next(self.numbers)
        prefix = "+" if account.kind == "sms" else ""
        address = address or f"{prefix}1415555{number:04d}"
        inbound = inbound_from(account, address=address, pmid=f"pm-{number}")
        message, _ = message_receive(inbound=inbound)
        return message.conversation

    def take(self, chat, agent, start, seconds) -> None:
        self.clock.at(start, seconds)
        conversation_take(conversation_id=chat.pk, agent=agent)

    def reply(self, chat, agent, start, seconds) -> None:
        self.clock.at(start, seconds)
        message_reply(conversation_id=chat.pk, agent=agent, body="On it")

    def ring_out(self, chat, start, seconds) -> None:
        self.clock.at(start, seconds)
        chat.refresh_from_db()
        assert assignment.escalate(conversation_id=chat.pk, round=chat.routing_round)

    def play(self) -> None:
        alice, bob = self.alice, self.bob
        self.c1 = c1 = self.writes(self.whatsapp, T0)
        self.take(c1, alice, T0, 20)
        self.clock.at(T0, 30)  # the customer again: the first response still counts from T0
        again = inbound_from(self.whatsapp, address=self._address(c1), pmid=f"c1-{T0}-{c1.pk}")
        message_receive(inbound=again)
        self.reply(c1, alice, T0, 50)
        self.clock.at(T0, 600)
        conversation_deal_with(conversation_id=c1.pk, agent=alice)

        self.c2 = c2 = self.writes(self.whatsapp, T0, 600)
        self.ring_out(c2, T0, 630)
        self.reply(c2, bob, T0, 700)
        self.clock.at(T0, 800)
        conversation_transfer(conversation_id=c2.pk, agent=bob, to_agent_id=alice.pk)
        self.clock.at(T0, 1000)
        conversation_deal_with(conversation_id=c2.pk, agent=alice)

        self.c3 = c3 = self.writes(self.sms, T0, 5400)
        Conversation.objects.filter(pk=c3.pk).update(sla_breached=True)
        # Ratings arrive from the customers after the close.
        Conversation.objects.filter(pk=c1.pk).update(csat_rating=5)
        Conversation.objects.filter(pk=c2.pk).update(csat_rating=3)

        self.c4 = c4 = self.writes(self.whatsapp, DAY2)
        self.take(c4, alice, DAY2, 240)
        self.clock.at(DAY2, 260)
        Message.objects.create(
            conversation=c4,
            direction=Message.Direction.OUT,
            sender=alice,
            kind=Message.Kind.NOTE,
            body="VIP, be quick",
            delivery_status="sent",
        )
        self.reply(c4, alice, DAY2, 300)

        self.c5 = self.writes(self.whatsapp, datetime(2026, 3, 5, 12, 0, tzinfo=UTC))
        self.clock.at(datetime(2026, 3, 6, 12, 0, tzinfo=UTC))  # "today"

    @staticmethod
    def _address(chat) -> str:
        return chat.identity.address


@pytest.fixture
def desk(monkeypatch):
    played = Desk(Clock(monkeypatch, T0))
    played.play()
    return played


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def get(user, **params):
    return client_for(user).get(URL, {**RANGE, **params})


ZERO = dict.fromkeys(METRICS, 0) | {
    name: None for name in METRICS if name.endswith("_seconds") or name == "csat_average"
}


def figures(**values) -> dict:
    return {**ZERO, **values}


# Totals by hand. First responses: c1 50, c2 100 (from 09:10:00 to bob's 09:11:40), c4 300
# (the note at 260 is no reply) -> sorted 50, 100, 300: p50 rank ceil(1.5)=2 -> 100, p90
# rank ceil(2.7)=3 -> 300. Resolutions (first message to close): c1 600, c2 400 -> p50
# rank 1 -> 400, p90 rank 2 -> 600. Waits (arrival to first owned): c1 20, c2 100, c4 240
# -> 100 and 240. CSAT (5 + 3) / 2 = 4.0 over 2. Missed: c3, which nobody answered.
TOTALS = figures(
    received=4,
    taken=3,
    dealt_with=2,
    transferred=1,
    missed=1,
    first_response_p50_seconds=100,
    first_response_p90_seconds=300,
    resolution_p50_seconds=400,
    resolution_p90_seconds=600,
    wait_p50_seconds=100,
    wait_p90_seconds=240,
    csat_average=4.0,
    csat_count=2,
    sla_breaches=1,
)
# Alice: reached by c1, c2 (offer and transfer), c4; owned all three; dealt with c1 and
# c2; let c2 ring out (missed 1). Her first replies: c1 50, c4 300 -> p50 rank 1 = 50, p90
# rank 2 = 300. She owns c1 and c2 at their close: resolutions 600, 400 -> 400, 600, and
# their ratings. She owned c1 and c4 first: waits 20, 240 -> 20, 240.
ALICE = figures(
    received=3,
    taken=3,
    dealt_with=2,
    missed=1,
    first_response_p50_seconds=50,
    first_response_p90_seconds=300,
    resolution_p50_seconds=400,
    resolution_p90_seconds=600,
    wait_p50_seconds=20,
    wait_p90_seconds=240,
    csat_average=4.0,
    csat_count=2,
)
# Bob: reached by c2 (second round) and c3 (still ringing, so not missed); took c2 with
# his reply after 100 s, its first owner (wait 100), and handed it on.
BOB = figures(
    received=2,
    taken=1,
    transferred=1,
    first_response_p50_seconds=100,
    first_response_p90_seconds=100,
    wait_p50_seconds=100,
    wait_p90_seconds=100,
)
SUPPORT = figures(received=1, missed=1, sla_breaches=1)


def test_totals_match_the_hand_computation(desk):
    report = get(desk.carol).json()
    assert report["range"] == {
        "date_from": "2026-03-02",
        "date_to": "2026-03-03",
        "time_zone": "UTC",
    }
    assert report["totals"] == TOTALS


def test_per_agent_figures_credit_who_did_what(desk):
    rows = {row["agent"]: row for row in get(desk.carol).json()["by_agent"]}
    assert set(rows) == {desk.alice.pk, desk.bob.pk}
    alice, bob = rows[desk.alice.pk], rows[desk.bob.pk]
    assert alice.pop("agent_name") == "Alice A"
    assert bob.pop("agent_name") == "Bob B"
    del alice["agent"], bob["agent"]
    assert alice == ALICE
    assert bob == BOB


def test_queue_channel_day_and_hour_sections(desk):
    report = get(desk.carol).json()
    # Sales holds c1, c2, c4: every timed figure of the totals is theirs.
    sales = figures(**{**TOTALS, "received": 3, "missed": 0, "sla_breaches": 0})
    assert report["by_queue"] == [
        {"queue": desk.sales.pk, "queue_name": "Sales", **sales},
        {"queue": desk.support.pk, "queue_name": "Support", **SUPPORT},
    ]
    assert report["by_channel"] == [
        {"channel": "sms", **SUPPORT},
        {"channel": "whatsapp", **sales},
    ]
    # 2 March: c1, c2, c3. First responses 50, 100 -> p50 rank 1 = 50, p90 rank 2 = 100;
    # waits 20, 100 -> 20, 100. 3 March: c4 alone (300 s reply, 240 s wait).
    assert report["by_day"] == [
        {
            "day": "2026-03-02",
            **figures(
                **{
                    **TOTALS,
                    "received": 3,
                    "taken": 2,
                    "first_response_p50_seconds": 50,
                    "first_response_p90_seconds": 100,
                    "wait_p50_seconds": 20,
                    "wait_p90_seconds": 100,
                }
            ),
        },
        {
            "day": "2026-03-03",
            **figures(
                received=1,
                taken=1,
                first_response_p50_seconds=300,
                first_response_p90_seconds=300,
                wait_p50_seconds=240,
                wait_p90_seconds=240,
            ),
        },
    ]
    received_by_hour = {row["hour"]: row["received"] for row in report["by_hour"]}
    assert list(received_by_hour) == list(range(24))
    assert {hour: n for hour, n in received_by_hour.items() if n} == {9: 2, 10: 1, 14: 1}


def test_distributions_bucket_every_timed_chat(desk):
    report = get(desk.carol).json()
    counts = {
        name: {b["bucket"]: b["count"] for b in buckets}
        for name, buckets in report["distributions"].items()
    }
    # First responses 50, 100, 300; waits 20, 100, 240.
    assert counts["first_response"] == {
        "0-30": 0, "30-60": 1, "60-120": 1, "120-300": 0, "300-900": 1, "900-3600": 0, "3600+": 0,
    }  # fmt: skip
    assert counts["wait"] == {
        "0-30": 1, "30-60": 0, "60-120": 1, "120-300": 1, "300-900": 0, "900-3600": 0, "3600+": 0,
    }  # fmt: skip


def test_days_follow_the_time_zone_setting(desk):
    # Auckland is 13 hours ahead in March: c1-c3 fall on 2 March there (22:00, 22:10,
    # 23:30), c4 on 4 March at 03:00.
    with override_settings(TIME_ZONE="Pacific/Auckland"):
        report = get(desk.carol).json()
        later = get(desk.carol, date_from="2026-03-04", date_to="2026-03-04").json()
    assert report["range"]["time_zone"] == "Pacific/Auckland"
    assert report["totals"]["received"] == 3
    assert [row["received"] for row in report["by_day"]] == [3, 0]
    hours = {row["hour"]: row["received"] for row in report["by_hour"] if row["received"]}
    assert hours == {22: 2, 23: 1}
    assert later["totals"]["received"] == 1
    assert [row["hour"] for row in later["by_hour"] if row["received"]] == [3]


def test_dates_are_inclusive_and_default_to_the_last_seven_days(desk):
    one_day = get(desk.carol, date_from="2026-03-03", date_to="2026-03-03").json()
    assert one_day["totals"]["received"] == 1
    # "Today" is 6 March: the default range is 28 February to 6 March, c1-c5.
    default = client_for(desk.carol).get(URL).json()
    assert default["range"]["date_from"] == "2026-02-28"
    assert default["range"]["date_to"] == "2026-03-06"
    assert default["totals"]["received"] == 5
    assert len(default["by_day"]) == 7


# --- filters ----------------------------------------------------------------------------


def test_queue_and_channel_filters_narrow_every_section(desk):
    support = get(desk.carol, queue=desk.support.pk).json()
    assert support["totals"] == SUPPORT
    assert support["filters"] == {
        "queue": desk.support.pk,
        "channel": None,
        "agent": None,
        "label": None,
    }
    # Only bob was offered c3.
    assert [row["agent"] for row in support["by_agent"]] == [desk.bob.pk]
    assert support["by_agent"][0]["received"] == 1
    whatsapp = get(desk.carol, channel="whatsapp").json()
    assert whatsapp["totals"]["received"] == 3
    assert [row["channel"] for row in whatsapp["by_channel"]] == ["whatsapp"]


def test_the_label_filter_narrows_to_the_chats_carrying_it(desk):
    refund = Label.objects.create(name="Refund", color="#d1242f")
    desk.c3.labels.add(refund)  # c3 is Support's one chat: the same figures as its filter
    labelled = get(desk.carol, label=refund.pk).json()
    assert labelled["totals"] == SUPPORT
    assert labelled["filters"]["label"] == refund.pk
    assert get(desk.carol, label=refund.pk + 1000).status_code == 400


def test_the_agent_filter_gives_that_agents_share_in_every_section(desk):
    report = get(desk.carol, agent=desk.alice.pk).json()
    assert report["totals"] == ALICE
    assert [row["agent"] for row in report["by_agent"]] == [desk.alice.pk]
    # Her 2 March: c1 and c2 (reached, owned, dealt with, c2's missed ring, reply 50 s,
    # resolutions 600 and 400, c1's wait 20); her 3 March: c4.
    assert report["by_day"][0] == {
        "day": "2026-03-02",
        **figures(
            received=2,
            taken=2,
            dealt_with=2,
            missed=1,
            first_response_p50_seconds=50,
            first_response_p90_seconds=50,
            resolution_p50_seconds=400,
            resolution_p90_seconds=600,
            wait_p50_seconds=20,
            wait_p90_seconds=20,
            csat_average=4.0,
            csat_count=2,
        ),
    }
    assert report["by_day"][1]["received"] == 1
    assert [row["queue_name"] for row in report["by_queue"]] == ["Sales"]


# --- who sees what ----------------------------------------------------------------------


def test_an_agent_gets_their_own_figures_without_asking(desk):
    report = get(desk.bob).json()
    assert report["filters"]["agent"] == desk.bob.pk
    totals = report["totals"]
    assert totals == BOB
    assert [row["agent"] for row in report["by_agent"]] == [desk.bob.pk]
    assert get(desk.bob, agent=desk.bob.pk).json()["totals"] == BOB


def test_an_agent_asking_for_another_agent_gets_403(desk):
    response = get(desk.bob, agent=desk.alice.pk)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    csv_response = get(desk.bob, agent=desk.alice.pk, format="csv")
    assert csv_response.status_code == 403
    assert csv_response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("role", [Role.MANAGER, Role.GROUP_OWNER, Role.SYSTEM_OWNER])
def test_supervisors_see_everyone(desk, role):
    boss = UserFactory(username=f"s-boss-{role}", role=role)
    assert get(boss).json()["totals"] == TOTALS
    assert get(boss, agent=desk.bob.pk).json()["totals"] == BOB


def test_signed_out_callers_are_refused(desk):
    assert APIClient().get(URL, RANGE).status_code == 401


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"date_from": "2026-02-30"}, "date_from", "wrong format"),
        ({"date_to": "yesterday"}, "date_to", "wrong format"),
        ({"date_from": "2026-03-05", "date_to": "2026-03-01"}, "date_from", "after the end"),
        ({"date_from": "2026-01-01", "date_to": "2026-04-03"}, "date_to", "at most 92 days"),
        ({"date_from": "1999-12-31"}, "date_from", "between 2000-01-01"),
        ({"channel": "internal"}, "channel", "not a valid choice"),
        ({"queue": "0"}, "queue", "greater than or equal to 1"),
        ({"queue": "987654"}, "queue", "No such queue"),
        ({"agent": "987654"}, "agent", "No such agent"),
        ({"agent": "abc"}, "agent", "valid integer"),
        ({"queue": str(2**70)}, "queue", "less than or equal"),
    ],
)
def test_bad_parameters_are_400_with_the_reason(desk, params, field, words):
    response = client_for(desk.carol).get(URL, {**RANGE, **params})
    assert response.status_code == 400
    assert words in " ".join(response.json()[field])


def test_a_range_of_exactly_the_cap_is_accepted(desk):
    # January 31 + February 28 + March 31 + 2 April days = 92 days.
    response = get(desk.carol, date_from="2026-01-01", date_to="2026-04-02")
    assert response.status_code == 200
    assert len(response.json()["by_day"]) == 92
    assert response.json()["totals"]["received"] == 5


# --- CSV ------------------------------------------------------------------------------------


def _from_csv(text: str) -> dict:
    """Rebuild the JSON answer from the CSV's rows, values as the CSV writes them."""
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and list(rows[0]) == ["section", "subject", "metric", "value"]
    rebuilt: dict = {}
    for row in rows:
        section, subject, metric, value = row.values()
        if section in ("range", "filters", "totals"):
            rebuilt.setdefault(section, {})[metric] = value
        elif section == "distributions":
            rebuilt.setdefault(section, {}).setdefault(subject, {})[metric] = value
        else:
            rebuilt.setdefault(section, {}).setdefault(subject, {})[metric] = value
    return rebuilt


def _as_text(report: dict) -> dict:
    """The JSON answer with every value written as the CSV writes it."""

    def cell(value):
        return "" if value is None else str(value)

    keys = {"by_agent": "agent", "by_queue": "queue", "by_channel": "channel", "by_day": "day"}
    keys["by_hour"] = "hour"
    text: dict = {
        s: {k: cell(v) for k, v in report[s].items()} for s in ("range", "filters", "totals")
    }
    for section, key in keys.items():
        text[section] = {
            cell(row[key]): {k: cell(v) for k, v in row.items() if k != key}
            for row in report[section]
        }
    text["distributions"] = {
        name: {b["bucket"]: str(b["count"]) for b in buckets}
        for name, buckets in report["distributions"].items()
    }
    return text


@pytest.mark.parametrize("who", ["carol", "bob"])
def test_the_csv_holds_exactly_the_json(desk, who):
    user = getattr(desk, who)
    as_json = get(user, channel="whatsapp").json()
    response = get(user, channel="whatsapp", format="csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="chatdesk-report-2026-03-02-2026-03-03.csv"' in response["Content-Disposition"]
    assert _from_csv(response.content.decode()) == _as_text(as_json)


def test_the_csv_carries_the_figures_a_manager_reads(desk):
    text = get(desk.carol, format="csv").content.decode()
    rows = csv.DictReader(io.StringIO(text))
    value = {(r["section"], r["subject"], r["metric"]): r["value"] for r in rows}
    assert value[("totals", "", "first_response_p90_seconds")] == "300"
    assert value[("by_agent", str(desk.alice.pk), "agent_name")] == "Alice A"
    assert value[("by_agent", str(desk.bob.pk), "resolution_p50_seconds")] == ""
    assert value[("by_day", "2026-03-03", "wait_p50_seconds")] == "240"
    assert value[("by_queue", str(desk.support.pk), "sla_breaches")] == "1"


# --- cost -----------------------------------------------------------------------------------


def test_the_query_count_does_not_grow_with_the_chats(desk, django_assert_num_queries):
    filters = ReportFilter(date_from=date(2026, 3, 2), date_to=date(2026, 3, 3))
    # Chats with their facts, first replies, history, offers, agents' names.
    with django_assert_num_queries(5):
        small = summary(filters)
    for _ in range(3):
        desk.play()
    with django_assert_num_queries(5):
        large = summary(filters)
    assert large["totals"]["received"] == 4 * small["totals"]["received"]
    # The whole request: the above, the queue's existence and the caller's permissions.
    client = client_for(desk.carol)
    with django_assert_num_queries(8):
        assert client.get(URL, {**RANGE, "queue": desk.sales.pk}).status_code == 200


# --- the page ------------------------------------------------------------------------------


def test_the_reports_page_offers_the_agent_filter_to_supervisors_only(desk):
    manager, agent = Client(), Client()
    manager.force_login(desk.carol)
    agent.force_login(desk.alice)
    page = manager.get("/reports/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="agent"' in html and "Alice A" in html
    assert "vendor/chartjs/chart.umd.min.js" in html and "js/reports.js" in html
    mine = agent.get("/reports/").content.decode()
    assert 'id="agent"' not in mine
    # Alice's queue filter lists her own queue only.
    queues = mine.split('id="queue"')[1].split("</select>")[0]
    assert "Sales" in queues and "Support" not in queues
    assert 'href="/reports/"' in agent.get("/").content.decode()  # the top bar's link
    assert Client().get("/reports/").status_code == 302  # to the login page
