"""The archive owns no tables; `Report` anchors the admin's Reports page and its permission."""

from __future__ import annotations

from django.db import models


class Report(models.Model):
    """No table (managed = False): a home for the `archive.view_reports` permission.

    Django permissions belong to a model; this one lets the role groups grant
    "may read the manager reports" like any other right, and gives admin an
    entry to list under the archive.
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_reports", "Can view the manager reports")]
        verbose_name = "report"
        verbose_name_plural = "reports"

    def __str__(self) -> str:
        return "Manager report"


class RetentionPolicy(models.Model):
    """How long archived chats are kept, set in admin (one row; absent: the environment's).

    A row rather than only the ARCHIVE_RETENTION_DAYS variable so that the desk's
    owners can change it without a redeploy; the variable stays the default.
    """

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    keep_days = models.PositiveIntegerField(
        help_text="Archived chats last active longer ago than this are deleted with their "
        "files by the daily purge. 0 keeps everything.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "retention policy"
        verbose_name_plural = "retention policy"

    def __str__(self) -> str:
        return f"Keep archived chats {self.keep_days} days" if self.keep_days else "Keep forever"
