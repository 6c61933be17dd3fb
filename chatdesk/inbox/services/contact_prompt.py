"""The unknown-sender prompt: Add contact / Reply / Ignore (Reply is message_reply)."""

from __future__ import annotations

from django.db import transaction

from chatdesk.accounts.models import User
from chatdesk.inbox import assignment, events
from chatdesk.inbox.errors import InvalidInput, InvalidState
from chatdesk.inbox.models import Conversation, Status
from chatdesk.inbox.services import notes
from chatdesk.inbox.services.common import drain_after_commit, lock_visible, log, now
from contacts import services as contacts_services


@transaction.atomic
def contact_add_from_chat(
    *, conversation_id: int, agent: User, name: str, email: str = "", phone: str = ""
) -> Conversation:
    conversation = lock_visible(conversation_id=conversation_id, agent=agent)
    identity = conversation.identity
    if identity is None:
        raise InvalidState("This chat has no customer to add.")
    if identity.contact_id:
        raise InvalidState("The sender is already a contact.")
    if not name.strip():
        raise InvalidInput("A contact needs a name.")
    contact = contacts_services.contact_create(
        name=name.strip(), email=email, phone=phone, identity=identity
    )
    conversation.contact_prompt_open = False
    conversation.save(update_fields=["contact_prompt_open"])
    log(conversation, "contact_added", actor=agent, contact=contact.pk)
    conversation.identity.refresh_from_db()
    events.conversation_changed(conversation)
    return conversation


@transaction.atomic
def conversation_ignore(*, conversation_id: int, agent: User) -> Conversation:
    """Ignore an unknown sender: archive the chat without replying."""
    conversation = lock_visible(conversation_id=conversation_id, agent=agent)
    if not conversation.contact_prompt_open:
        raise InvalidState("Only a chat from an unknown sender can be ignored.")
    lost = assignment.close_offers(conversation=conversation, winner_id=None)
    conversation.contact_prompt_open = False
    conversation.archived = True
    if conversation.owner_id is None:
        # Whoever ignored it keeps it in their archived list, where it can be undone.
        conversation.owner = agent
    if conversation.is_open:
        conversation.status = Status.DEALT_WITH
        conversation.closed_at = now()
    conversation.save(
        update_fields=["contact_prompt_open", "archived", "owner", "status", "closed_at"]
    )
    log(conversation, "ignored", actor=agent)
    lost |= notes.mentions_end(conversation)
    events.conversation_changed(conversation, lost=lost)
    drain_after_commit(conversation.owner_id)
    return conversation
