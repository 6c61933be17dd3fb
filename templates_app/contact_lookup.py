"""A port for the render endpoint: the contact name of a conversation.

Conversations belong to inbox, a layer above this app, so templates_app
cannot look them up itself. Inbox registers a lookup in its AppConfig.ready
(as channels_ingest registers outbound delivery); until one is registered a
caller passes `contact_name` directly.
"""

from __future__ import annotations

from collections.abc import Callable

from chatdesk.accounts.models import User


class ConversationNotVisible(LookupError):
    """The conversation does not exist or `user` may not see it."""


# (user, conversation id) -> the contact's name ("" when unknown); raises
# ConversationNotVisible when the conversation is not the user's to see.
ContactNameLookup = Callable[[User, int], str]

_lookup: ContactNameLookup | None = None


def register(lookup: ContactNameLookup | None) -> None:
    global _lookup
    _lookup = lookup


def contact_name_for(user: User, conversation_id: int) -> str:
    """The contact name of a conversation, or "" when no lookup is registered."""
    return _lookup(user, conversation_id) if _lookup else ""
