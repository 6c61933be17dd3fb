"""Who may call what: every REST operation of the OpenAPI schema, for every role.

The table below is keyed by (method, path template) exactly as the schema spells
them; `test_the_table_covers_every_operation_of_the_schema` fails the moment an
endpoint is added without a row, so nobody can forget to decide who may use it.
Each role's request runs in a savepoint that is rolled back, so every role meets
the same world (tests/security/conftest.py: a chat offered to queue A).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.factories import PASSWORD
from tests.filemakers import ALLOWED_SAMPLES
from tests.security.conftest import World

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ROLES = ("anonymous", "alice", "oscar", "carol", "olga")
METHODS = {"get", "post", "put", "patch", "delete"}


def signed_in(code: int) -> dict[str, int]:
    """Every signed-in role gets `code`; anonymous is refused."""
    return {"anonymous": 401, "alice": code, "oscar": code, "carol": code, "olga": code}


def owner_only(code: int) -> dict[str, int]:
    return {"anonymous": 401, "alice": 403, "oscar": 403, "carol": 403, "olga": code}


def supervisors(code: int) -> dict[str, int]:
    return {"anonymous": 401, "alice": 403, "oscar": 403, "carol": code, "olga": code}


def in_view(code: int, *, outsider: int = 404, **others: int) -> dict[str, int]:
    """Roles that see the offered chat get `code`; oscar (outside the queue) 404."""
    return {
        "anonymous": 401,
        "alice": code,
        "oscar": outsider,
        "carol": code,
        "olga": code,
        **others,
    }


def public(code: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, code)


@dataclass
class Call:
    expected: dict[str, int]
    params: Callable[[World], dict] = lambda w: {}
    body: Callable[[World], dict] | None = None
    multipart: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    query: str = ""


def _agent_body(w: World) -> dict:
    return {
        "username": "newbie",
        "password": "a-Long-random-Passphrase-42",
        "first_name": "New",
        "last_name": "Agent",
        "email": "newbie@example.com",
        "extension": "777",
        "role": "agent",
    }


def _account_body(w: World) -> dict:
    return {
        "kind": "sms",
        "name": "Second line",
        "external_id": "+15005550099",
        "route": {"queue": w.queue},
        "credentials": {"account_sid": "AC" + "1" * 32, "auth_token": "t" * 32},
    }


def _queue_body(w: World) -> dict:
    return {
        "name": "Queue B",
        "strategy": "ring_all",
        "ring_timeout_seconds": 30,
        "max_chats_per_agent": 3,
        "members": [],
    }


def _hours_body(w: World) -> dict:
    return {
        "name": "Evenings",
        "time_zone": "Europe/Berlin",
        "weekly": [{"day": 0, "start": "17:00", "end": "24:00"}],
        "holidays": ["2026-12-25"],
    }


HOURS = lambda w: {"id": w.business_hours}  # noqa: E731


def _template_body(w: World) -> dict:
    return {"title": "Bye", "body": "Goodbye", "language": "en"}


def _webhook_body(w: World) -> dict:
    # A public address literal: accepted without a DNS lookup, and nothing is sent.
    return {
        "url": "https://93.184.215.14/hooks",
        "secret": "s" * 32,
        "events": ["conversation.created", "message.created"],
    }


WEBHOOK = lambda w: {"id": w.webhook}  # noqa: E731


def _wa_template_body(w: World) -> dict:
    return {
        "account": w.account,
        "name": "welcome_back",
        "language": "en_US",
        "category": "UTILITY",
        "body": "Hi {{1}}, we are back.",
        "variables": ["customer_name"],
    }


WA_TEMPLATE = lambda w: {"id": w.wa_template}  # noqa: E731
CONV = lambda w: {"id": w.conversation}  # noqa: E731
CONV_PK = lambda w: {"conversation_pk": w.conversation}  # noqa: E731

TABLE: dict[tuple[str, str], Call] = {
    # --- accounts and agents: the system owner configures, everyone reads
    ("post", "/api/v1/auth/token/"): Call(
        public(200), body=lambda w: {"username": "alice", "password": PASSWORD}
    ),
    ("get", "/api/v1/me/settings/"): Call(signed_in(200)),
    ("patch", "/api/v1/me/settings/"): Call(signed_in(200), body=lambda w: {"play_sound": False}),
    ("get", "/api/v1/agents/"): Call(signed_in(200)),
    ("post", "/api/v1/agents/"): Call(owner_only(201), body=_agent_body),
    ("get", "/api/v1/agents/{id}/"): Call(signed_in(200), params=lambda w: {"id": w.bob}),
    ("put", "/api/v1/agents/{id}/"): Call(
        owner_only(200),
        params=lambda w: {"id": w.bob},
        body=lambda w: {**_agent_body(w), "username": "bob", "extension": "202"},
    ),
    ("patch", "/api/v1/agents/{id}/"): Call(
        owner_only(200), params=lambda w: {"id": w.bob}, body=lambda w: {"first_name": "Rob"}
    ),
    ("delete", "/api/v1/agents/{id}/"): Call(owner_only(204), params=lambda w: {"id": w.bob}),
    ("get", "/api/v1/agents/me/"): Call(signed_in(200)),
    ("patch", "/api/v1/agents/me/"): Call(signed_in(200), body=lambda w: {"status": "away"}),
    ("get", "/api/v1/queues/"): Call(signed_in(200)),
    ("post", "/api/v1/queues/"): Call(owner_only(201), body=_queue_body),
    ("get", "/api/v1/queues/{id}/"): Call(signed_in(200), params=lambda w: {"id": w.queue}),
    ("put", "/api/v1/queues/{id}/"): Call(
        owner_only(200), params=lambda w: {"id": w.queue}, body=_queue_body
    ),
    ("patch", "/api/v1/queues/{id}/"): Call(
        owner_only(200), params=lambda w: {"id": w.queue}, body=lambda w: {"name": "Queue A2"}
    ),
    # Still routed to by channel accounts: refused as a conflict, not a 500.
    ("delete", "/api/v1/queues/{id}/"): Call(owner_only(409), params=lambda w: {"id": w.queue}),
    # --- business hours: supervisors keep them, everyone reads
    ("get", "/api/v1/business-hours/"): Call(signed_in(200)),
    ("post", "/api/v1/business-hours/"): Call(supervisors(201), body=_hours_body),
    ("get", "/api/v1/business-hours/{id}/"): Call(signed_in(200), params=HOURS),
    ("put", "/api/v1/business-hours/{id}/"): Call(supervisors(200), params=HOURS, body=_hours_body),
    ("patch", "/api/v1/business-hours/{id}/"): Call(
        supervisors(200), params=HOURS, body=lambda w: {"name": "Week"}
    ),
    ("delete", "/api/v1/business-hours/{id}/"): Call(supervisors(204), params=HOURS),
    ("get", "/api/v1/channel-accounts/"): Call(owner_only(200)),
    ("post", "/api/v1/channel-accounts/"): Call(owner_only(201), body=_account_body),
    ("get", "/api/v1/channel-accounts/{id}/"): Call(
        owner_only(200), params=lambda w: {"id": w.account}
    ),
    ("put", "/api/v1/channel-accounts/{id}/"): Call(
        owner_only(200),
        params=lambda w: {"id": w.account},
        body=lambda w: {
            "kind": "whatsapp",
            "name": "Renamed",
            "external_id": "113355779900999",
            "route": {"queue": w.queue},
        },
    ),
    ("patch", "/api/v1/channel-accounts/{id}/"): Call(
        owner_only(200), params=lambda w: {"id": w.account}, body=lambda w: {"name": "Renamed"}
    ),
    # Its conversations keep it (PROTECT): a conflict, not a 500.
    ("delete", "/api/v1/channel-accounts/{id}/"): Call(
        owner_only(409), params=lambda w: {"id": w.account}
    ),
    # --- WhatsApp templates: the system owner registers them, everyone reads
    ("get", "/api/v1/whatsapp-templates/"): Call(signed_in(200)),
    ("post", "/api/v1/whatsapp-templates/"): Call(owner_only(201), body=_wa_template_body),
    ("get", "/api/v1/whatsapp-templates/{id}/"): Call(signed_in(200), params=WA_TEMPLATE),
    ("put", "/api/v1/whatsapp-templates/{id}/"): Call(
        owner_only(200), params=WA_TEMPLATE, body=_wa_template_body
    ),
    ("patch", "/api/v1/whatsapp-templates/{id}/"): Call(
        owner_only(200), params=WA_TEMPLATE, body=lambda w: {"category": "MARKETING"}
    ),
    ("delete", "/api/v1/whatsapp-templates/{id}/"): Call(owner_only(204), params=WA_TEMPLATE),
    # --- templates: supervisors write, everyone reads and renders
    ("get", "/api/v1/templates/"): Call(signed_in(200)),
    ("post", "/api/v1/templates/"): Call(supervisors(201), body=_template_body),
    ("get", "/api/v1/templates/categories/"): Call(signed_in(200)),
    ("get", "/api/v1/templates/{id}/"): Call(signed_in(200), params=lambda w: {"id": w.template}),
    ("put", "/api/v1/templates/{id}/"): Call(
        supervisors(200), params=lambda w: {"id": w.template}, body=_template_body
    ),
    ("patch", "/api/v1/templates/{id}/"): Call(
        supervisors(200), params=lambda w: {"id": w.template}, body=lambda w: {"title": "Hi"}
    ),
    ("delete", "/api/v1/templates/{id}/"): Call(
        supervisors(204), params=lambda w: {"id": w.template}
    ),
    ("post", "/api/v1/templates/{id}/render/"): Call(
        signed_in(200), params=lambda w: {"id": w.template}, body=lambda w: {}
    ),
    # --- contacts: shared address book; deleting is for supervisors
    ("get", "/api/v1/contacts/"): Call(signed_in(200)),
    ("post", "/api/v1/contacts/"): Call(signed_in(201), body=lambda w: {"name": "Newcomer"}),
    ("get", "/api/v1/contacts/{id}/"): Call(signed_in(200), params=lambda w: {"id": w.contact}),
    ("put", "/api/v1/contacts/{id}/"): Call(
        signed_in(200), params=lambda w: {"id": w.contact}, body=lambda w: {"name": "Renamed"}
    ),
    ("patch", "/api/v1/contacts/{id}/"): Call(
        signed_in(200), params=lambda w: {"id": w.contact}, body=lambda w: {"name": "Renamed"}
    ),
    ("delete", "/api/v1/contacts/{id}/"): Call(
        supervisors(204), params=lambda w: {"id": w.other_contact}
    ),
    ("get", "/api/v1/contacts/{id}/history/"): Call(
        signed_in(200), params=lambda w: {"id": w.contact}
    ),
    ("post", "/api/v1/contacts/{id}/merge/"): Call(
        signed_in(200),
        params=lambda w: {"id": w.contact},
        body=lambda w: {"other": w.other_contact},
    ),
    # No SMS line exists: signed-in callers pass authorisation and meet validation.
    ("post", "/api/v1/contacts/{id}/sms/"): Call(
        signed_in(400), params=lambda w: {"id": w.contact}, body=lambda w: {}
    ),
    # --- conversations: visibility decides, 404 for a chat one may not see
    ("get", "/api/v1/conversations/"): Call(signed_in(200)),
    ("get", "/api/v1/conversations/counts/"): Call(signed_in(200)),
    ("get", "/api/v1/conversations/{id}/"): Call(in_view(200), params=CONV),
    # Only an archived chat may be deleted: a live one is refused even to who sees it.
    ("delete", "/api/v1/conversations/{id}/"): Call(in_view(409), params=CONV),
    ("get", "/api/v1/conversations/{conversation_pk}/messages/"): Call(
        in_view(200), params=CONV_PK
    ),
    ("post", "/api/v1/conversations/{conversation_pk}/messages/"): Call(
        in_view(201), params=CONV_PK, body=lambda w: {"body": "On it"}
    ),
    ("post", "/api/v1/conversations/{conversation_pk}/messages/{id}/retry/"): Call(
        in_view(409),
        params=lambda w: {"conversation_pk": w.conversation, "id": w.message},
    ),
    # A message with no file left to fetch: whoever sees the chat is told so (409).
    ("post", "/api/v1/conversations/{conversation_pk}/messages/{id}/retry-download/"): Call(
        in_view(409),
        params=lambda w: {"conversation_pk": w.conversation, "id": w.message},
    ),
    ("post", "/api/v1/conversations/{id}/take/"): Call(in_view(200), params=CONV),
    ("post", "/api/v1/conversations/{id}/transfer/"): Call(
        in_view(200), params=CONV, body=lambda w: {"agent": w.bob}
    ),
    # Unowned yet: whoever sees it may close or file it (owner-or-supervisor rule).
    ("post", "/api/v1/conversations/{id}/dealt-with/"): Call(in_view(200), params=CONV),
    # Still ringing for queue A: archiving it would take it from everyone it is offered
    # to, so whoever sees it is refused (409 `ringing`).
    ("post", "/api/v1/conversations/{id}/archive/"): Call(in_view(409), params=CONV),
    ("post", "/api/v1/conversations/{id}/unarchive/"): Call(in_view(200), params=CONV),
    ("post", "/api/v1/conversations/{id}/end/"): Call(in_view(422), params=CONV),
    ("post", "/api/v1/conversations/{id}/block/"): Call(
        in_view(422), params=CONV, body=lambda w: {"reason": "spam"}
    ),
    ("post", "/api/v1/conversations/{id}/add-contact/"): Call(
        in_view(200), params=CONV, body=lambda w: {"name": "Named"}
    ),
    ("post", "/api/v1/conversations/{id}/ignore/"): Call(in_view(200), params=CONV),
    ("post", "/api/v1/conversations/{id}/read/"): Call(in_view(200), params=CONV),
    # A private note: whoever sees the chat (a mention's read-only access included).
    ("post", "/api/v1/conversations/{id}/notes/"): Call(
        in_view(201), params=CONV, body=lambda w: {"body": "Private: check the order"}
    ),
    ("get", "/api/v1/conversations/{id}/log/"): Call(in_view(200), params=CONV),
    ("post", "/api/v1/conversations/internal/"): Call(
        signed_in(201), body=lambda w: {"agent": w.bob}
    ),
    ("get", "/api/v1/archive/"): Call(signed_in(200)),
    # Everyone reads reports: an agent their own figures, supervisors everyone's.
    ("get", "/api/v1/reports/summary/"): Call(signed_in(200)),
    ("get", "/api/v1/search/"): Call(signed_in(200), query="?q=hello"),
    ("get", "/api/v1/events/"): Call(signed_in(200), query="?after=0"),
    ("post", "/api/v1/attachments/"): Call(
        signed_in(201),
        body=lambda w: {"file": SimpleUploadedFile("x.pdf", ALLOWED_SAMPLES["pdf"]())},
        multipart=True,
    ),
    ("get", "/api/v1/attachments/{id}/{variant}/"): Call(
        in_view(200), params=lambda w: {"id": w.attachment, "variant": "file"}
    ),
    # --- outbound webhooks: the system owner's alone
    ("get", "/api/v1/webhook-subscriptions/"): Call(owner_only(200)),
    ("post", "/api/v1/webhook-subscriptions/"): Call(owner_only(201), body=_webhook_body),
    ("get", "/api/v1/webhook-subscriptions/{id}/"): Call(owner_only(200), params=WEBHOOK),
    ("put", "/api/v1/webhook-subscriptions/{id}/"): Call(
        owner_only(200), params=WEBHOOK, body=_webhook_body
    ),
    ("patch", "/api/v1/webhook-subscriptions/{id}/"): Call(
        owner_only(200), params=WEBHOOK, body=lambda w: {"active": False}
    ),
    ("delete", "/api/v1/webhook-subscriptions/{id}/"): Call(owner_only(204), params=WEBHOOK),
    ("get", "/api/v1/webhook-subscriptions/{id}/deliveries/"): Call(
        owner_only(200), params=WEBHOOK
    ),
    ("post", "/api/v1/webhook-subscriptions/deliveries/{id}/redeliver/"): Call(
        owner_only(202), params=lambda w: {"id": w.webhook_delivery}
    ),
    # --- transcripts, a contact's export and erasure
    ("get", "/api/v1/conversations/{id}/transcript/"): Call(in_view(200), params=CONV),
    ("get", "/api/v1/contacts/{id}/export/"): Call(
        supervisors(200), params=lambda w: {"id": w.contact}
    ),
    ("post", "/api/v1/contacts/{id}/erase/"): Call(
        owner_only(200), params=lambda w: {"id": w.erasable_contact}
    ),
    # --- labels: supervisors keep the list, everyone reads it; whoever sees a chat sets its
    ("get", "/api/v1/labels/"): Call(signed_in(200)),
    ("post", "/api/v1/labels/"): Call(
        supervisors(201), body=lambda w: {"name": "Refund", "color": "#1f6feb"}
    ),
    ("get", "/api/v1/labels/{id}/"): Call(signed_in(200), params=lambda w: {"id": w.label}),
    ("put", "/api/v1/labels/{id}/"): Call(
        supervisors(200),
        params=lambda w: {"id": w.label},
        body=lambda w: {"name": "Gold", "color": "#ffd700"},
    ),
    ("patch", "/api/v1/labels/{id}/"): Call(
        supervisors(200), params=lambda w: {"id": w.label}, body=lambda w: {"color": "#00aa00"}
    ),
    ("delete", "/api/v1/labels/{id}/"): Call(supervisors(204), params=lambda w: {"id": w.label}),
    ("put", "/api/v1/conversations/{id}/labels/"): Call(
        in_view(200), params=CONV, body=lambda w: {"labels": [w.label]}
    ),
    # --- live-chat visitors are anonymous by design
    ("post", "/api/v1/livechat/sessions/"): Call(
        public(201),
        body=lambda w: {"site_key": w.site_key, "name": "Visitor"},
        headers={"HTTP_ORIGIN": "http://127.0.0.1:8000"},
    ),
    ("get", "/api/v1/livechat/config/"): Call(public(200), query="?site_key=security-site"),
    ("get", "/api/v1/livechat/status/"): Call(public(200), query="?site_key=security-site"),
    ("post", "/api/v1/livechat/offline-messages/"): Call(
        public(201),
        body=lambda w: {
            "site_key": w.site_key,
            "name": "Olga",
            "email": "olga@example.com",
            "message": "Call me",
        },
        headers={"HTTP_ORIGIN": "http://127.0.0.1:8000"},
    ),
    # No X-Visitor-Token: whoever calls, signed in or not, is refused as no visitor.
    ("post", "/api/v1/livechat/transcript/"): Call(
        public(401),
        body=lambda w: {"email": "visitor@example.com"},
        headers={"HTTP_ORIGIN": "http://127.0.0.1:8000"},
    ),
    # A visitor's session token is the only key: an agent's sign-in opens nothing here.
    ("post", "/api/v1/livechat/attachments/"): Call(
        public(401),
        body=lambda w: {"file": SimpleUploadedFile("x.pdf", ALLOWED_SAMPLES["pdf"]())},
        multipart=True,
        headers={"HTTP_ORIGIN": "http://127.0.0.1:8000"},
    ),
    ("post", "/api/v1/livechat/csat/"): Call(
        public(401),
        body=lambda w: {"rating": 5, "comment": "Great"},
        headers={"HTTP_ORIGIN": "http://127.0.0.1:8000"},
    ),
}


def schema_operations() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    # Round-trip through YAML as `manage.py spectacular` does: the same paths a client sees.
    schema = yaml.safe_load(yaml.safe_dump(schema, sort_keys=False))
    return {
        (method, path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in METHODS
    }


def test_the_table_covers_every_operation_of_the_schema():
    operations = schema_operations()
    missing = operations - TABLE.keys()
    stale = TABLE.keys() - operations
    assert not missing, f"decide who may call these, then add them to TABLE: {sorted(missing)}"
    assert not stale, f"TABLE names operations the schema no longer has: {sorted(stale)}"
    assert len(operations) >= 60


def _client(role: str, users: dict) -> APIClient:
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(users[role])
    return client


@pytest.mark.parametrize(("method", "path"), sorted(TABLE), ids=lambda v: str(v))
def test_each_role_gets_its_answer(method, path, world, alice, oscar, carol, olga, clean_cache):
    call = TABLE[(method, path)]
    users = {"alice": alice, "oscar": oscar, "carol": carol, "olga": olga}
    url = path.format(**call.params(world)) + call.query
    got = {}
    for role in ROLES:
        # A savepoint per role: each meets the untouched world.
        with transaction.atomic():
            body = call.body(world) if call.body else None
            request = getattr(_client(role, users), method)
            kwargs = {"format": "multipart" if call.multipart else "json", **call.headers}
            response = request(url, body, **kwargs) if body is not None else request(url, **kwargs)
            got[role] = response.status_code
            transaction.set_rollback(True)
    assert got == call.expected, f"{method.upper()} {url}: got {got}"
