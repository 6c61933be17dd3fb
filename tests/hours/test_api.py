"""/api/v1/business-hours/ and the queue's hours fields: who may write, what is refused."""

from __future__ import annotations

import pytest

from chatdesk.accounts.models import Role
from queues.models import BusinessHours, Queue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/business-hours/"
WEEKDAYS = [
    {"day": day, "start": start, "end": end}
    for day in range(5)
    for start, end in (("09:00", "12:00"), ("13:00", "17:00"))
]


def schedule(**overrides) -> dict:
    return {
        "name": "Support desk",
        "time_zone": "Europe/Berlin",
        "weekly": WEEKDAYS,
        "holidays": ["2026-12-25", "2026-12-24"],
        **overrides,
    }


def test_a_manager_creates_business_hours_and_reads_them_back(api, carol):
    created = api(carol).post(URL, schedule(), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["name"] == "Support desk" and body["time_zone"] == "Europe/Berlin"
    assert body["weekly"][:2] == [
        {"day": 0, "start": "09:00", "end": "12:00"},
        {"day": 0, "start": "13:00", "end": "17:00"},
    ]
    assert len(body["weekly"]) == 10
    assert body["holidays"] == ["2026-12-24", "2026-12-25"]  # sorted
    assert api(carol).get(f"{URL}{body['id']}/").json() == body


def test_agents_read_but_may_not_write(api, alice, carol):
    made = api(carol).post(URL, schedule(), format="json").json()
    assert api(alice).get(URL).status_code == 200
    assert api(alice).post(URL, schedule(name="Mine"), format="json").status_code == 403
    refused = api(alice).patch(f"{URL}{made['id']}/", {"name": "x"}, format="json")
    assert refused.status_code == 403
    assert api(alice).delete(f"{URL}{made['id']}/").status_code == 403
    assert BusinessHours.objects.get().name == "Support desk"


@pytest.mark.parametrize("role", [Role.GROUP_OWNER, Role.SYSTEM_OWNER])
def test_group_and_system_owners_write(api, role):
    owner = UserFactory(role=role)
    assert api(owner).post(URL, schedule(), format="json").status_code == 201


def test_an_unknown_time_zone_is_a_clear_400(api, carol):
    response = api(carol).post(URL, schedule(time_zone="Europe/Atlantis"), format="json")
    assert response.status_code == 400
    assert response.json() == {
        "time_zone": [
            "Unknown time zone 'Europe/Atlantis'; use an IANA name such as Europe/Berlin."
        ]
    }
    assert not BusinessHours.objects.exists()


def test_overlapping_and_backwards_windows_are_refused_whole(api, carol):
    weekly = [
        {"day": 1, "start": "09:00", "end": "13:00"},
        {"day": 1, "start": "12:30", "end": "17:00"},
        {"day": 2, "start": "18:00", "end": "08:00"},
    ]
    response = api(carol).post(URL, schedule(weekly=weekly), format="json")
    assert response.status_code == 400
    assert response.json() == {
        "weekly": [
            "Wednesday 18:00-08:00: the end must be after the start.",
            "Tuesday: 09:00-13:00 overlaps 12:30-17:00.",
        ]
    }
    assert not BusinessHours.objects.exists()


@pytest.mark.parametrize(
    ("window", "field", "message"),
    [
        ({"day": 7, "start": "09:00", "end": "10:00"}, "day", "less than or equal to 6"),
        ({"day": 0, "start": "9am", "end": "10:00"}, "start", "Use a 24-hour time HH:MM"),
        ({"day": 0, "start": "24:00", "end": "10:00"}, "start", "00:00 to 23:59"),
        ({"day": 0, "start": "09:00", "end": "24:30"}, "end", "00:00 to 24:00"),
    ],
)
def test_malformed_windows_name_the_field(api, carol, window, field, message):
    response = api(carol).post(URL, schedule(weekly=[window]), format="json")
    assert response.status_code == 400
    assert message in str(response.json()["weekly"]["0"][field])


def test_24_00_is_the_end_of_the_day(api, carol):
    weekly = [{"day": 5, "start": "18:00", "end": "24:00"}]
    body = api(carol).post(URL, schedule(weekly=weekly), format="json").json()
    assert body["weekly"] == weekly


def test_a_bad_holiday_is_refused(api, carol):
    response = api(carol).post(URL, schedule(holidays=["25/12/2026"]), format="json")
    assert response.status_code == 400
    assert "holidays" in response.json()


def test_a_put_replaces_the_week_and_keeps_holiday_names(api, carol):
    made = api(carol).post(URL, schedule(), format="json").json()
    stored = BusinessHours.objects.get().holidays.get(date="2026-12-25")
    stored.name = "Christmas"
    stored.save()
    weekly = [{"day": 6, "start": "10:00", "end": "14:00"}]
    updated = api(carol).put(
        f"{URL}{made['id']}/",
        schedule(weekly=weekly, holidays=["2026-12-25", "2027-01-01"]),
        format="json",
    )
    assert updated.status_code == 200, updated.content
    assert updated.json()["weekly"] == weekly
    assert updated.json()["holidays"] == ["2026-12-25", "2027-01-01"]
    assert BusinessHours.objects.get().holidays.get(date="2026-12-25").name == "Christmas"


def test_unknown_fields_are_refused(api, carol):
    response = api(carol).post(URL, schedule(open_on_sundays=True), format="json")
    assert response.status_code == 400
    assert "open_on_sundays" in response.json()


def test_a_queue_points_at_business_hours_with_its_out_of_hours_message(api, oscar, queue_a):
    owner = UserFactory(role=Role.SYSTEM_OWNER)
    made = api(owner).post(URL, schedule(), format="json").json()
    response = api(owner).patch(
        f"/api/v1/queues/{queue_a.pk}/",
        {"business_hours": made["id"], "out_of_hours_message": "We are closed; back at 9."},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["business_hours"] == made["id"]
    assert response.json()["out_of_hours_message"] == "We are closed; back at 9."
    # Schedules in use cannot be deleted: that would open the queue around the clock.
    refused = api(owner).delete(f"{URL}{made['id']}/")
    assert refused.status_code == 409
    assert "Queue A" in refused.json()["detail"]
    assert Queue.objects.get(pk=queue_a.pk).business_hours_id == made["id"]
    # Back to always open, then the schedule may go.
    api(owner).patch(f"/api/v1/queues/{queue_a.pk}/", {"business_hours": None}, format="json")
    assert api(owner).delete(f"{URL}{made['id']}/").status_code == 204
