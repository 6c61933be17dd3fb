"""Views of the list (mine, unassigned, all), their counts, and the list's orders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chatdesk.inbox.list_views import view_counts
from chatdesk.inbox.models import Channel, Conversation, Message, Status
from tests.factories import ChannelAccountFactory, ConversationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/conversations/"
COUNTS = "/api/v1/conversations/counts/"


@pytest.fixture
def chats(customer_writes, api, alice, bob, carol, oscar, queue_a):
    """One conversation in each state that matters to the views, by a readable name."""
    states = {}
    states["offered"] = customer_writes("a", address="1415555000").conversation
    taken = customer_writes("b", address="1415555001").conversation
    assert api(alice).post(f"{URL}{taken.pk}/take/").status_code == 200
    states["alice's"] = taken
    moved = customer_writes("c", address="1415555002").conversation
    api(alice).post(f"{URL}{moved.pk}/take/")
    api(alice).post(f"{URL}{moved.pk}/transfer/", {"agent": oscar.pk}, format="json")
    states["oscar's"] = moved
    direct = ChannelAccountFactory(
        kind="sms", external_id="+15005550006", route_agent=bob, route_queue=None
    )
    states["direct to bob"] = customer_writes("d", to=direct, address="+14155550100").conversation
    internal = ConversationFactory(
        channel=Channel.INTERNAL, channel_account=None, identity=None, status=Status.TAKEN
    )
    internal.participants.set([alice, oscar])
    states["internal alice & oscar"] = internal
    done = customer_writes("e", address="1415555003").conversation
    api(alice).post(f"{URL}{done.pk}/take/")
    assert api(alice).post(f"{URL}{done.pk}/dealt-with/").status_code == 200
    states["dealt with by alice"] = done
    return {name: Conversation.objects.get(pk=c.pk) for name, c in states.items()}


EXPECTED = {
    "alice": {
        "mine": {"alice's", "internal alice & oscar"},
        "unassigned": {"offered"},
        "all": {"offered", "alice's", "internal alice & oscar"},
    },
    "bob": {
        "mine": set(),
        "unassigned": {"offered", "direct to bob"},
        "all": {"offered", "direct to bob"},
    },
    "oscar": {
        "mine": {"oscar's", "internal alice & oscar"},
        "unassigned": set(),
        "all": {"oscar's", "internal alice & oscar"},
    },
    "carol": {
        "mine": set(),
        "unassigned": {"offered", "direct to bob"},
        "all": {"offered", "alice's", "oscar's", "direct to bob"},
    },
}


def test_each_view_lists_what_the_caller_may_see_and_counts_agree(
    chats, api, alice, bob, carol, oscar
):
    users = {"alice": alice, "bob": bob, "oscar": oscar, "carol": carol}
    names = {c.pk: name for name, c in chats.items()}
    for who, views in EXPECTED.items():
        client = api(users[who])
        counts = client.get(COUNTS)
        assert counts.status_code == 200
        assert counts.json() == {view: len(expected) for view, expected in views.items()}, who
        for view, expected in views.items():
            response = client.get(URL, {"view": view})
            assert response.status_code == 200
            listed = {names[row["id"]] for row in response.json()["results"]}
            assert listed == expected, f"{who}: {view}"


def test_a_view_never_holds_an_archived_chat(chats, api, alice, carol):
    alice_api = api(alice)
    own = chats["alice's"]
    assert alice_api.post(f"{URL}{own.pk}/archive/").status_code == 200
    assert api(alice).get(COUNTS).json() == {"mine": 1, "unassigned": 1, "all": 2}
    listed = {row["id"] for row in alice_api.get(URL, {"view": "all"}).json()["results"]}
    assert own.pk not in listed
    assert chats["dealt with by alice"].pk not in listed


def test_counts_follow_a_take_by_another_agent(chats, api, alice, bob):
    assert api(alice).get(COUNTS).json()["unassigned"] == 1
    offered = chats["offered"]
    assert api(bob).post(f"{URL}{offered.pk}/take/").status_code == 200
    assert api(alice).get(COUNTS).json() == {"mine": 2, "unassigned": 0, "all": 2}
    assert api(bob).get(COUNTS).json() == {"mine": 1, "unassigned": 1, "all": 2}


def test_counts_take_one_query_whatever_the_number_of_chats(customer_writes, api, carol, alice):
    customer_writes("one", address="1415555199")
    with CaptureQueriesContext(connection) as few:
        api(carol).get(COUNTS)
    for i in range(12):
        customer_writes(f"more {i}", address=f"14155551{i:02d}")
    with CaptureQueriesContext(connection) as many:
        body = api(carol).get(COUNTS).json()
    assert body == {"mine": 0, "unassigned": 13, "all": 13}
    assert len(many) == len(few)
    counting = [q["sql"] for q in many.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counting) == 1


def test_the_service_counts_in_one_query(customer_writes, alice, django_assert_num_queries):
    customer_writes("hello", address="1415555200")
    with django_assert_num_queries(1):
        assert view_counts(alice) == {"mine": 0, "unassigned": 1, "all": 1}


def test_a_view_list_is_constant_in_queries(customer_writes, api, carol):
    client = api(carol)
    customer_writes("first", address="1415555399")

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    small = queries(f"{URL}?view=unassigned&sort=waiting")
    for i in range(10):
        customer_writes(f"more {i}", address=f"14155553{i:02d}")
    assert queries(f"{URL}?view=unassigned&sort=waiting") == small


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"view": "everything"}, "view"),
        ({"view": "MINE"}, "view"),
        ({"sort": "oldest"}, "sort"),
        ({"view": "mine", "archived": "true"}, "view"),
    ],
)
def test_an_unknown_view_or_sort_is_a_400_that_says_why(api, alice, query, field):
    response = api(alice).get(URL, query)
    assert response.status_code == 400
    assert field in response.json()
    assert response.json()[field][0]


def test_counts_need_a_signed_in_agent(client):
    assert client.get(COUNTS).status_code in {401, 403}


def test_counts_is_not_taken_for_a_conversation_id(chats, api, carol):
    # The detail route only takes digits: "counts" never reaches it as an id.
    assert api(carol).get(COUNTS).json()["all"] == 4
    offered = chats["offered"]
    assert api(carol).get(f"{URL}{offered.pk}/").status_code == 200


def _at(conversation: Conversation, **fields) -> None:
    Conversation.objects.filter(pk=conversation.pk).update(**fields)


def test_waiting_order_puts_the_longest_waiting_customer_first(customer_writes, api, carol, alice):
    now = timezone.now()
    a = customer_writes("a", address="1415555400").conversation
    b = customer_writes("b", address="1415555401").conversation
    c = customer_writes("c", address="1415555402").conversation
    d = customer_writes("d", address="1415555403").conversation
    # b and d: a customer waits for a reply, d for longer; both come before a and c.
    _at(b, customer_waiting_since=now - timedelta(minutes=5), last_message_at=now)
    _at(d, customer_waiting_since=now - timedelta(minutes=30), last_message_at=now)
    # a and c: nobody waits; ordered by the customer's last message, oldest first.
    Message.objects.filter(conversation=a).update(created_at=now - timedelta(minutes=2))
    Message.objects.filter(conversation=c).update(created_at=now - timedelta(minutes=50))
    _at(a, last_message_at=now - timedelta(seconds=1), customer_waiting_since=None)
    _at(c, last_message_at=now - timedelta(seconds=2), customer_waiting_since=None)
    ids = [row["id"] for row in api(carol).get(URL, {"sort": "waiting"}).json()["results"]]
    assert ids == [d.pk, b.pk, c.pk, a.pk]
    by_activity = [row["id"] for row in api(carol).get(URL, {"sort": "activity"}).json()["results"]]
    assert by_activity[:2] == sorted([b.pk, d.pk], reverse=True)
    assert by_activity[2:] == [a.pk, c.pk]
    assert [row["id"] for row in api(carol).get(URL).json()["results"]] == by_activity


def test_waiting_order_falls_back_to_creation_without_customer_messages(
    api, carol, customer_writes
):
    now = timezone.now()
    spoken = customer_writes("hi", address="1415555500").conversation
    Message.objects.filter(conversation=spoken).update(created_at=now - timedelta(minutes=10))
    _at(spoken, customer_waiting_since=None)  # answered: nobody waits, its last line counts
    silent = ConversationFactory(status=Status.UNASSIGNED)
    Conversation.objects.filter(pk=silent.pk).update(created_at=now - timedelta(hours=1))
    ids = [row["id"] for row in api(carol).get(URL, {"sort": "waiting"}).json()["results"]]
    assert ids.index(silent.pk) < ids.index(spoken.pk)


def test_the_inbox_rows_take_the_same_views_and_order(chats, client, alice):
    client.force_login(alice)
    mine = client.get("/inbox/rows/", {"tab": "mine"}).json()["results"]
    assert {row["id"] for row in mine} == {
        chats["alice's"].pk,
        chats["internal alice & oscar"].pk,
    }
    waiting = client.get("/inbox/rows/", {"tab": "unassigned", "sort": "waiting"}).json()
    assert [row["id"] for row in waiting["results"]] == [chats["offered"].pk]
    assert waiting["results"][0]["waiting_since"]
    # The page carries the counts for its first paint.
    page = client.get("/")
    assert page.status_code == 200
    assert '"counts": {"mine": 2, "unassigned": 1, "all": 3}' in page.content.decode()
