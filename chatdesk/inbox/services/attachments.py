"""Files agents upload to send, checked by content before anything is stored."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q

from chatdesk.accounts.models import User
from chatdesk.inbox import files
from chatdesk.inbox.errors import DomainError, NotVisible
from chatdesk.inbox.models import Attachment
from chatdesk.inbox.selectors import visible_conversations


class TooLarge(DomainError):
    status_code = 413
    code = "too_large"


class Unsupported(DomainError):
    status_code = 415
    code = "unsupported_type"


def _safe_name(name: str, extension: str) -> str:
    """The user's name for the file, minus any path, with the extension its bytes earned."""
    stem = os.path.splitext(os.path.basename(name.replace("\\", "/")))[0].strip() or "file"
    return f"{stem[:120]}.{extension}"


@transaction.atomic
def attachment_upload(*, agent: User, name: str, data: bytes) -> Attachment:
    return attachment_store(name=name, data=data, uploaded_by=agent)


@transaction.atomic
def attachment_store(*, name: str, data: bytes, uploaded_by: User | None = None) -> Attachment:
    """An unsent upload, checked by its bytes: the one gate for agents' and visitors' files.

    Visitors have no user row (`uploaded_by` None); live chat records whose upload it is.
    """
    if len(data) > settings.MAX_UPLOAD_BYTES:
        limit = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
        raise TooLarge(f"The file is larger than the {limit} MB limit.")
    try:
        detected = files.detect(data)
    except files.UnsupportedFile as exc:
        raise Unsupported(
            f"{exc} Allowed: PDF, Word, PowerPoint, Excel, text, RTF and images "
            "(JPG, PNG, GIF, BMP, WEBP, TIFF, HEIF)."
        ) from exc
    filename = _safe_name(name, detected.extension)
    attachment = Attachment(
        uploaded_by=uploaded_by, name=filename, content_type=detected.content_type, size=len(data)
    )
    attachment.file.save(filename, ContentFile(data), save=False)
    if detected.is_image:
        attachment.thumbnail.save(
            f"{filename}.webp", ContentFile(files.thumbnail(data)), save=False
        )
    attachment.save()
    return attachment


def attachment_for_download(*, attachment_id: int, user: User) -> Attachment:
    """An attachment `user` may fetch: their own unsent upload, or one in a visible chat."""
    attachment = (
        Attachment.objects.filter(pk=attachment_id)
        .filter(
            Q(message__isnull=True, uploaded_by=user)
            | Q(message__conversation__in=visible_conversations(user))
        )
        .first()
    )
    if attachment is None:
        raise NotVisible("No such file.")
    return attachment
