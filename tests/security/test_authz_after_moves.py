"""Actions on a chat that has moved on: taken by someone else, or transferred away.

The API (docs/api.md, Conversations): a reply or `take` on a chat another agent owns is 409
for members of its queue (the loser of a race learns why), although reading it
is 404; every other action, and everything for anyone outside the queue, is 404.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from chatdesk.inbox.models import Conversation, Message

pytestmark = pytest.mark.django_db

# (method, path suffix, body) of every per-conversation operation of the API.
OPERATIONS = {
    "read detail": ("get", "", None),
    "read messages": ("get", "messages/", None),
    "reply": ("post", "messages/", {"body": "mine now?"}),
    "take": ("post", "take/", None),
    "transfer": ("post", "transfer/", "bob"),
    "dealt-with": ("post", "dealt-with/", None),
    "archive": ("post", "archive/", None),
    "unarchive": ("post", "unarchive/", None),
    "end": ("post", "end/", None),
    "block": ("post", "block/", {"reason": "spam"}),
    "add-contact": ("post", "add-contact/", {"name": "Someone"}),
    "ignore": ("post", "ignore/", None),
    "read mark": ("post", "read/", None),
    "delete": ("delete", "", None),
}
RACE_ANSWERS = {"reply", "take"}  # 409 for queue members; everything else 404


def _attempt(api, user, conversation: Conversation, operation: str, bob) -> int:
    method, suffix, body = OPERATIONS[operation]
    if body == "bob":
        body = {"agent": bob.pk}
    with transaction.atomic():
        client = api(user)
        url = f"/api/v1/conversations/{conversation.pk}/{suffix}"
        response = getattr(client, method)(url, body, format="json")
        transaction.set_rollback(True)
    return response.status_code


def _expected_for_member(operation: str) -> int:
    return 409 if operation in RACE_ANSWERS else 404


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_after_a_take_by_someone_else(operation, customer_writes, api, alice, bob, oscar):
    conversation = customer_writes("who is there?").conversation
    assert api(bob).post(f"/api/v1/conversations/{conversation.pk}/take/").status_code == 200
    before = Message.objects.count()
    assert _attempt(api, alice, conversation, operation, bob) == _expected_for_member(operation)
    assert _attempt(api, oscar, conversation, operation, bob) == 404
    conversation.refresh_from_db()
    assert conversation.owner_id == bob.pk
    assert Message.objects.count() == before


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_after_a_transfer_away(operation, customer_writes, api, alice, bob, oscar):
    conversation = customer_writes("still there?").conversation
    alice_api = api(alice)
    assert alice_api.post(f"/api/v1/conversations/{conversation.pk}/take/").status_code == 200
    moved = alice_api.post(
        f"/api/v1/conversations/{conversation.pk}/transfer/", {"agent": oscar.pk}, format="json"
    )
    assert moved.status_code == 200
    # alice gave it away: she is a queue member facing another's chat; bob likewise.
    assert _attempt(api, alice, conversation, operation, bob) == _expected_for_member(operation)
    assert _attempt(api, bob, conversation, operation, bob) == _expected_for_member(operation)
    conversation.refresh_from_db()
    assert conversation.owner_id == oscar.pk


def test_the_new_owner_after_a_transfer_may_act(customer_writes, api, alice, oscar):
    conversation = customer_writes("hello?").conversation
    api(alice).post(f"/api/v1/conversations/{conversation.pk}/take/")
    api(alice).post(
        f"/api/v1/conversations/{conversation.pk}/transfer/", {"agent": oscar.pk}, format="json"
    )
    url = f"/api/v1/conversations/{conversation.pk}/"
    assert api(oscar).get(url).status_code == 200
    reply = api(oscar).post(f"{url}messages/", {"body": "I have it"}, format="json")
    assert reply.status_code == 201
