"""Signed links to a chat's files for one visitor's session: what the widget's <img> opens.

A link names the attachment, the variant (file or thumbnail) and the session, and
expires after LIVECHAT_LINK_SECONDS. It carries the session's id, never its token:
a link that leaks (a log, a copied URL) opens one file for a short while and no chat.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from channels_ingest import signed_media
from chatdesk.inbox.models import Attachment

SALT = "chatdesk.livechat-link"
VARIANTS = ("file", "thumbnail")


class LinkRefused(Exception):
    """Altered, expired, or not for this file: the view answers 403."""


def link(attachment_id: int, variant: str, session_id: int) -> str:
    token = signed_media.sign({"a": attachment_id, "v": variant, "s": session_id}, salt=SALT)
    return reverse("livechat-file", args=[attachment_id, variant, token])


def attachment_links(attachment: Attachment, session_id: int) -> dict:
    return {
        "url": link(attachment.pk, "file", session_id),
        "thumbnail_url": link(attachment.pk, "thumbnail", session_id)
        if attachment.thumbnail
        else None,
    }


def session_of(token: str, *, attachment_id: int, variant: str) -> int:
    """The session a valid link was made for; LinkRefused otherwise."""
    signed = signed_media.unsign(token, salt=SALT, max_age=settings.LIVECHAT_LINK_SECONDS)
    if (
        not isinstance(signed, dict)
        or signed.get("a") != attachment_id
        or signed.get("v") != variant
        or not isinstance(signed.get("s"), int)
    ):
        raise LinkRefused()
    return signed["s"]
