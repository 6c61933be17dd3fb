from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "chatdesk.inbox"
    label = "inbox"
    verbose_name = "Inbox"
