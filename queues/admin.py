from django.contrib import admin

from queues.models import Offer, Queue, QueueMember


class QueueMemberInline(admin.TabularInline):
    model = QueueMember
    extra = 1
    autocomplete_fields = ["agent"]
    ordering = ["priority"]
    # Set by routing when the member is given a chat; round robin reads it.
    readonly_fields = ["last_assigned_at"]


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = ("name", "strategy", "ring_timeout_seconds", "max_chats_per_agent")
    list_filter = ("strategy",)
    search_fields = ("name",)
    inlines = [QueueMemberInline]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ("conversation", "agent", "queue", "round", "offered_at", "outcome")
    list_filter = ("outcome", "queue")
    readonly_fields = [f.name for f in Offer._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
