from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "chatdesk.web"
    label = "web"
    verbose_name = "Agent web app"
