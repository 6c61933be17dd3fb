"""Reads of contacts that carry rules: search, and what the UI may offer for one."""

from __future__ import annotations

import contextlib

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from contacts.models import ChannelKind, Contact, Identity
from contacts.phones import address_phone, normalize_phone


def contact_list() -> QuerySet[Contact]:
    """Every contact with its identities, in two queries whatever the page size."""
    identities = Identity.objects.order_by("kind", "id")
    return Contact.objects.prefetch_related(Prefetch("identities", queryset=identities))


def contact_search(query: str) -> QuerySet[Contact]:
    """Contacts whose name, e-mail, phone or any identity address matches `query`.

    A query that is a phone number also matches however it was typed
    ("(415) 555-0123" finds +14155550123 and the wa_id 14155550123).
    """
    contacts = contact_list()
    text = query.strip()
    if not text:
        return contacts
    terms = [text]
    with contextlib.suppress(ValidationError):  # not a phone number: plain text only
        terms.append(normalize_phone(text))
    matches = Q()
    address_matches = Q()
    for term in terms:
        matches |= Q(name__icontains=term) | Q(email__icontains=term) | Q(phone__icontains=term)
        address_matches |= Q(address__icontains=term.lstrip("+") or term)
    # Exists rather than a join, so a contact with many identities is listed once.
    by_identity = Identity.objects.filter(address_matches, contact=OuterRef("pk"))
    return contacts.filter(matches | Q(Exists(by_identity)))


def _identity_phone(identities: list[Identity], kinds: tuple[str, ...]) -> str:
    for identity in identities:
        if identity.kind in kinds:
            phone = address_phone(identity.kind, identity.address)
            if phone:
                return phone
    return ""


def contact_actions(contact: Contact) -> dict[str, str]:
    """The actions the UI offers for a contact, each with its target.

    `mailto` -> e-mail address; `tel` -> E.164 number to call; `sms` -> E.164
    number to text (the inbox opens or reuses the SMS conversation). Reads
    `contact.identities.all()`, so a prefetched list costs no query.
    """
    identities = list(contact.identities.all())
    actions: dict[str, str] = {}
    if contact.email:
        actions["mailto"] = contact.email
    tel = contact.phone or _identity_phone(identities, (ChannelKind.SMS, ChannelKind.WHATSAPP))
    if tel:
        actions["tel"] = tel
    # An SMS identity is the number the person actually texts from; prefer it.
    sms = _identity_phone(identities, (ChannelKind.SMS,)) or contact.phone
    if sms:
        actions["sms"] = sms
    return actions
