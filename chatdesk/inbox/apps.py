from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "chatdesk.inbox"
    label = "inbox"
    verbose_name = "Inbox"

    def ready(self) -> None:
        # Imported here, not above: they import models, loaded only after this module.
        from django.db.models.signals import m2m_changed, post_save

        from chatdesk.inbox.models import Conversation
        from chatdesk.inbox.selectors import contact_name
        from chatdesk.inbox.services.labels import labels_changed, no_labels_yet
        from templates_app import contact_lookup

        # Templates render {{ contact.name }} for a conversation they cannot import.
        contact_lookup.register(contact_name)
        # A new chat's events say `labels: []` without a query (chatdesk/inbox/serializers.py).
        post_save.connect(no_labels_yet, sender=Conversation, dispatch_uid="inbox.no_labels_yet")
        m2m_changed.connect(
            labels_changed, sender=Conversation.labels.through, dispatch_uid="inbox.labels_changed"
        )
