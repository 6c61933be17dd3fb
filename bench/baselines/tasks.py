"""Baseline (d): a bare Celery task doing the same HTTP POST to the emulator as a reply.

Loaded into the bench's worker by CELERY_IMPORTS (bench/settings.py), never in production.
"""

from __future__ import annotations

import os

import httpx
from celery import shared_task
from django.conf import settings

# The emulator's token and send shape, as the WhatsApp adapter sends a text reply.
WHATSAPP_TOKEN = "test-whatsapp-token"


_client: dict[int, httpx.Client] = {}


def _kept_client() -> httpx.Client:
    # Kept per worker process, as the delivery task keeps its provider client.
    pid = os.getpid()
    if pid not in _client:
        _client[pid] = httpx.Client(timeout=15)
    return _client[pid]


@shared_task(name="bench.bare_send")
def bare_send(sender: str, to: str, body: str) -> int:
    """One POST on a kept client (as the delivery task sends), no DB."""
    url = f"{settings.WHATSAPP_GRAPH_URL}/{sender}/messages"
    payload = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": {"preview_url": False, "body": body},
    }
    answer = _kept_client().post(
        url, json=payload, headers={"Authorization": f"Bearer {WHATSAPP_TOKEN}"}
    )
    return answer.status_code
