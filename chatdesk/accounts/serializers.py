from rest_framework import serializers

from chatdesk.accounts.models import AgentSettings
from chatdesk.strict import RejectUnknownFieldsMixin


class AgentSettingsSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = AgentSettings
        fields = ["show_toaster", "web_notifications", "play_sound", "sound"]
