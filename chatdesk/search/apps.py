from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SearchConfig(AppConfig):
    name = "chatdesk.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from chatdesk.inbox import ports
        from chatdesk.search import sqlite_fts
        from chatdesk.search.erasure import forget_messages

        # SQLite rebuilds a table for most schema changes, dropping its triggers: after
        # every migrate the message index's triggers are put back (and the index rebuilt
        # if they had gone), so a later migration of messages cannot leave it stale.
        post_migrate.connect(sqlite_fts.ensure_after_migrate, sender=self)
        # An erased customer's words leave the message index too.
        ports.register_erasure_hook(forget_messages)
