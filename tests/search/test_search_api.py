"""`GET /api/v1/search/`: contacts, conversations and messages, only what the caller may
see, phone numbers however typed, archived chats included, highlights safe."""

from __future__ import annotations

import pytest

from chatdesk.inbox.models import Conversation, Message
from chatdesk.inbox.services.ownership import message_reply
from contacts.services import contact_create
from tests.factories import ChannelAccountFactory

pytestmark = pytest.mark.django_db


def _search(api, user, q):
    response = api(user).get("/api/v1/search/", {"q": q})
    assert response.status_code == 200, response.content
    return response.json()


def _ids(hits):
    return {hit["id"] for hit in hits}


def _marked(text, highlights):
    return [text[a:b] for a, b in highlights]


def _take(api, agent, conversation):
    assert api(agent).post(f"/api/v1/conversations/{conversation.pk}/take/").status_code == 200


def _close(api, agent, conversation):
    _take(api, agent, conversation)
    response = api(agent).post(f"/api/v1/conversations/{conversation.pk}/dealt-with/")
    assert response.status_code == 200, response.content
    return Conversation.objects.get(pk=conversation.pk)


def test_message_text_is_found_with_what_it_points_at_and_the_words_marked(
    customer_writes, alice, api
):
    message = customer_writes("My parcel to Zanzibar never arrived", address="14155550101")
    customer_writes("Something else entirely", address="14155550102")
    _take(api, alice, message.conversation)

    hits = _search(api, alice, "zanzi parc")["messages"]

    assert [hit["id"] for hit in hits] == [message.pk]
    hit = hits[0]
    assert hit["conversation"] == message.conversation_id
    assert hit["archived"] is False
    assert hit["snippet"] == "My parcel to Zanzibar never arrived"
    assert _marked(hit["snippet"], hit["highlights"]) == ["parc", "Zanzi"]


def test_an_archived_chats_messages_are_found_and_say_so(customer_writes, alice, api):
    message = customer_writes("Please refund order 5521", address="14155550103")
    conversation = _close(api, alice, message.conversation)
    assert conversation.archived

    hits = _search(api, alice, "refund")["messages"]

    assert [(hit["id"], hit["archived"]) for hit in hits] == [(message.pk, True)]


def test_agents_find_only_chats_they_may_see_and_managers_find_all(
    customer_writes, alice, bob, carol, oscar, api
):
    mine = customer_writes("invoice for Alice", address="14155550104").conversation
    theirs = customer_writes("invoice for Bob", address="14155550105").conversation
    _take(api, alice, mine)
    _take(api, bob, theirs)
    reply, _ = message_reply(conversation_id=theirs.pk, agent=bob, body="Your invoice is here")

    def found(user):
        data = _search(api, user, "invoice")
        return {m["conversation"] for m in data["messages"]}, _ids(data["messages"])

    assert found(alice)[0] == {mine.pk}
    assert reply.pk not in found(alice)[1]
    assert found(bob)[0] == {theirs.pk}
    assert found(oscar) == (set(), set())
    assert found(carol)[0] == {mine.pk, theirs.pk}
    assert reply.pk in found(carol)[1]
    # The same rule for conversations found by address.
    assert _ids(_search(api, alice, "14155550105")["conversations"]) == set()
    assert _ids(_search(api, carol, "14155550105")["conversations"]) == {theirs.pk}


def test_a_ringing_chat_is_found_by_the_agents_it_is_offered_to(
    customer_writes, alice, bob, oscar, api
):
    message = customer_writes("Where is my voucher", address="14155550106")
    offered = set(
        message.conversation.offers.filter(outcome="pending").values_list("agent_id", flat=True)
    )
    assert offered  # queue A rings someone

    seen = {u.pk for u in (alice, bob) if _search(api, u, "voucher")["messages"]}

    assert seen == offered
    assert _search(api, oscar, "voucher")["messages"] == []


def test_event_lines_are_not_messages_to_find(customer_writes, alice, api):
    message = customer_writes("hello", address="14155550107")
    Message.objects.create(
        conversation=message.conversation,
        direction="out",
        kind=Message.Kind.EVENT,
        body="Taken by zorro",
    )
    _take(api, alice, message.conversation)
    assert _search(api, alice, "zorro")["messages"] == []


@pytest.mark.parametrize(
    "typed",
    ["+44 20 7946 0958", "0044 20 7946 0958", "020 7946 0958", "(020) 7946-0958", "7946 0958"],
)
def test_a_phone_number_matches_however_typed(typed, settings, alice, api):
    settings.PHONE_DEFAULT_REGION = "GB"
    contact = contact_create(name="Harriet Vane", email="", phone="+442079460958")
    contact_create(name="Peter Wimsey", email="", phone="+442079460111")

    hits = _search(api, alice, typed)["contacts"]

    assert _ids(hits) == {contact.pk}
    match = hits[0]["match"]
    assert match["field"] == "phone"
    assert _marked(match["text"], match["highlights"])[0].endswith("79460958")


def test_a_phone_number_finds_the_conversation_by_its_address(
    settings, queue_a, customer_writes, carol, api
):
    settings.PHONE_DEFAULT_REGION = "GB"
    sms = ChannelAccountFactory(kind="sms", external_id="+15005550006", route_queue=queue_a)
    whatsapp = customer_writes("hi", address="442079460958").conversation
    by_sms = customer_writes("hi", address="+442079460958", to=sms).conversation

    hits = _search(api, carol, "020 7946 0958")["conversations"]

    assert _ids(hits) == {whatsapp.pk, by_sms.pk}
    assert all(hit["match"]["field"] == "address" for hit in hits)


def test_contacts_by_name_and_email_point_at_their_newest_visible_chat(
    customer_writes, alice, oscar, api
):
    message = customer_writes("hi", address="14155550108", name="Jonas Müller")
    contact = contact_create(name="Jonas Müller", email="jonas@example.com", phone="")
    conversation = message.conversation
    conversation.identity.contact = contact
    conversation.identity.save()
    _take(api, alice, conversation)

    by_name = _search(api, alice, "jonas mü")["contacts"]
    assert [(c["id"], c["conversation"]) for c in by_name] == [(contact.pk, conversation.pk)]
    assert _marked(by_name[0]["match"]["text"], by_name[0]["match"]["highlights"]) == ["Jonas Mü"]
    by_words = _search(api, alice, "müll jon")["contacts"][0]["match"]
    assert _marked(by_words["text"], by_words["highlights"]) == ["Jon", "Müll"]
    by_email = _search(api, oscar, "jonas@exa")["contacts"]
    # Any agent finds the contact; the chat only who may see it.
    assert [(c["id"], c["conversation"]) for c in by_email] == [(contact.pk, None)]
    assert by_email[0]["match"]["field"] == "email"


def test_html_in_a_message_comes_back_as_text_with_ranges(customer_writes, carol, api):
    customer_writes("<script>alert('pwned')</script> pwned again", address="14155550109")

    hit = _search(api, carol, "pwned")["messages"][0]

    assert hit["snippet"] == "<script>alert('pwned')</script> pwned again"
    assert _marked(hit["snippet"], hit["highlights"]) == ["pwned", "pwned"]
    assert "<mark" not in hit["snippet"]


def test_a_long_message_gives_a_snippet_around_its_match(customer_writes, carol, api):
    body = "word " * 100 + "needle in the haystack " + "tail " * 100
    customer_writes(body, address="14155550110")

    hit = _search(api, carol, "needle")["messages"][0]

    assert len(hit["snippet"]) <= 170
    assert hit["snippet"].startswith("…") and hit["snippet"].endswith("…")
    assert _marked(hit["snippet"], hit["highlights"]) == ["needle"]


@pytest.mark.parametrize("q", ["", "a", " a ", "!!", "x" * 201])
def test_a_query_too_short_or_too_long_is_400(q, alice, api):
    response = api(alice).get("/api/v1/search/", {"q": q})
    assert response.status_code == 400
    assert "q" in response.json()


def test_signed_out_is_401(client):
    assert client.get("/api/v1/search/", {"q": "hello"}).status_code == 401


def test_the_message_index_follows_edits_and_deletes(customer_writes, carol, api):
    message = customer_writes("first draft", address="14155550111")
    Message.objects.filter(pk=message.pk).update(body="second version")
    assert _search(api, carol, "draft")["messages"] == []
    assert _ids(_search(api, carol, "second")["messages"]) == {message.pk}
    Message.objects.filter(pk=message.pk).delete()
    assert _search(api, carol, "second")["messages"] == []
