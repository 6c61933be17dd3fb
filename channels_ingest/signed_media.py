"""Short-lived signed URLs that let a provider fetch an agent's outbound file.

WhatsApp `link`, Messenger `payload.url` and Twilio `MediaUrl` must be public
URLs; the file itself is not. A URL names one attachment and expires after
MEDIA_URL_MAX_AGE seconds (docs/providers.md).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.views.decorators.http import require_GET

from chatdesk.inbox.models import Attachment

SALT = "chatdesk.signed-media"
MEDIA_URL_MAX_AGE = 15 * 60


# sign, unsign and attachment_response are shared with live chat's visitor links
# (livechat/links.py): the same signing, the same hardened file answer.
def sign(value: Any, *, salt: str) -> str:
    """A URL-safe token holding `value` and the time it was made."""
    return signing.TimestampSigner(salt=salt).sign_object(value)


def unsign(token: str, *, salt: str, max_age: int) -> Any | None:
    """What `sign` put in the token; None when it was altered or is older than max_age."""
    try:
        return signing.TimestampSigner(salt=salt).unsign_object(token, max_age=max_age)
    except (signing.BadSignature, ValueError):
        return None


def attachment_response(attachment: Attachment, *, variant: str = "file") -> FileResponse:
    """The file (or its WEBP thumbnail); images inline, anything else as a download.

    Sandboxed and never sniffed: a file is data, never a page of ours.
    """
    thumbnail = variant == "thumbnail"
    field = attachment.thumbnail if thumbnail else attachment.file
    if not field:
        raise Http404("This file has no thumbnail.")
    inline = thumbnail or attachment.content_type.startswith("image/")
    response = FileResponse(
        field.open("rb"),
        content_type="image/webp" if thumbnail else attachment.content_type,
        as_attachment=not inline,
        filename=attachment.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def signed_url(attachment_id: int, base_url: str) -> str:
    token = signing.TimestampSigner(salt=SALT).sign(str(attachment_id))
    return base_url.rstrip("/") + reverse("signed-media", args=[token])


@require_GET
def serve(request: HttpRequest, token: str) -> FileResponse:
    try:
        attachment_id = int(
            signing.TimestampSigner(salt=SALT).unsign(token, max_age=MEDIA_URL_MAX_AGE)
        )
    except (signing.BadSignature, ValueError):
        raise Http404("This link has expired or is not valid.") from None
    attachment = Attachment.objects.filter(pk=attachment_id, message__isnull=False).first()
    if attachment is None:
        raise Http404("No such file.")
    response = FileResponse(
        attachment.file.open("rb"), content_type=attachment.content_type, filename=attachment.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = f"private, max-age={min(300, settings.SESSION_COOKIE_AGE)}"
    return response
