"""The in-run baselines, served by the same daphne only when CHATDESK_BENCH_BASELINES=1.

(a) `ingest`: a bare view that inserts one row and `group_send`s to one relay consumer;
(b) `hold`: a bare consumer that only holds a socket; and `take`: a bare conditional
UPDATE, the floor of the take race. They use raw tables (bench/baselines/tables.py)
instead of a Django app, so production has no model, migration or route for them.
"""
