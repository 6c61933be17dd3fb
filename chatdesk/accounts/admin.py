from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from chatdesk.accounts.models import AgentSettings, User


@admin.register(User)
class ChatdeskUserAdmin(UserAdmin):
    list_display = ("username", "get_full_name", "extension", "role", "status", "is_active")
    list_filter = ("role", "status", "is_active")
    search_fields = ("username", "first_name", "last_name", "email", "extension")
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Chat desk", {"fields": ("role", "extension", "status", "max_chats")}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        ("Chat desk", {"fields": ("role", "extension", "first_name", "last_name", "email")}),
    )


@admin.register(AgentSettings)
class AgentSettingsAdmin(admin.ModelAdmin):
    list_display = ("user", "show_toaster", "web_notifications", "play_sound", "sound")
