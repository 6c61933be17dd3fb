from django.contrib import admin

from contacts.models import Contact, Identity


class IdentityInline(admin.TabularInline):
    model = Identity
    extra = 0


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "phone", "created_at")
    search_fields = ("name", "email", "phone", "identities__address")
    inlines = [IdentityInline]


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    list_display = ("kind", "address", "display_name", "contact")
    list_filter = ("kind",)
    search_fields = ("address", "display_name", "contact__name")
    autocomplete_fields = ["contact"]
