"""The OpenAPI schema validates and covers every path of the contract."""

from __future__ import annotations

import re

import pytest
import yaml
from django.core.management import call_command

CONTRACT_PATHS = [
    "/api/v1/auth/token/",
    "/api/v1/agents/",
    "/api/v1/agents/me/",
    "/api/v1/queues/",
    "/api/v1/channel-accounts/",
    "/api/v1/conversations/",
    "/api/v1/conversations/{id}/",
    "/api/v1/conversations/{conversation_pk}/messages/",
    *[
        f"/api/v1/conversations/{{id}}/{action}/"
        for action in (
            "take",
            "transfer",
            "dealt-with",
            "archive",
            "unarchive",
            "end",
            "block",
            "add-contact",
            "ignore",
        )
    ],
    "/api/v1/conversations/internal/",
    "/api/v1/attachments/",
    "/api/v1/templates/",
    "/api/v1/contacts/",
    "/api/v1/contacts/{id}/history/",
    "/api/v1/me/settings/",
    "/api/v1/events/",
    "/api/v1/livechat/sessions/",
    "/api/v1/livechat/attachments/",
    "/api/v1/livechat/config/",
]


@pytest.mark.django_db
def test_schema_validates_without_warnings_and_covers_the_contract(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    assert schema["openapi"].startswith("3.")
    missing = [path for path in CONTRACT_PATHS if path not in schema["paths"]]
    assert missing == []


@pytest.mark.django_db
def test_schema_and_docs_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert re.search(rb"swagger-ui", docs.content)
