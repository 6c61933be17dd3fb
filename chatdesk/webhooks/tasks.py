"""Celery tasks of the outbound webhooks; the rules live in services."""

from __future__ import annotations

from celery import shared_task

from chatdesk.webhooks import services


@shared_task(name="webhooks.deliver")
def deliver_webhook(delivery_id: int) -> str:
    """Enqueued after commit, for each retry, and by the sweep; safe to run twice."""
    return services.delivery_attempt(delivery_id)


@shared_task(name="webhooks.sweep")
def sweep_webhooks() -> int:
    """Beat sweep: deliveries whose task was lost."""
    return services.deliveries_due_sweep()
