"""Serializers for the inbox API."""

from rest_framework import serializers

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
