"""A write that names a field the endpoint does not know is a 400 naming that field.

Across every write operation of the OpenAPI schema: a new endpoint whose serializer
forgets the mixin (chatdesk/strict.py) fails here.
"""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.security.test_schemathesis import _real_path_parameters

pytestmark = pytest.mark.django_db

STRAY = "zz_not_a_field"

# Bodies these take are not checked field by field, on purpose.
EXEMPT = {
    # The visitor's widget: a copy cached on a customer's page may be older or newer
    # than the server, and a field it does not share must never stop a customer chatting.
    ("post", "/api/v1/livechat/sessions/"),
    # Its offline form, for the same reason: a visitor's message must never be lost to it.
    ("post", "/api/v1/livechat/offline-messages/"),
}


def _write_operations(schema: dict) -> list[tuple[str, str, set[str]]]:
    operations = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method not in ("post", "put", "patch"):
                continue
            media = set(operation.get("requestBody", {}).get("content", {}))
            if media and (method, path) not in EXEMPT:
                operations.append((method, path, media))
    return operations


def test_every_json_write_refuses_an_unknown_field(world, olga):
    client = APIClient()
    client.force_authenticate(olga)
    schema = client.get("/api/schema/?format=json").json()
    operations = _write_operations(schema)
    assert len(operations) >= 25
    checked = []
    for method, path, media in operations:
        if "application/json" not in media:
            # Uploads are multipart: their one part is `file`, read by name.
            assert media == {"multipart/form-data"}, (method, path, media)
            continue
        url = path.format(**_real_path_parameters(path, world))
        response = getattr(client, method)(url, {STRAY: "x"}, format="json")
        assert response.status_code == 400, (method, path, response.status_code, response.content)
        assert STRAY in response.json(), (method, path, response.json())
        checked.append(path)
    assert len(checked) >= 25


def test_a_reply_with_text_instead_of_body_is_a_400_naming_text(world, olga):
    client = APIClient()
    client.force_authenticate(olga)
    response = client.post(
        f"/api/v1/conversations/{world.conversation}/messages/", {"text": "Hi"}, format="json"
    )
    assert response.status_code == 400
    assert "body" in response.json()["text"][0]  # it says what the endpoint takes
    assert "Hi" not in str(client.get(f"/api/v1/conversations/{world.conversation}/messages/"))


def test_a_nested_unknown_field_is_named_too(world, olga):
    client = APIClient()
    client.force_authenticate(olga)
    response = client.patch(
        f"/api/v1/queues/{world.queue}/",
        {"members": [{"agent": world.bob, "priority": 1, "prio": 2}]},
        format="json",
    )
    assert response.status_code == 400
    assert "prio" in str(response.json())


def test_what_was_read_can_be_written_back(world, olga):
    # GET, change one thing, PUT: the read-only fields sent back are not "unknown".
    client = APIClient()
    client.force_authenticate(olga)
    for url in (f"/api/v1/contacts/{world.contact}/", f"/api/v1/templates/{world.template}/"):
        data = client.get(url).json()
        response = client.put(url, data, format="json")
        assert response.status_code == 200, (url, response.content)


def test_the_token_endpoint_names_a_stray_field(alice, clean_cache):
    response = Client().post(
        "/api/v1/auth/token/",
        {"username": "alice", "password": "x", "user": "alice"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "user" in response.json()
