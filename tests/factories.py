"""factory_boy factories for the domain's models."""

from __future__ import annotations

import factory
from django.contrib.auth.hashers import get_hasher, make_password
from django.utils import timezone

from channels_ingest.models import ChannelAccount
from chatdesk.accounts.models import Presence, Role, User
from chatdesk.inbox.models import Channel, Conversation, Message, Status
from chatdesk.inbox.services.receive import Inbound
from contacts.models import Contact, Identity
from queues.models import Queue, QueueMember, Strategy

PASSWORD = "correct-horse-battery"


def inbound_from(
    account: ChannelAccount,
    *,
    address: str = "14155550123",
    name: str = "",
    body: str = "hi",
    pmid: str | None = None,
) -> Inbound:
    """A customer's message as the webhook for `account` hands it to the inbox."""
    return Inbound(
        channel=account.kind,
        channel_account_id=account.pk,
        route_queue_id=account.route_queue_id,
        route_agent_id=account.route_agent_id,
        sender_address=address,
        sender_name=name,
        body=body,
        provider_message_id=pmid,
    )


_hashes: dict[tuple[str, str], str] = {}


def _make_password(raw: str) -> str:
    """make_password, once per password and hasher in a test process.

    PBKDF2's rounds were most of the cost of making a user, and most tests make several.
    Users share the hash (and its salt), still a real one of the hasher in use: a login
    through the form or a real daphne checks it as it would any other.
    """
    key = (raw, get_hasher("default").algorithm)
    if key not in _hashes:
        _hashes[key] = make_password(raw)
    return _hashes[key]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"agent{n}")
    first_name = factory.LazyAttribute(lambda o: o.username.capitalize())
    last_name = "Tester"
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    role = Role.AGENT
    status = Presence.AVAILABLE
    password = factory.django.Password(PASSWORD, transform=_make_password)


class QueueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Queue

    name = factory.Sequence(lambda n: f"Queue {n}")
    strategy = Strategy.RING_ALL
    ring_timeout_seconds = 30
    max_chats_per_agent = 5


class QueueMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QueueMember

    queue = factory.SubFactory(QueueFactory)
    agent = factory.SubFactory(UserFactory)
    priority = 1


class ChannelAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChannelAccount

    kind = ChannelAccount.Kind.WHATSAPP
    name = factory.Sequence(lambda n: f"Account {n}")
    external_id = factory.Sequence(lambda n: f"11335577990{n:04d}")
    credentials = factory.LazyAttribute(
        lambda o: {key: f"test-{key}" for key in ChannelAccount.REQUIRED_CREDENTIALS[o.kind]}
    )


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    name = factory.Sequence(lambda n: f"Customer {n}")
    email = factory.LazyAttribute(lambda o: f"customer{o.name.split()[-1]}@example.com")


class IdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Identity

    kind = "whatsapp"
    address = factory.Sequence(lambda n: f"1415555{n:04d}")
    contact = factory.SubFactory(ContactFactory)


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    channel = Channel.WHATSAPP
    channel_account = factory.SubFactory(ChannelAccountFactory)
    identity = factory.SubFactory(IdentityFactory)
    status = Status.UNASSIGNED
    last_message_at = factory.LazyFunction(timezone.now)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    direction = Message.Direction.IN
    body = "Hello"
