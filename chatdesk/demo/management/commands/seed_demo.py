"""`manage.py seed_demo`: the demo desk of `make run`. Running it twice changes nothing."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from channels_ingest.models import ChannelAccount
from chatdesk.accounts.models import Presence, Role, User
from chatdesk.inbox.models import Channel, Conversation, DeliveryStatus, Message, Status
from contacts.models import Contact, Identity
from queues.models import Offer, Queue, QueueMember, Strategy
from templates_app import services as template_services
from templates_app.models import QuickTemplate

DEMO_PASSWORD = "chatdesk-demo"

PEOPLE = [
    # username, first, last, role, extension, staff, superuser
    ("owner", "Olivia", "Owner", Role.SYSTEM_OWNER, None, True, True),
    ("manager", "Maria", "Manager", Role.MANAGER, None, True, False),
    ("alice", "Alice", "Agent", Role.AGENT, "101", False, False),
    ("bob", "Bob", "Agent", Role.AGENT, "102", False, False),
    ("carol", "Carol", "Agent", Role.AGENT, "103", False, False),
]


class Command(BaseCommand):
    help = "Create the demo users, queues, channel accounts and conversations (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        users = {row[0]: self._user(*row) for row in PEOPLE}
        sales = self._queue("Sales", Strategy.RING_ALL, [users["alice"], users["bob"]])
        support = self._queue(
            "Support",
            Strategy.HUNT_BY_THREES_PRIORITIZED,
            [users["alice"], users["bob"], users["carol"]],
        )
        accounts = {
            "whatsapp": self._account(
                ChannelAccount.Kind.WHATSAPP,
                "WhatsApp (demo)",
                "113355779900246",
                {
                    "access_token": "test-whatsapp-token",
                    "app_secret": "test-app-secret",
                    "verify_token": "demo-verify",
                },
                queue=sales,
            ),
            "messenger": self._account(
                ChannelAccount.Kind.MESSENGER,
                "Facebook page (demo)",
                "104857600123456",
                {
                    "page_access_token": "test-page-token",
                    "app_secret": "test-app-secret",
                    "verify_token": "demo-verify",
                },
                queue=support,
            ),
            "sms": self._account(
                ChannelAccount.Kind.SMS,
                "SMS line (demo)",
                "+15005550006",
                {
                    "account_sid": "AC3f2b8c9d0e1a4b5c6d7e8f9a0b1c2d3e",
                    "auth_token": "test-auth-token",
                },
                agent=users["carol"],
            ),
            "livechat": self._account(
                ChannelAccount.Kind.LIVECHAT,
                "Website chat (demo)",
                "demo-site",
                {},
                queue=support,
                origins=["http://127.0.0.1:8000", "http://localhost:8000"],
            ),
        }
        self._conversations(users, sales, support, accounts)
        self._templates(users["manager"], support)
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))

    def _user(self, username, first, last, role, extension, staff, superuser) -> User:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "role": role,
                "extension": extension,
                "email": f"{username}@chatdesk.example",
                "is_staff": staff,
                "is_superuser": superuser,
                "status": Presence.AVAILABLE,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return user

    def _queue(self, name: str, strategy: str, members: list[User]) -> Queue:
        queue, _ = Queue.objects.get_or_create(
            name=name, defaults={"strategy": strategy, "ring_timeout_seconds": 30}
        )
        for priority, agent in enumerate(members, start=1):
            QueueMember.objects.get_or_create(
                queue=queue, agent=agent, defaults={"priority": priority}
            )
        return queue

    def _account(
        self, kind, name, external_id, credentials, *, queue=None, agent=None, origins=None
    ) -> ChannelAccount:
        account, _ = ChannelAccount.objects.get_or_create(
            kind=kind,
            external_id=external_id,
            defaults={
                "name": name,
                "credentials": credentials,
                "route_queue": queue,
                "route_agent": agent,
                "allowed_origins": origins or [],
            },
        )
        return account

    def _identity(self, kind: str, address: str, name: str, *, known: bool) -> Identity:
        identity, created = Identity.objects.get_or_create(
            kind=kind, address=address, defaults={"display_name": name}
        )
        if created and known:
            identity.contact = Contact.objects.create(
                name=name,
                phone=address if address.startswith("+") else "",
                email=f"{name.split()[0].lower()}@example.com",
            )
            identity.save(update_fields=["contact"])
        return identity

    def _conversations(self, users, sales, support, accounts) -> None:
        now = timezone.now()
        specs = [
            # channel, address, name, known, route, owner, lines (direction, body, minutes ago)
            (
                Channel.WHATSAPP,
                "14155550123",
                "Alice Example",
                True,
                sales,
                None,
                [("in", "Hi! Is the blue jacket still available in size M? 🙂", 12)],
            ),
            (
                Channel.MESSENGER,
                "6543210987654321",
                "Jonas Müller",
                True,
                support,
                users["alice"],
                [
                    ("in", "My order #4821 hasn't arrived yet.", 40),
                    ("out", "Sorry about that, Jonas. Let me check with the courier.", 38),
                    ("in", "Thanks, I'll wait.", 35),
                ],
            ),
            (
                Channel.SMS,
                "+14155550199",
                "",
                False,
                users["carol"],
                None,
                [("in", "Can I move my appointment to Friday?", 7)],
            ),
            (
                Channel.LIVECHAT,
                "visitor-demo-1",
                "Website visitor",
                False,
                support,
                None,
                [("in", "Hello, do you ship to Canada?", 3)],
            ),
        ]
        for channel, address, name, known, route, owner, lines in specs:
            identity = self._identity(channel, address, name or address, known=known)
            if Conversation.objects.filter(identity=identity).exists():
                continue
            account = accounts[channel]
            to_queue = route if isinstance(route, Queue) else None
            conversation = Conversation.objects.create(
                channel=channel,
                channel_account=account,
                identity=identity,
                queue=to_queue,
                direct_agent=None if to_queue else route,
                owner=owner,
                status=Status.TAKEN if owner else Status.UNASSIGNED,
                taken_at=now - timedelta(minutes=39) if owner else None,
                routing_round=1 if to_queue else 0,
                contact_prompt_open=not known,
                last_message_at=now - timedelta(minutes=lines[-1][2]),
            )
            for index, (direction, body, minutes) in enumerate(lines):
                message = Message.objects.create(
                    conversation=conversation,
                    direction=direction,
                    body=body,
                    sender=owner if direction == "out" else None,
                    channel_account=account,
                    provider_message_id=f"demo-{channel}-{index}",
                    delivery_status=(
                        DeliveryStatus.READ if direction == "out" else DeliveryStatus.DELIVERED
                    ),
                )
                Message.objects.filter(pk=message.pk).update(
                    created_at=now - timedelta(minutes=minutes)
                )
            if to_queue and not owner:
                for member in to_queue.memberships.order_by("priority")[:3]:
                    Offer.objects.create(
                        conversation=conversation,
                        queue=to_queue,
                        agent=member.agent,
                        deadline=now + timedelta(seconds=to_queue.ring_timeout_seconds),
                    )
        self._internal_chat(users["alice"], users["bob"], now)

    TEMPLATES = [
        # title, category, language, body, Support-only
        (
            "Greeting",
            "Greetings",
            "en",
            "Hi {{ contact.first_name }}, this is {{ agent.first_name }}. How can I help?",
            False,
        ),
        (
            "Begrüßung",
            "Greetings",
            "de",
            "Hallo {{ contact.first_name }}, hier ist {{ agent.first_name }}. Wie kann ich helfen?",
            False,
        ),
        (
            "Order delayed",
            "Orders",
            "en",
            "Sorry for the wait, {{ contact.first_name }}. Your order is on its way; "
            "I'll send the tracking link as soon as I have it.",
            True,
        ),
        (
            "Shipping abroad",
            "Orders",
            "en",
            "We ship to the EU, the UK, Canada and the US; delivery takes 3 to 7 working days.",
            False,
        ),
        (
            "Closing",
            "Greetings",
            "en",
            "Thanks for writing to us, {{ contact.first_name }}. Have a great day!",
            False,
        ),
    ]

    # What agents type after "/" in a reply to find a template first.
    SHORTCUTS = {
        ("Greeting", "en"): "hi",
        ("Begrüßung", "de"): "hallo",
        ("Order delayed", "en"): "delay",
        ("Shipping abroad", "en"): "ship",
        ("Closing", "en"): "bye",
    }

    def _templates(self, manager: User, support: Queue) -> None:
        for title, category, language, body, support_only in self.TEMPLATES:
            if QuickTemplate.objects.filter(title=title, language=language).exists():
                continue
            template_services.template_create(
                created_by=manager,
                title=title,
                body=body,
                category=category,
                language=language,
                queue=support if support_only else None,
                shortcut=self.SHORTCUTS.get((title, language)),
            )

    def _internal_chat(self, alice: User, bob: User, now) -> None:
        if (
            Conversation.objects.filter(channel=Channel.INTERNAL, participants=alice)
            .filter(participants=bob)
            .exists()
        ):
            return
        chat = Conversation.objects.create(
            channel=Channel.INTERNAL, status=Status.TAKEN, last_message_at=now
        )
        chat.participants.set([alice, bob])
        Message.objects.create(
            conversation=chat,
            direction="out",
            sender=bob,
            body="Can you cover the Sales queue after lunch?",
            delivery_status=DeliveryStatus.READ,
        )
