from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "chatdesk.webhooks"
    label = "webhooks"
    verbose_name = "Outbound webhooks"

    def ready(self) -> None:
        # Imported here, not above: they import models, loaded only after this module.
        from chatdesk.inbox import ports
        from chatdesk.webhooks.services import events_record

        # The inbox tells integrators of its changes through this port; it never imports
        # this app (docs/architecture.md: Apps and layers).
        ports.register_integration_listener(events_record)
