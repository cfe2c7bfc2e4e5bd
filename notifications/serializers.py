"""Serializers for the inbox API."""

from rest_framework import serializers

from notifications.kinds import KINDS
from notifications.models import Notification


class NotificationOut(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at", "is_read"]

    def get_is_read(self, obj) -> bool:
        return obj.read_at is not None


class ReadAllOut(serializers.Serializer):
    updated = serializers.IntegerField(help_text="本次标为已读的条数")
    unread_count = serializers.IntegerField()


class ChannelOut(serializers.Serializer):
    channel = serializers.CharField(help_text="wechat（微信订阅消息）或 sms（短信）")
    label = serializers.CharField()
    allowed = serializers.BooleanField()


class ChannelSettingOut(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    help = serializers.CharField()
    channels = ChannelOut(many=True)


class ChannelPreferenceIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(KINDS), help_text="消息类型")
    wechat = serializers.BooleanField(required=False, help_text="通过微信订阅消息接收；不传则不变")
    sms = serializers.BooleanField(required=False, help_text="通过短信接收；不传则不变")
