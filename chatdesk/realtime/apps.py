from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "chatdesk.realtime"
    label = "realtime"
    verbose_name = "Realtime"
