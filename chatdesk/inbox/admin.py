from django.contrib import admin

from chatdesk.inbox.models import Conversation, ConversationEvent, Message


class MessageInline(admin.TabularInline):
    model = Message
    fields = ("created_at", "direction", "sender", "body", "delivery_status")
    readonly_fields = fields
    extra = 0
    can_delete = False


class EventInline(admin.TabularInline):
    model = ConversationEvent
    fields = ("at", "actor", "kind", "data")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    """Read-only: conversations change only through the inbox services."""

    list_display = ("id", "channel", "status", "queue", "owner", "archived", "last_message_at")
    list_filter = ("channel", "status", "archived", "queue")
    search_fields = ("identity__address", "identity__contact__name", "messages__body")
    inlines = [MessageInline, EventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Conversation._meta.fields] + ["participants"]

    def has_add_permission(self, request) -> bool:
        return False
