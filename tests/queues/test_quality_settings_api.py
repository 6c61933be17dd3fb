"""A queue's satisfaction question and service-level targets on the queue API."""

from __future__ import annotations

import pytest

from chatdesk.accounts.models import Role
from queues.models import Queue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(db):
    return UserFactory(username="olga", role=Role.SYSTEM_OWNER)


def test_the_fields_are_read_and_written(queue_a, owner, api):
    url = f"/api/v1/queues/{queue_a.pk}/"
    shown = api(owner).get(url).json()
    assert (
        shown["csat_enabled"],
        shown["first_response_target_seconds"],
        shown["resolution_target_seconds"],
    ) == (False, None, None)
    response = api(owner).patch(
        url,
        {
            "csat_enabled": True,
            "first_response_target_seconds": 120,
            "resolution_target_seconds": 3600,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    queue_a.refresh_from_db()
    assert (
        queue_a.csat_enabled,
        queue_a.first_response_target_seconds,
        queue_a.resolution_target_seconds,
    ) == (True, 120, 3600)
    # null: no target.
    cleared = api(owner).patch(url, {"first_response_target_seconds": None}, format="json")
    assert cleared.status_code == 200
    assert cleared.json()["first_response_target_seconds"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"first_response_target_seconds": 0}, "first_response_target_seconds"),
        ({"first_response_target_seconds": -5}, "first_response_target_seconds"),
        ({"resolution_target_seconds": "soon"}, "resolution_target_seconds"),
        ({"resolution_target_seconds": 31 * 24 * 3600}, "resolution_target_seconds"),
        (
            {"first_response_target_seconds": 600, "resolution_target_seconds": 60},
            "resolution_target_seconds",
        ),
        ({"csat_enabled": "maybe"}, "csat_enabled"),
    ],
)
def test_bad_values_are_400_naming_the_field_and_change_nothing(body, field, queue_a, owner, api):
    response = api(owner).patch(f"/api/v1/queues/{queue_a.pk}/", body, format="json")
    assert response.status_code == 400
    assert field in response.json() and response.json()[field][0]
    stored = Queue.objects.get(pk=queue_a.pk)
    assert (
        stored.csat_enabled,
        stored.first_response_target_seconds,
        stored.resolution_target_seconds,
    ) == (False, None, None)


def test_a_resolution_target_shorter_than_the_stored_first_response_one_is_refused(
    queue_a, owner, api
):
    queue_a.first_response_target_seconds = 600
    queue_a.save()
    response = api(owner).patch(
        f"/api/v1/queues/{queue_a.pk}/", {"resolution_target_seconds": 300}, format="json"
    )
    assert response.status_code == 400
    assert "resolution_target_seconds" in response.json()


def test_an_agent_may_not_change_them(queue_a, alice, api):
    response = api(alice).patch(
        f"/api/v1/queues/{queue_a.pk}/", {"csat_enabled": True}, format="json"
    )
    assert response.status_code == 403
    assert not Queue.objects.get(pk=queue_a.pk).csat_enabled
