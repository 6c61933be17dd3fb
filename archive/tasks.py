from celery import shared_task
from django.conf import settings

from archive.services import archive_purge


@shared_task(name="archive.purge")
def purge() -> int:
    """Daily: archived chats past ARCHIVE_RETENTION_DAYS go, files included (0 keeps all)."""
    return archive_purge(older_than_days=settings.ARCHIVE_RETENTION_DAYS)
