from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo desk of `make run`. It sits above every app so it may seed them all."""

    name = "chatdesk.demo"
    label = "demo"
    verbose_name = "Demo data"
