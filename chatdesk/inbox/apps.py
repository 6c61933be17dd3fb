from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "chatdesk.inbox"
    label = "inbox"
    verbose_name = "Inbox"

    def ready(self) -> None:
        # Imported here, not above: they import models, loaded only after this module.
        from chatdesk.inbox.selectors import contact_name
        from templates_app import contact_lookup

        # Templates render {{ contact.name }} for a conversation they cannot import.
        contact_lookup.register(contact_name)
