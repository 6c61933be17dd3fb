"""The in-run baselines, served by the same daphne, routed by the bench's own settings.

(a) `ingest`: a bare view that inserts one row and `group_send`s to one relay consumer;
(b) `hold`: a bare consumer that only holds a socket; (c) `fanout`: a bare view doing one
`group_send` to N relay consumers; (d) `tasks.bare_send`: a bare Celery task doing the
same HTTP POST to the emulator as a reply (loaded into the bench's worker by
CELERY_IMPORTS in bench/settings.py); and `take`: a bare conditional UPDATE, the floor of
the take race. They use raw tables (bench/baselines/tables.py) instead of a Django app,
so production has no model, migration or route for them.
"""
