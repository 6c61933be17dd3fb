from django.contrib import admin

from chatdesk.inbox.models import Conversation, ConversationEvent, Message, VisitorBlock


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


@admin.register(VisitorBlock)
class VisitorBlockAdmin(admin.ModelAdmin):
    """Live-chat blocks: shorten or lift one (delete) without touching code.

    Blocks are made from a chat ("Block"), where the visitor and their address are
    known, so they are not added here; who and what was blocked stays as recorded.
    """

    list_display = ("__str__", "ip_address", "reason", "blocked_by", "created_at", "expires_at")
    list_filter = ("created_at", "expires_at")
    search_fields = ("identity__address", "identity__display_name", "ip_address", "reason")
    list_select_related = ("identity", "blocked_by")
    fields = ("identity", "ip_address", "reason", "blocked_by", "created_at", "expires_at")
    readonly_fields = ("identity", "ip_address", "reason", "blocked_by", "created_at")

    def has_add_permission(self, request) -> bool:
        return False
