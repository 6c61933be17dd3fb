from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "chatdesk.realtime"
    label = "realtime"
    verbose_name = "Realtime"

    def ready(self) -> None:
        # Imported here, not above: they import models, loaded only after this module.
        from chatdesk.inbox import ports
        from chatdesk.realtime.fanout import send_events, send_transient

        ports.register_fan_out(send_events)
        ports.register_transient_fan_out(send_transient)
