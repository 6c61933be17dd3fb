from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "chatdesk.webhooks"
    label = "webhooks"
    verbose_name = "Outbound webhooks"

    def ready(self) -> None:
        # Imported here, not above: they import models, loaded only after this module.
        from django.db.models.signals import post_delete, post_save

        from chatdesk.inbox import ports
        from chatdesk.webhooks.models import WebhookSubscription
        from chatdesk.webhooks.services import event_record, subscriptions_changed

        # The inbox tells integrators of its changes through this port; it never imports
        # this app (docs/architecture.md: Apps and layers).
        ports.register_integration_listener(event_record)
        post_save.connect(subscriptions_changed, sender=WebhookSubscription)
        post_delete.connect(subscriptions_changed, sender=WebhookSubscription)
