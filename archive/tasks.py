from celery import shared_task

from archive.services import archive_purge, retention_days


@shared_task(name="archive.purge")
def purge() -> int:
    """Daily: archived chats past the retention policy go, files included (0 keeps all)."""
    return archive_purge(older_than_days=retention_days())
