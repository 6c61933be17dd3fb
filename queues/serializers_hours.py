"""`/api/v1/business-hours/`: `{id, name, time_zone, weekly: [{day, start, end}], holidays}`."""

from __future__ import annotations

import re
from datetime import time

from django.db import transaction
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from chatdesk.strict import RejectUnknownFieldsMixin
from queues import hours
from queues.models import BusinessHours, Holiday, OpeningWindow

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@extend_schema_field(
    {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$", "example": "09:00"}
)
class _ClockField(serializers.Field):
    """24-hour `HH:MM`; an end may be `24:00` (midnight at the end of the day)."""

    def __init__(self, *, end: bool = False, **kwargs) -> None:
        self.end = end
        super().__init__(**kwargs)

    def to_internal_value(self, data: object) -> time:
        if isinstance(data, str) and self.end and data == "24:00":
            return hours.END_OF_DAY
        match = _HHMM.match(data) if isinstance(data, str) else None
        if match is None:
            allowed = "00:00 to 24:00" if self.end else "00:00 to 23:59"
            raise serializers.ValidationError(f"Use a 24-hour time HH:MM, {allowed}.")
        return time(int(match.group(1)), int(match.group(2)))

    def to_representation(self, value: time) -> str:
        return hours.hhmm_end(value) if self.end else f"{value:%H:%M}"


class WindowSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    day = serializers.IntegerField(min_value=0, max_value=6, help_text="Monday 0 ... Sunday 6.")
    start = _ClockField()
    end = _ClockField(end=True, help_text="Exclusive; 24:00 is the end of the day.")


class BusinessHoursSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    weekly = WindowSerializer(many=True, required=False)
    holidays = serializers.ListField(
        child=serializers.DateField(format="%Y-%m-%d", input_formats=["%Y-%m-%d"]),
        required=False,
        help_text="Whole days closed, in the schedule's time zone.",
    )

    class Meta:
        model = BusinessHours
        fields = ["id", "name", "time_zone", "weekly", "holidays"]

    def validate_time_zone(self, value: str) -> str:
        if not hours.valid_time_zone(value):
            raise serializers.ValidationError(
                f"Unknown time zone {value!r}; use an IANA name such as Europe/Berlin."
            )
        return value

    def validate_weekly(self, weekly: list[dict]) -> list[dict]:
        problems = hours.window_problems([(w["day"], w["start"], w["end"]) for w in weekly])
        if problems:
            raise serializers.ValidationError(problems)
        return sorted(weekly, key=lambda w: (w["day"], w["start"]))

    def validate_holidays(self, holidays: list) -> list:
        return sorted(set(holidays))

    def to_representation(self, instance: BusinessHours) -> dict:
        return {
            "id": instance.pk,
            "name": instance.name,
            "time_zone": instance.time_zone,
            "weekly": [
                {"day": w.day, "start": f"{w.start:%H:%M}", "end": hours.hhmm_end(w.end)}
                for w in instance.windows.all()
            ],
            "holidays": [h.date.isoformat() for h in instance.holidays.all()],
        }

    @transaction.atomic
    def create(self, validated_data: dict) -> BusinessHours:
        weekly = validated_data.pop("weekly", [])
        holidays = validated_data.pop("holidays", [])
        schedule = BusinessHours.objects.create(**validated_data)
        self._set(schedule, weekly=weekly, holidays=holidays)
        return schedule

    @transaction.atomic
    def update(self, instance: BusinessHours, validated_data: dict) -> BusinessHours:
        weekly = validated_data.pop("weekly", None)
        holidays = validated_data.pop("holidays", None)
        schedule = super().update(instance, validated_data)
        self._set(schedule, weekly=weekly, holidays=holidays)
        return schedule

    def _set(
        self, schedule: BusinessHours, *, weekly: list[dict] | None, holidays: list | None
    ) -> None:
        # Replaced whole: a schedule is edited as one table, as the admin shows it.
        if weekly is not None:
            schedule.windows.all().delete()
            OpeningWindow.objects.bulk_create(
                OpeningWindow(schedule=schedule, **window) for window in weekly
            )
        if holidays is not None:
            # Days kept keep the names the admin gave them.
            schedule.holidays.exclude(date__in=holidays).delete()
            known = set(schedule.holidays.values_list("date", flat=True))
            Holiday.objects.bulk_create(
                Holiday(schedule=schedule, date=day) for day in holidays if day not in known
            )
        # The prefetch cache (if any) is stale now.
        getattr(schedule, "_prefetched_objects_cache", {}).clear()
