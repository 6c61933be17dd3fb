from django.contrib import admin

from channels_ingest.models import ChannelAccount


@admin.register(ChannelAccount)
class ChannelAccountAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "external_id", "route_queue", "route_agent", "active")
    list_filter = ("kind", "active")
    search_fields = ("name", "external_id")
    # Secrets are never shown back; issue "templates, contacts, admin" adds masked editing.
    exclude = ("credentials",)
