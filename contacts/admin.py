"""Contacts in Django admin: search, filters, identities inline, and merge."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from contacts import services
from contacts.models import Contact, ErasureRecord, Identity


class IdentityInline(admin.TabularInline):
    """The sender addresses of a contact. Address and kind are what providers
    sent, so they are shown, not edited; unlinking is done from the identity."""

    model = Identity
    extra = 0
    fields = ("kind", "address", "display_name", "created_at")
    readonly_fields = ("kind", "address", "created_at")
    show_change_link = True
    # Conversations hang off identities: deleting one here would be refused or lose history.
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Contact | None = None) -> bool:
        return False  # identities come from inbound messages, never typed in


class HasValueFilter(admin.SimpleListFilter):
    """Yes/no on whether a text field is filled."""

    field = ""

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.exclude(**{self.field: ""})
        if self.value() == "no":
            return queryset.filter(**{self.field: ""})
        return queryset


class HasEmailFilter(HasValueFilter):
    title = "has e-mail"
    parameter_name = "has_email"
    field = "email"


class HasPhoneFilter(HasValueFilter):
    title = "has phone"
    parameter_name = "has_phone"
    field = "phone"


class ContactForm(forms.ModelForm):
    phone = forms.CharField(
        required=False, max_length=40, help_text="Any common format; stored as E.164."
    )

    class Meta:
        model = Contact
        fields = ["name", "email", "phone"]

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"]
        return services.normalize_phone(value) if value.strip() else ""


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    form = ContactForm
    list_display = ("name", "email", "phone", "identity_count", "created_at")
    list_filter = ("identities__kind", HasEmailFilter, HasPhoneFilter, "created_at")
    search_fields = ("name", "email", "phone", "identities__address")
    readonly_fields = ("created_at", "updated_at")
    inlines = [IdentityInline]
    actions = ["merge_contacts"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Contact]:
        return super().get_queryset(request).annotate(identity_total=Count("identities"))

    @admin.display(description="identities", ordering="identity_total")
    def identity_count(self, contact: Contact) -> int:
        return contact.identity_total

    def save_model(
        self, request: HttpRequest, obj: Contact, form: forms.Form, change: bool
    ) -> None:
        fields = {name: form.cleaned_data[name] for name in ("name", "email", "phone")}
        if change:
            services.contact_update(contact=obj, **fields)
        else:
            obj.pk = services.contact_create(**fields).pk

    def delete_model(self, request: HttpRequest, obj: Contact) -> None:
        services.contact_delete(contact=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Contact]) -> None:
        for contact in queryset:
            services.contact_delete(contact=contact)

    @admin.action(description="Merge two selected contacts", permissions=["change", "delete"])
    def merge_contacts(
        self, request: HttpRequest, queryset: QuerySet[Contact]
    ) -> HttpResponse | None:
        contacts = list(queryset.order_by("created_at", "id"))
        if len(contacts) != 2:
            self.message_user(request, "Select exactly two contacts to merge.", messages.WARNING)
            return None
        keep_id = request.POST.get("keep")
        if request.POST.get("confirm") != "yes" or keep_id not in {str(c.pk) for c in contacts}:
            return self._merge_confirmation(request, contacts)
        keep, merge = sorted(contacts, key=lambda c: str(c.pk) != keep_id)
        try:
            kept = services.contact_merge(keep=keep, merge=merge)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return None
        self.message_user(request, f"Merged “{merge}” into “{kept}”; its identities moved with it.")
        return None

    def _merge_confirmation(self, request: HttpRequest, contacts: list[Contact]) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge two contacts",
            "opts": self.model._meta,
            "contacts": contacts,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/contacts/contact/merge_confirmation.html", context)


class LinkedFilter(admin.SimpleListFilter):
    title = "contact"
    parameter_name = "linked"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "Known contact"), ("no", "Unknown sender")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in {"yes", "no"}:
            return queryset.filter(contact__isnull=self.value() == "no")
        return queryset


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    list_display = ("kind", "address", "display_name", "contact", "created_at")
    list_filter = ("kind", LinkedFilter, "created_at")
    list_select_related = ("contact",)
    search_fields = ("address", "display_name", "contact__name")
    autocomplete_fields = ["contact"]
    readonly_fields = ("created_at",)

    def get_readonly_fields(self, request: HttpRequest, obj: Identity | None = None) -> tuple:
        # Kind and address are the provider's key for replies; changing them would misroute.
        return (*self.readonly_fields, "kind", "address") if obj else self.readonly_fields


@admin.register(ErasureRecord)
class ErasureRecordAdmin(admin.ModelAdmin):
    """The audit trail of erasures: read-only, never edited or removed here."""

    list_display = ("erased_at", "contact_id", "erased_by_username", "conversations", "messages")
    list_filter = ("erased_at",)
    search_fields = ("=contact_id", "erased_by_username")
    readonly_fields = [f.name for f in ErasureRecord._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
