"""Baseline (d): a bare Celery task doing the same HTTP POST to the emulator as a reply.

Loaded into the bench's worker with `--include` (bench/stack.py), never in production.
"""

from __future__ import annotations

import httpx
from celery import shared_task
from django.conf import settings

# The emulator's token and send shape, as the WhatsApp adapter sends a text reply.
WHATSAPP_TOKEN = "test-whatsapp-token"


@shared_task(name="bench.bare_send")
def bare_send(sender: str, to: str, body: str) -> int:
    """One POST, one new client (as the delivery task opens one per message), no DB."""
    url = f"{settings.WHATSAPP_GRAPH_URL}/{sender}/messages"
    payload = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": {"preview_url": False, "body": body},
    }
    with httpx.Client(timeout=15) as client:
        answer = client.post(
            url, json=payload, headers={"Authorization": f"Bearer {WHATSAPP_TOKEN}"}
        )
    return answer.status_code
