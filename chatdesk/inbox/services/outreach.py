"""The contact panel's "Send SMS": open (or reuse) an SMS chat with a known contact."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from chatdesk.accounts.models import User
from chatdesk.inbox import events
from chatdesk.inbox.errors import AlreadyOwned, InvalidInput, NotVisible
from chatdesk.inbox.models import OPEN_STATUSES, Channel, Conversation, Status
from chatdesk.inbox.services.common import already_owned_detail, log, now
from contacts import services as contacts_services
from contacts.models import Contact


@transaction.atomic
def conversation_start_sms(
    *, agent: User, contact_id: int, account_id: int
) -> tuple[Conversation, bool]:
    """The agent's SMS chat with the contact on that line: the open one, else a new one.

    The caller (channels_ingest, which owns the lines) has picked `account_id`.
    """
    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None:
        raise NotVisible("No such contact.")
    if not contact.phone:
        raise InvalidInput("This contact has no phone number to text.")
    line = account_id
    identity = contacts_services.identity_resolve(
        kind="sms", address=contact.phone, display_name=contact.name
    )
    open_chat = (
        Conversation.objects.select_for_update()
        .filter(identity=identity, channel_account_id=line, status__in=OPEN_STATUSES)
        .first()
    )
    if open_chat is not None:
        if open_chat.owner_id not in (None, agent.pk):
            raise AlreadyOwned(already_owned_detail(open_chat))
        return open_chat, False
    try:
        with transaction.atomic():
            chat = Conversation.objects.create(
                channel=Channel.SMS,
                channel_account_id=line,
                identity=identity,
                status=Status.TAKEN,
                owner=agent,
                taken_at=now(),
                last_message_at=now(),
            )
    except IntegrityError:  # the customer wrote in at this very moment
        return conversation_start_sms(agent=agent, contact_id=contact_id, account_id=line)
    log(chat, "opened", actor=agent, by="agent")
    events.conversation_changed(chat)
    return chat, True
