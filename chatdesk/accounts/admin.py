from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from chatdesk.accounts import roles
from chatdesk.accounts.models import AgentSettings, User


@admin.register(User)
class ChatdeskUserAdmin(UserAdmin):
    list_display = ("username", "get_full_name", "extension", "role", "status", "is_active")
    list_filter = ("role", "status", "is_active")
    search_fields = ("username", "first_name", "last_name", "email", "extension")
    # Staff status follows the role (User.save); editing it by hand would be overwritten.
    readonly_fields = ("is_staff",)
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Chat desk", {"fields": ("role", "extension", "status", "max_chats")}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (
            "Chat desk",
            {"fields": ("role", "extension", "max_chats", "first_name", "last_name", "email")},
        ),
    )

    def save_related(self, request, form, formsets, change) -> None:
        # The form's "groups" field is saved after the user and would drop the
        # role group User.save just set, so the role wins once more at the end.
        super().save_related(request, form, formsets, change)
        roles.user_role_sync(form.instance)


@admin.register(AgentSettings)
class AgentSettingsAdmin(admin.ModelAdmin):
    list_display = ("user", "show_toaster", "web_notifications", "play_sound", "sound")
