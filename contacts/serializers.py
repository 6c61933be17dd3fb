"""JSON shapes of contacts (docs/api.md)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from chatdesk.strict import RejectUnknownFieldsMixin
from contacts import selectors
from contacts.models import Contact, Identity
from contacts.phones import normalize_phone


class IdentitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Identity
        fields = ["id", "kind", "address", "display_name"]
        read_only_fields = fields


class ContactActionsSerializer(serializers.Serializer):
    """Present keys only: what the contact panel may offer."""

    mailto = serializers.EmailField(required=False, help_text="Address for a mailto: link.")
    tel = serializers.CharField(required=False, help_text="E.164 number for a tel: link.")
    sms = serializers.CharField(required=False, help_text="E.164 number to open an SMS chat to.")


class ContactSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    identities = IdentitySerializer(many=True, read_only=True)
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Contact
        fields = ["id", "name", "email", "phone", "identities", "actions"]
        extra_kwargs = {"phone": {"max_length": 40}}

    def validate_phone(self, value: str) -> str:
        # Field error with the helper's message; the service normalises again for other callers.
        return normalize_phone(value) if value.strip() else ""

    @extend_schema_field(ContactActionsSerializer)
    def get_actions(self, contact: Contact) -> dict[str, str]:
        return selectors.contact_actions(contact)


class ContactMergeSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    other = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.all(),
        help_text="The contact folded into this one and then deleted.",
    )
