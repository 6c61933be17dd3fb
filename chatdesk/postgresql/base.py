"""Django's PostgreSQL backend, its connection pool checking a connection without a
round trip to the server.

Why: Django's pool, with CONN_HEALTH_CHECKS, runs psycopg's `check_connection` each time
it hands out a connection: an empty query, one more round trip in every request and in
each database hop of a websocket handshake (a visible share of the handshake's CPU,
docs/performance.md). A backend that went away (terminated, server restarted) has told
us so before it closed its socket: the error it sends, or the socket's end, makes the
socket readable. So an idle connection whose socket has nothing to read is handed out
as is; one with something to read gets psycopg's full check, which reads it and fails if
it is dead.
What neither check sees quickly is a peer gone silent (a cut network, no FIN): psycopg's
own round trip would wait on it too.
"""

from __future__ import annotations

import select

import psycopg
from django.core.exceptions import ImproperlyConfigured
from django.db.backends.base.base import NO_DB_ALIAS
from django.db.backends.postgresql import base
from psycopg import pq
from psycopg_pool import ConnectionPool


def check_without_round_trip(conn: psycopg.Connection) -> None:
    """psycopg_pool's `check` callback: raise if `conn` must not be handed out."""
    if conn.closed or conn.broken or conn.pgconn.status != pq.ConnStatus.OK:
        raise psycopg.OperationalError("the pooled connection is closed")
    readable, _, _ = select.select([conn.fileno()], [], [], 0)
    if readable:
        # An idle connection is sent nothing unless asked, except a goodbye (or a
        # notice): find out which with the full check.
        ConnectionPool.check_connection(conn)


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self) -> ConnectionPool | None:
        options = self.settings_dict["OPTIONS"].get("pool")
        if self.alias == NO_DB_ALIAS or not options:
            return None
        if self.alias not in self._connection_pools:
            if self.settings_dict.get("CONN_MAX_AGE", 0) != 0:
                raise ImproperlyConfigured("Pooling doesn't support persistent connections.")
            params = self.get_connection_params()
            params["autocommit"] = True  # as Django's own pool: it sets the mode later
            pool = ConnectionPool(
                kwargs=params,
                open=False,
                configure=self._configure_connection,
                check=check_without_round_trip,
                **({} if options is True else options),
            )
            # The first of several threads starting at once wins, as in Django.
            self._connection_pools.setdefault(self.alias, pool)
        return self._connection_pools[self.alias]
