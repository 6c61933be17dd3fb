from __future__ import annotations

from django.db import transaction
from rest_framework import serializers

from chatdesk.strict import RejectUnknownFieldsMixin
from queues.models import Queue, QueueMember

# Service-level targets beyond this are a typo, not a target (thirty days).
MAX_TARGET_SECONDS = 30 * 24 * 3600


class MemberSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = QueueMember
        fields = ["agent", "priority"]


class QueueSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    """docs/api.md: `{id, name, strategy, ring_timeout_seconds, max_chats_per_agent, members,
    business_hours, out_of_hours_message}`."""

    members = MemberSerializer(source="memberships", many=True, required=False)

    class Meta:
        model = Queue
        fields = [
            "id",
            "name",
            "strategy",
            "ring_timeout_seconds",
            "max_chats_per_agent",
            "members",
            "business_hours",
            "out_of_hours_message",
            "csat_enabled",
            "first_response_target_seconds",
            "resolution_target_seconds",
            "reassign_after_seconds",
            "owner_offline_after_seconds",
        ]
        extra_kwargs = {
            "out_of_hours_message": {"max_length": 1000},
            "first_response_target_seconds": {"max_value": MAX_TARGET_SECONDS},
            "resolution_target_seconds": {"max_value": MAX_TARGET_SECONDS},
        }

    def validate(self, attrs: dict) -> dict:
        first = attrs.get(
            "first_response_target_seconds",
            self.instance.first_response_target_seconds if self.instance else None,
        )
        resolution = attrs.get(
            "resolution_target_seconds",
            self.instance.resolution_target_seconds if self.instance else None,
        )
        if first is not None and resolution is not None and resolution < first:
            raise serializers.ValidationError(
                {
                    "resolution_target_seconds": [
                        "The resolution target cannot be shorter than the first-response target."
                    ]
                }
            )
        return attrs

    def validate_members(self, members: list[dict]) -> list[dict]:
        agents = [member["agent"].pk for member in members]
        if len(agents) != len(set(agents)):
            raise serializers.ValidationError("An agent can be a member only once.")
        return members

    @transaction.atomic
    def create(self, validated_data: dict) -> Queue:
        members = validated_data.pop("memberships", [])
        queue = Queue.objects.create(**validated_data)
        self._set_members(queue, members)
        return queue

    @transaction.atomic
    def update(self, instance: Queue, validated_data: dict) -> Queue:
        members = validated_data.pop("memberships", None)
        queue = super().update(instance, validated_data)
        if members is not None:
            self._set_members(queue, members)
        return queue

    def _set_members(self, queue: Queue, members: list[dict]) -> None:
        keep = {member["agent"].pk: member["priority"] for member in members}
        queue.memberships.exclude(agent_id__in=keep).delete()
        for agent_id, priority in keep.items():
            QueueMember.objects.update_or_create(
                queue=queue, agent_id=agent_id, defaults={"priority": priority}
            )
