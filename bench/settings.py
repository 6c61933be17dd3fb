"""The bench's settings: the product's, plus the in-run baselines (bench/baselines/).

The bench's processes run with DJANGO_SETTINGS_MODULE=bench.settings (bench/stack.py),
so the product's own URL and websocket routing know nothing of the bench.
"""

from chatdesk.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
ASGI_APPLICATION = "bench.asgi:application"
# Baseline (d)'s bare task, loaded by the same worker as the real delivery task.
CELERY_IMPORTS = ["bench.baselines.tasks"]
