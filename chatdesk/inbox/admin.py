from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from chatdesk.accounts.models import Role
from chatdesk.inbox.errors import DomainError
from chatdesk.inbox.models import Conversation, ConversationEvent, Label, Message, VisitorBlock
from chatdesk.inbox.services import erasure
from contacts.admin import ContactAdmin
from contacts.models import Contact


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


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    """The labels agents put on chats; supervisors keep the list."""

    list_display = ("name", "color", "chats")
    search_fields = ("name",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Label]:
        return super().get_queryset(request).annotate(chat_total=Count("conversations"))

    @admin.display(description="chats", ordering="chat_total")
    def chats(self, label: Label) -> int:
        return label.chat_total


class ErasableContactAdmin(ContactAdmin):
    """Contacts' admin with "Erase completely", for system owners.

    Registered from the inbox because erasing reaches conversations, messages and
    files, which the contacts app (below the inbox) cannot touch.
    """

    actions = [*ContactAdmin.actions, "erase_contacts"]

    def has_erase_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.effective_role == Role.SYSTEM_OWNER

    @admin.action(description="Erase selected contacts completely", permissions=["erase"])
    def erase_contacts(
        self, request: HttpRequest, queryset: QuerySet[Contact]
    ) -> HttpResponse | None:
        if request.POST.get("confirm") != "yes":
            contacts = queryset.annotate(
                conversation_total=Count("identities__conversations", distinct=True)
            ).prefetch_related("identities")
            context = {
                **self.admin_site.each_context(request),
                "title": "Erase contacts completely",
                "opts": self.model._meta,
                "contacts": contacts,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(
                request, "admin/contacts/contact/erase_confirmation.html", context
            )
        erased, refused = 0, []
        for contact_id in queryset.values_list("pk", flat=True):
            try:
                erasure.contact_erase(contact_id=contact_id, by=request.user)
                erased += 1
            except DomainError as exc:
                refused.append(exc.detail)
        if erased:
            self.message_user(request, f"Erased {erased} contact(s); an audit record was kept.")
        for detail in refused:
            self.message_user(request, detail, messages.ERROR)
        return None


admin.site.unregister(Contact)
admin.site.register(Contact, ErasableContactAdmin)
