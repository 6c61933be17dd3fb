"""Every configuration task of the desk, done in Django admin with the test client.

Each test is one task as a manager or owner does it: open the page, submit the
form a browser would, and check what was stored. By the API's rules (docs/api.md), agents, queues
and channel accounts are the system owner's; templates, contacts, the event log
and reports are the manager's (group owners alike). Retention is the system
owner's to set and a manager's to read.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from archive.models import RetentionPolicy
from archive.tasks import purge
from channels_ingest.livechat.selectors import visitor_blocked
from channels_ingest.models import ChannelAccount
from chatdesk.accounts.models import Role, User
from chatdesk.inbox.models import Conversation, VisitorBlock
from contacts.models import Contact
from queues.models import Queue, QueueMember
from templates_app.models import Category, QuickTemplate
from tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db

ADMIN = "/admin"


def _client(role: str, username: str) -> Client:
    web = Client()
    web.force_login(UserFactory(username=username, role=role))
    return web


@pytest.fixture
def owner() -> Client:
    # A system owner by role, not a superuser: the role group's permissions must do.
    return _client(Role.SYSTEM_OWNER, "walk-owner")


@pytest.fixture
def manager() -> Client:
    return _client(Role.MANAGER, "walk-manager")


def _saved(response) -> None:
    """Admin answers a good form with a redirect; a re-rendered form means errors."""
    if response.status_code != 302:
        context = response.context or {}
        form = context.get("adminform")
        errors = form.form.errors if form else None
        formsets = [fs.errors for fs in context.get("inline_admin_formsets", [])]
        raise AssertionError(f"not saved ({response.status_code}): {errors} {formsets}")


def _members_formset(rows: list[dict], *, initial: int = 0) -> dict:
    data = {
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(initial),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"memberships-{index}-{key}"] = value
    return data


def test_create_an_agent_with_extension_role_and_capacity(owner):
    assert owner.get(f"{ADMIN}/accounts/user/add/").status_code == 200
    response = owner.post(
        f"{ADMIN}/accounts/user/add/",
        {
            "username": "dave",
            "usable_password": "true",
            "password1": "a-long-Password-42",
            "password2": "a-long-Password-42",
            "role": Role.AGENT,
            "extension": "104",
            "max_chats": "3",
            "first_name": "Dave",
            "last_name": "Doe",
            "email": "dave@example.com",
        },
    )
    _saved(response)
    dave = User.objects.get(username="dave")
    assert (dave.extension, dave.role, dave.max_chats) == ("104", Role.AGENT, 3)
    assert dave.check_password("a-long-Password-42")
    assert list(dave.groups.values_list("name", flat=True)) == ["Agent"]
    assert not dave.is_staff  # agents have no admin
    # A duplicate extension is refused by the form, not by a database error.
    duplicate = owner.post(
        f"{ADMIN}/accounts/user/add/",
        {
            "username": "erin",
            "usable_password": "true",
            "password1": "a-long-Password-42",
            "password2": "a-long-Password-42",
            "role": Role.AGENT,
            "extension": "104",
        },
    )
    assert duplicate.status_code == 200
    assert "extension" in duplicate.context["adminform"].form.errors


def test_create_a_queue_with_strategy_ring_timeout_and_ordered_members(owner):
    alice, bob = UserFactory(username="walk-alice"), UserFactory(username="walk-bob")
    assert owner.get(f"{ADMIN}/queues/queue/add/").status_code == 200
    response = owner.post(
        f"{ADMIN}/queues/queue/add/",
        {
            "name": "Billing",
            "strategy": "hunt_prioritized",
            "ring_timeout_seconds": "20",
            "max_chats_per_agent": "4",
            **_members_formset(
                [{"agent": bob.pk, "priority": "1"}, {"agent": alice.pk, "priority": "2"}]
            ),
        },
    )
    _saved(response)
    queue = Queue.objects.get(name="Billing")
    assert (queue.strategy, queue.ring_timeout_seconds, queue.max_chats_per_agent) == (
        "hunt_prioritized",
        20,
        4,
    )
    assert [m.agent for m in queue.memberships.order_by("priority")] == [bob, alice]


def test_reorder_queue_members(owner):
    alice, bob = UserFactory(username="walk-alice"), UserFactory(username="walk-bob")
    queue = Queue.objects.create(name="Billing", strategy="hunt_prioritized")
    first = QueueMember.objects.create(queue=queue, agent=alice, priority=1)
    second = QueueMember.objects.create(queue=queue, agent=bob, priority=2)
    page = owner.get(f"{ADMIN}/queues/queue/{queue.pk}/change/")
    assert page.status_code == 200
    response = owner.post(
        f"{ADMIN}/queues/queue/{queue.pk}/change/",
        {
            "name": "Billing",
            "strategy": "hunt_prioritized",
            "ring_timeout_seconds": "30",
            "max_chats_per_agent": "5",
            **_members_formset(
                [
                    {"id": first.pk, "queue": queue.pk, "agent": alice.pk, "priority": "2"},
                    {"id": second.pk, "queue": queue.pk, "agent": bob.pk, "priority": "1"},
                ],
                initial=2,
            ),
        },
    )
    _saved(response)
    assert [m.agent for m in queue.memberships.order_by("priority")] == [bob, alice]
    # The page lists them in their new order (the inline is ordered by priority).
    html = owner.get(f"{ADMIN}/queues/queue/{queue.pk}/change/").content.decode()
    assert html.index(f'value="{second.pk}"') < html.index(f'value="{first.pk}"')


def test_create_a_channel_account_with_write_only_secrets_and_its_webhook_url(owner, settings):
    queue = Queue.objects.create(name="Support")
    page = owner.get(f"{ADMIN}/channels_ingest/channelaccount/add/")
    assert page.status_code == 200
    assert 'type="password"' in page.content.decode()
    response = owner.post(
        f"{ADMIN}/channels_ingest/channelaccount/add/",
        {
            "kind": "whatsapp",
            "name": "Support line",
            "external_id": "106540352242922",
            "route_queue": queue.pk,
            "allowed_origins": "[]",
            "active": "on",
            "secret_access_token": "EAAG-walk-token",
            "secret_app_secret": "walk-app-secret",
            "secret_verify_token": "walk-verify",
            # Not a WhatsApp key: kept out of the stored credentials.
            "secret_auth_token": "stray",
        },
    )
    _saved(response)
    account = ChannelAccount.objects.get(name="Support line")
    assert account.credentials == {
        "access_token": "EAAG-walk-token",
        "app_secret": "walk-app-secret",
        "verify_token": "walk-verify",
    }
    html = owner.get(f"{ADMIN}/channels_ingest/channelaccount/{account.pk}/change/")
    text = html.content.decode()
    assert "http://testserver/webhooks/whatsapp/" in text  # ready to paste
    assert "walk-app-secret" not in text and "EAAG-walk-token" not in text
    assert "set — leave blank to keep" in text
    # Behind a proxy the public address is the one providers call (and Twilio signs).
    settings.PUBLIC_BASE_URL = "https://desk.example.com"
    html = owner.get(f"{ADMIN}/channels_ingest/channelaccount/{account.pk}/change/")
    assert "https://desk.example.com/webhooks/whatsapp/" in html.content.decode()


def test_edit_a_template_and_its_category(manager):
    category = Category.objects.create(name="Openers", position=1)
    response = manager.post(
        f"{ADMIN}/templates_app/quicktemplate/add/",
        {
            "title": "Greeting",
            "body": "Hi {{ contact.name }}, {{ agent.first_name }} here.",
            "category": category.pk,
            "language": "en",
        },
    )
    _saved(response)
    template = QuickTemplate.objects.get(title="Greeting")
    response = manager.post(
        f"{ADMIN}/templates_app/quicktemplate/{template.pk}/change/",
        {"title": "Greeting", "body": "Hello {{ contact.name }}!", "language": "en"},
    )
    _saved(response)
    template.refresh_from_db()
    assert (template.body, template.category) == ("Hello {{ contact.name }}!", None)
    # An unknown placeholder is refused when saving, not when sending.
    refused = manager.post(
        f"{ADMIN}/templates_app/quicktemplate/{template.pk}/change/",
        {"title": "Greeting", "body": "Hi {{ contact.shoe_size }}", "language": "en"},
    )
    assert refused.status_code == 200
    _saved(
        manager.post(
            f"{ADMIN}/templates_app/category/{category.pk}/change/",
            {"name": "Greetings", "position": "3"},
        )
    )
    category.refresh_from_db()
    assert (category.name, category.position) == ("Greetings", 3)


def test_import_templates_from_csv(manager):
    upload = io.BytesIO(
        b"title,body,category,language,queue\n"
        b"Refund,Your refund is on its way.,Billing,en,\n"
        b"Hola,Hola {{ contact.name }},Openers,es,\n"
    )
    upload.name = "templates.csv"
    assert manager.get(f"{ADMIN}/templates_app/quicktemplate/import-csv/").status_code == 200
    _saved(manager.post(f"{ADMIN}/templates_app/quicktemplate/import-csv/", {"file": upload}))
    assert sorted(QuickTemplate.objects.values_list("title", "category__name", "language")) == [
        ("Hola", "Openers", "es"),
        ("Refund", "Billing", "en"),
    ]


def test_edit_a_contact(manager):
    contact = ContactFactory(name="Jane Roe", email="jane@example.com")
    assert manager.get(f"{ADMIN}/contacts/contact/{contact.pk}/change/").status_code == 200
    response = manager.post(
        f"{ADMIN}/contacts/contact/{contact.pk}/change/",
        {
            "name": "Jane Q. Roe",
            "email": "jane.roe@example.com",
            "phone": "(415) 555-0123",
            "identities-TOTAL_FORMS": "0",
            "identities-INITIAL_FORMS": "0",
            "identities-MIN_NUM_FORMS": "0",
            "identities-MAX_NUM_FORMS": "1000",
        },
    )
    _saved(response)
    contact = Contact.objects.get(pk=contact.pk)
    assert (contact.name, contact.email, contact.phone) == (
        "Jane Q. Roe",
        "jane.roe@example.com",
        "+14155550123",
    )


def test_view_a_conversations_event_log_read_only(manager, customer_writes, alice, api):
    conversation = customer_writes("Where is my order?").conversation
    api(alice).post(f"/api/v1/conversations/{conversation.pk}/take/")
    api(alice).post(f"/api/v1/conversations/{conversation.pk}/dealt-with/")
    url = f"{ADMIN}/inbox/conversation/{conversation.pk}/change/"
    page = manager.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Where is my order?" in text
    assert "taken" in text and "dealt_with" in text
    assert 'name="_save"' not in text  # nothing to submit
    assert manager.post(url, {"status": "unassigned"}).status_code == 403
    assert Conversation.objects.get(pk=conversation.pk).status == "dealt_with"
    assert manager.get(f"{ADMIN}/inbox/conversation/add/").status_code == 403


def test_shorten_and_lift_a_live_chat_block(manager):
    spammer = VisitorBlock.objects.create(ip_address="203.0.113.9", reason="spam")
    mistaken = VisitorBlock.objects.create(ip_address="198.51.100.7", reason="misclick")
    url = f"{ADMIN}/inbox/visitorblock/{spammer.pk}/change/"
    assert manager.get(url).status_code == 200
    _saved(manager.post(url, {"expires_at_0": "2030-01-01", "expires_at_1": "12:00:00"}))
    spammer.refresh_from_db()
    assert spammer.expires_at.year == 2030
    assert (spammer.ip_address, spammer.reason) == ("203.0.113.9", "spam")  # as recorded
    assert visitor_blocked(visitor_id="v-1", ip="198.51.100.7")
    _saved(manager.post(f"{ADMIN}/inbox/visitorblock/{mistaken.pk}/delete/", {"post": "yes"}))
    assert not visitor_blocked(visitor_id="v-1", ip="198.51.100.7")
    assert manager.get(f"{ADMIN}/inbox/visitorblock/add/").status_code == 403


def test_open_the_reports(manager):
    page = manager.get(f"{ADMIN}/archive/report/")
    assert page.status_code == 200
    assert page.context["report"].totals["received"] == 0
    assert manager.get(f"{ADMIN}/archive/report/", {"format": "csv"}).status_code == 200


def test_set_the_archive_retention(owner, manager, customer_writes, alice, api, settings):
    settings.ARCHIVE_RETENTION_DAYS = 0  # the environment's default: keep everything
    conversation = customer_writes("old").conversation
    api(alice).post(f"/api/v1/conversations/{conversation.pk}/dealt-with/")
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_at=timezone.now() - timedelta(days=100)
    )
    assert purge.apply().get() == 0

    _saved(owner.post(f"{ADMIN}/archive/retentionpolicy/add/", {"keep_days": "90"}))
    assert RetentionPolicy.objects.get().keep_days == 90
    # One policy: once it exists, it is changed, not added again.
    assert owner.get(f"{ADMIN}/archive/retentionpolicy/add/").status_code == 403
    # Managers read the policy but do not set it: it deletes history for good.
    policy = RetentionPolicy.objects.get()
    assert manager.get(f"{ADMIN}/archive/retentionpolicy/{policy.pk}/change/").status_code == 200
    assert (
        manager.post(
            f"{ADMIN}/archive/retentionpolicy/{policy.pk}/change/", {"keep_days": "1"}
        ).status_code
        == 403
    )
    assert purge.apply().get() == 1
    assert not Conversation.objects.filter(pk=conversation.pk).exists()


@pytest.mark.parametrize(
    "page",
    [
        "/accounts/user/add/",
        "/queues/queue/add/",
        "/channels_ingest/channelaccount/add/",
        "/archive/retentionpolicy/add/",
    ],
)
def test_a_manager_cannot_do_the_system_owners_tasks(manager, page):
    # docs/api.md: only a system owner manages agents, queues and channel accounts.
    assert manager.get(f"{ADMIN}{page}").status_code == 403
