"""Baseline views: the least work an inbound message or a take can cost in this stack."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from bench.baselines.consumers import RELAY_GROUP
from bench.baselines.tables import ROW_TABLE, TAKE_TABLE


def _relay(marker: str) -> HttpResponse:
    """One group_send of a message.created-shaped event to the relay group; 200."""
    event = {
        "type": "message.created",
        "at": datetime.now(UTC).isoformat(),
        "data": {"body": marker},
    }
    async_to_sync(get_channel_layer().group_send)(
        RELAY_GROUP, {"type": "bench.event", "event": event}
    )
    return HttpResponse("OK", content_type="text/plain")


@csrf_exempt
@require_POST
def ingest(request: HttpRequest) -> HttpResponse:
    """Baseline (a): one INSERT, then one group_send to one consumer, like a webhook's shape."""
    marker = json.loads(request.body)["marker"]
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {ROW_TABLE} (marker) VALUES (%s)", [marker])
    return _relay(marker)


@csrf_exempt
@require_POST
def take(request: HttpRequest, row_id: int) -> HttpResponse:
    """The floor of a take: a bare conditional UPDATE; 200 to the one that changed the row."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TAKE_TABLE} SET owner = %s WHERE id = %s AND owner IS NULL",
            [int(request.GET.get("agent", "0")), row_id],
        )
        won = cursor.rowcount == 1
    return HttpResponse("OK" if won else "Taken", status=200 if won else 409)


@csrf_exempt
@require_POST
def fanout(request: HttpRequest) -> HttpResponse:
    """Baseline (c): one group_send to every relay consumer (N of them), nothing else."""
    marker = json.loads(request.body)["marker"]
    return _relay(marker)
