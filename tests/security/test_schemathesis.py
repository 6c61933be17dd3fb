"""Property-based fuzzing of every GET operation of the OpenAPI schema: no 5xx, any role.

schemathesis generates the path ids, query strings and headers from `/api/schema/`;
the calls go through Django's test client in-process (the app is ASGI-only, and the
test client keeps everything inside the test's transaction).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from rest_framework.test import APIClient

from chatdesk.accounts.models import Role
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXAMPLES_PER_OPERATION = 15


def _get_operations(raw_schema: dict) -> list:
    schema = schemathesis.from_dict(raw_schema)
    operations = [result.ok() for result in schema.get_all_operations()]
    return [op for op in operations if op.method.upper() == "GET"]


@pytest.mark.parametrize("role", [Role.AGENT, Role.MANAGER, Role.SYSTEM_OWNER])
def test_no_get_operation_answers_5xx(role, world):
    user = UserFactory(username=f"fuzz-{role}", role=role)
    client = APIClient()
    client.force_authenticate(user)
    operations = _get_operations(client.get("/api/schema/?format=json").json())
    assert len(operations) >= 20
    failures: list[str] = []
    calls: list[int] = []

    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def call(case) -> None:
            response = client.get(case.formatted_path, case.query or {})
            calls.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.formatted_path} {case.query}: {response.status_code}")

        call()
    assert failures == []
    assert len(calls) >= 2 * len(operations)  # it really fuzzed, not one call each
