"""Unread counts per agent: customer messages after the agent's read marker."""

from __future__ import annotations

import pytest

from chatdesk.inbox.models import Conversation, Status
from chatdesk.inbox.selectors import with_unread_counts
from chatdesk.inbox.services.reading import conversation_mark_read
from tests.factories import ConversationFactory, MessageFactory

pytestmark = pytest.mark.django_db


def _counts(user) -> dict[int, int]:
    rows = with_unread_counts(Conversation.objects.all(), user)
    return {row.pk: row.unread_count for row in rows}


def test_only_messages_after_the_agents_read_marker_count(alice, bob, queue_a):
    # Several chats with interleaved message ids, so a marker matched against the
    # wrong column (a message id instead of the conversation) would show.
    chats = [ConversationFactory(owner=alice, queue=queue_a, status=Status.TAKEN) for _ in range(3)]
    for _ in range(2):
        for chat in chats:
            MessageFactory(conversation=chat)
    MessageFactory(conversation=chats[0], direction="out", sender=alice)

    assert _counts(alice) == {chat.pk: 2 for chat in chats}
    conversation_mark_read(conversation_id=chats[1].pk, agent=alice)
    assert _counts(alice) == {chats[0].pk: 2, chats[1].pk: 0, chats[2].pk: 2}
    # The marker is alice's: bob, who read nothing, still sees them all unread.
    assert _counts(bob) == {chat.pk: 2 for chat in chats}

    MessageFactory(conversation=chats[1])
    assert _counts(alice)[chats[1].pk] == 1


def test_a_colleagues_lines_in_an_internal_chat_are_unread_until_read(alice, bob):
    chat = ConversationFactory(
        channel="internal", channel_account=None, identity=None, status=Status.TAKEN
    )
    chat.participants.set([alice, bob])
    MessageFactory(conversation=chat, direction="out", sender=alice, channel_account=None)
    MessageFactory(conversation=chat, direction="out", sender=alice, channel_account=None)

    assert _counts(bob) == {chat.pk: 2}
    assert _counts(alice) == {chat.pk: 0}  # her own lines
    conversation_mark_read(conversation_id=chat.pk, agent=bob)
    assert _counts(bob) == {chat.pk: 0}
