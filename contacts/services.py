"""State changes of contacts and the channel identities they write from."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction

from contacts.models import ChannelKind, Contact, Identity
from contacts.phones import (
    address_phone,
    normalize_phone,
    normalize_sms_address,
    phone_addresses,
)

__all__ = [
    "contact_create",
    "contact_delete",
    "contact_merge",
    "contact_update",
    "identity_name_if_missing",
    "identity_resolve",
    "normalize_address",
    "normalize_phone",
]


def normalize_address(kind: str, address: str) -> str:
    """An inbound sender's address as identities store it (raises on an unknown kind)."""
    if kind not in ChannelKind.values:
        raise ValidationError({"kind": f"Unknown channel kind “{kind}”."})
    if kind == ChannelKind.SMS:
        return normalize_sms_address(address)
    # wa_id, PSID and visitor ids are opaque: replies must go to them verbatim.
    return address.strip()


def _contact_for_phone(phone: str) -> Contact | None:
    """The contact one number belongs to: by its phone, else by a linked sibling identity."""
    by_phone = Contact.objects.filter(phone=phone).order_by("id").first()
    if by_phone is not None:
        return by_phone
    siblings = models.Q()
    for kind, address in phone_addresses(phone).items():
        siblings |= models.Q(kind=kind, address=address)
    sibling = (
        Identity.objects.filter(siblings, contact__isnull=False)
        .select_related("contact")
        .order_by("id")
        .first()
    )
    return sibling.contact if sibling else None


# savepoint=False: on the hot path of every inbound message, and a failure here
# fails the caller's whole transaction anyway (the lost race below has its own).
@transaction.atomic(savepoint=False)
def identity_resolve(*, kind: str, address: str, display_name: str = "") -> Identity:
    """The identity of an inbound sender, created on first contact.

    Safe against two webhooks for a new sender at once: the unique
    (kind, address) constraint decides, the loser re-reads the winner's row.
    """
    address = normalize_address(kind, address)
    identity = Identity.objects.filter(kind=kind, address=address).first()
    if identity is None:
        phone = address_phone(kind, address)
        contact = _contact_for_phone(phone) if phone else None
        try:
            # A savepoint, so a lost race leaves the caller's transaction usable.
            with transaction.atomic():
                return Identity.objects.create(
                    kind=kind, address=address, display_name=_name(display_name), contact=contact
                )
        except IntegrityError:
            identity = Identity.objects.get(kind=kind, address=address)
    identity_name_if_missing(identity, display_name)
    return identity


def _name(display_name: str) -> str:
    return display_name.strip()[:200]


def identity_name_if_missing(identity: Identity, display_name: str) -> None:
    """A sender's profile name fills an identity that has none (never overwrites one)."""
    display_name = _name(display_name)
    if display_name and not identity.display_name:
        # Conditional, so a concurrent first name is never overwritten.
        Identity.objects.filter(pk=identity.pk, display_name="").update(display_name=display_name)
        identity.refresh_from_db(fields=["display_name"])


def _clean_fields(*, name: str | None, email: str | None, phone: str | None) -> dict[str, str]:
    """The given fields, trimmed and validated; errors are keyed by field."""
    cleaned: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    if name is not None:
        cleaned["name"] = name.strip()
        if not cleaned["name"]:
            errors["name"] = ["A contact needs a name."]
    if email is not None:
        cleaned["email"] = email.strip()
        try:
            if cleaned["email"]:
                validate_email(cleaned["email"])
        except ValidationError as exc:
            errors["email"] = exc.messages
    if phone is not None:
        try:
            cleaned["phone"] = normalize_phone(phone) if phone.strip() else ""
        except ValidationError as exc:
            errors["phone"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def _attach_identities_of_phone(contact: Contact) -> None:
    """Unknown senders on SMS/WhatsApp from this contact's number become theirs."""
    if not contact.phone:
        return
    same_number = models.Q()
    for kind, address in phone_addresses(contact.phone).items():
        same_number |= models.Q(kind=kind, address=address)
    Identity.objects.filter(same_number, contact__isnull=True).update(contact=contact)


def _phone_of_identity(identity: Identity) -> str:
    phone = address_phone(identity.kind, identity.address)
    if phone is None:
        return ""
    try:
        return normalize_phone(phone)
    except ValidationError:
        return ""  # possible but not valid: a sender we reply to, not a number to file


@transaction.atomic
def contact_create(
    *, name: str, email: str = "", phone: str = "", identity: Identity | None = None
) -> Contact:
    """A new contact; with `identity` (the Add contact prompt) it takes that sender."""
    if identity is not None:
        identity = Identity.objects.select_for_update().get(pk=identity.pk)
        if identity.contact_id is not None:
            raise ValidationError(
                {"identity": f"{identity} already belongs to contact “{identity.contact}”."}
            )
        name = name.strip() or identity.display_name
        phone = phone.strip() or _phone_of_identity(identity)
    fields = _clean_fields(name=name, email=email, phone=phone)
    contact = Contact.objects.create(**fields)
    if identity is not None:
        identity.contact = contact
        identity.save(update_fields=["contact"])
    _attach_identities_of_phone(contact)
    return contact


@transaction.atomic
def contact_update(
    *,
    contact: Contact,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> Contact:
    """Change the given fields; None leaves a field as it is."""
    fields = _clean_fields(name=name, email=email, phone=phone)
    if not fields:
        return contact
    for field, value in fields.items():
        setattr(contact, field, value)
    contact.save(update_fields=[*fields, "updated_at"])
    if "phone" in fields:
        _attach_identities_of_phone(contact)
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact) -> None:
    """Delete a contact; its identities (and their conversations) stay, as unknown senders."""
    Identity.objects.filter(contact=contact).update(contact=None)
    contact.delete()


def _move_related_rows(*, source: Contact, target: Contact) -> None:
    """Point every row that refers to `source` at `target`.

    Found through the model's relations rather than named, so history that
    other apps attach to contacts (they sit above us) survives a merge too.
    """
    for relation in Contact._meta.related_objects:
        if relation.one_to_many:
            relation.related_model._base_manager.filter(**{relation.field.name: source}).update(
                **{relation.field.name: target}
            )
        elif relation.many_to_many:
            accessor = relation.get_accessor_name()
            getattr(target, accessor).add(*getattr(source, accessor).all())
        elif relation.one_to_one:
            manager = relation.related_model._base_manager
            if not manager.filter(**{relation.field.name: target}).exists():
                manager.filter(**{relation.field.name: source}).update(
                    **{relation.field.name: target}
                )


@transaction.atomic
def contact_merge(*, keep: Contact, merge: Contact) -> Contact:
    """Fold `merge` into `keep`: identities and history move, empty fields fill, `merge` goes."""
    if keep.pk == merge.pk:
        raise ValidationError("A contact cannot be merged with itself.", code="same_contact")
    # Lock both in id order, so two opposite merges cannot deadlock.
    locked = {
        c.pk: c
        for c in Contact.objects.select_for_update()
        .filter(pk__in=[keep.pk, merge.pk])
        .order_by("pk")
    }
    if len(locked) != 2:
        raise ValidationError("One of the contacts no longer exists.", code="missing_contact")
    keep, merge = locked[keep.pk], locked[merge.pk]
    _move_related_rows(source=merge, target=keep)
    filled = [field for field in ("name", "email", "phone") if not getattr(keep, field)]
    for field in filled:
        setattr(keep, field, getattr(merge, field))
    keep.save(update_fields=[*filled, "updated_at"])
    merge.delete()
    _attach_identities_of_phone(keep)
    return keep
