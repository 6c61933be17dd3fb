import logging

from django.apps import AppConfig

logger = logging.getLogger(__name__)


class ChannelsIngestConfig(AppConfig):
    name = "channels_ingest"
    verbose_name = "Channels"

    def ready(self) -> None:
        # Imported here, not above: they import models, loaded only after this module.
        # `services` for its receivers: a saved account clears the webhooks' account cache.
        from channels_ingest import services  # noqa: F401
        from channels_ingest.livechat.delivery import notify_visitor
        from channels_ingest.livechat.erasure import erase_visitor
        from channels_ingest.livechat.positions import waiting_changed
        from chatdesk.inbox import ports

        # inbox's end/block tell the visitor through this port (docs/architecture.md: layers).
        ports.register_visitor_notifier(notify_visitor)
        ports.register_delivery(_enqueue_delivery)
        # Waiting visitors are told their place in line as chats ahead are taken.
        ports.register_waiting_watcher(waiting_changed)
        # WhatsApp templates are filled here for inbox's replies.
        from channels_ingest.whatsapp_templates import render_for_reply

        ports.register_template_renderer(render_for_reply)
        # An erased visitor's sessions and unsent uploads go with their contact.
        ports.register_erasure_hook(erase_visitor)


def _enqueue_delivery(message_id: int, sender_id: int | None) -> None:
    """inbox's outbox port: a pending reply goes to the Celery delivery task, at its slot."""
    # Imported when called: the tasks module imports models, loaded only after this module.
    from channels_ingest.tasks import enqueue_delivery

    try:
        enqueue_delivery(message_id, sender_id)
    except Exception:  # Redis down: the outbox sweep sends it once the broker is back
        logger.exception("Could not enqueue message %s", message_id)
