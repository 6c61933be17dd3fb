"""Labels on conversations: the list supervisors keep, and the labels of one chat."""

from __future__ import annotations

from django.db import transaction

from chatdesk.accounts.models import User
from chatdesk.inbox import events
from chatdesk.inbox.errors import InvalidInput
from chatdesk.inbox.models import Conversation, Label
from chatdesk.inbox.services.common import lock_visible, log


@transaction.atomic
def conversation_set_labels(
    *, conversation_id: int, agent: User, label_ids: list[int]
) -> Conversation:
    """Put exactly these labels on a chat the agent sees (404 otherwise); an unknown
    label refuses the whole change (400). Everyone who sees the chat is told
    (`conversation.updated`), so their lists show the new labels at once."""
    conversation = lock_visible(conversation_id=conversation_id, agent=agent)
    wanted = list(dict.fromkeys(label_ids))
    labels = list(Label.objects.filter(pk__in=wanted))
    unknown = sorted(set(wanted) - {label.pk for label in labels})
    if unknown:
        raise InvalidInput(f"No such label: {', '.join(str(pk) for pk in unknown)}.")
    before = set(conversation.labels.values_list("pk", flat=True))
    if before == set(wanted):
        return conversation
    conversation.labels.set(labels)
    log(
        conversation,
        "labels_set",
        actor=agent,
        added=sorted(set(wanted) - before),
        removed=sorted(before - set(wanted)),
    )
    events.conversation_changed(conversation)
    return conversation


def no_labels_yet(sender: type, instance: Conversation, created: bool, **kwargs: object) -> None:
    """post_save of a conversation: a chat just created has no labels, so the serializer
    gives its events `labels: []` without asking the database (a new chat's hot path).
    Only the serializer reads this mark; any change of the chat's labels clears it."""
    if created and not kwargs.get("raw"):
        instance._created_without_labels = True


def labels_changed(sender: type, instance: object, **kwargs: object) -> None:
    """m2m_changed of Conversation.labels: the chat's labels are no longer known empty."""
    if isinstance(instance, Conversation):
        instance.__dict__.pop("_created_without_labels", None)
