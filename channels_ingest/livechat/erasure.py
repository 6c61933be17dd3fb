"""What live chat keeps about a visitor, deleted when the contact is erased."""

from __future__ import annotations

from channels_ingest.livechat.models import VisitorSession, VisitorUpload
from chatdesk.inbox.models import Attachment


def erase_visitor(scope) -> list[str]:  # scope: chatdesk.inbox.services.erasure.ErasureScope
    """Delete the erased visitor's sessions (name, e-mail, address, pages, browser) and
    the files they uploaded but never sent; returns those files' stored names."""
    visitor_ids = [address for kind, address in scope.identities if kind == "livechat"]
    if not visitor_ids:
        return []
    sessions = VisitorSession.objects.filter(visitor_id__in=visitor_ids)
    unsent = Attachment.objects.filter(
        pk__in=VisitorUpload.objects.filter(session__in=sessions).values("attachment_id"),
        message__isnull=True,
    )
    names = [
        name
        for file, thumb in unsent.values_list("file", "thumbnail")
        for name in (file, thumb)
        if name
    ]
    unsent.delete()
    sessions.delete()
    return names
