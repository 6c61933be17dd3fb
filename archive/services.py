"""Retention: archived chats older than the retention period are deleted with their files."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from archive.models import RetentionPolicy
from chatdesk.inbox.models import OPEN_STATUSES, Attachment, Conversation

logger = logging.getLogger(__name__)

BATCH = 200


def retention_days() -> int:
    """Days archived chats are kept: the admin's policy, else ARCHIVE_RETENTION_DAYS (0 keeps)."""
    policy = RetentionPolicy.objects.first()
    return policy.keep_days if policy is not None else settings.ARCHIVE_RETENTION_DAYS


def archive_purge(*, older_than_days: int) -> int:
    """Delete closed, archived chats last active more than `older_than_days` ago.

    Returns how many were deleted. Runs in batches so one purge never holds a
    long transaction; files go after each batch commits, so a rolled-back batch
    never loses a file its messages still point to.
    """
    if older_than_days <= 0:
        return 0
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(
                Conversation.objects.filter(archived=True, last_message_at__lt=cutoff)
                .exclude(status__in=OPEN_STATUSES)
                .order_by("pk")
                .values_list("pk", flat=True)[:BATCH]
            )
            if not ids:
                return deleted
            names = _file_names(ids)
            Conversation.objects.filter(pk__in=ids).delete()
            transaction.on_commit(lambda names=names: _delete_files(names))
        deleted += len(ids)


def _file_names(conversation_ids: list[int]) -> list[str]:
    names = []
    for file, thumbnail in Attachment.objects.filter(
        message__conversation_id__in=conversation_ids
    ).values_list("file", "thumbnail"):
        names.extend(name for name in (file, thumbnail) if name)
    return names


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("Could not delete %s; it is no longer referenced", name)
