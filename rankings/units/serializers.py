"""Output of the unit party organisation's API (reads only)."""

from rest_framework import serializers


class UnitQuotaOut(serializers.Serializer):
    """A member's year against the rules, as the unit sees it."""

    year = serializers.IntegerField()
    quota_hours = serializers.IntegerField(help_text="年度服务时长要求（小时）")
    counted_hours = serializers.FloatField(help_text="计入年度要求的（工作时间以外）时长（小时）")
    confirmed_hours = serializers.FloatField(help_text="已确认服务时长合计（小时）")
    expected_hours = serializers.FloatField(help_text="按今天在全年中的进度，应已完成的时长（小时）")
    quota_met = serializers.BooleanField()
    hours_on_pace = serializers.BooleanField()
    quarters_visited = serializers.IntegerField(help_text="本年已到社区报到的季度数")
    visits = serializers.DictField(child=serializers.BooleanField(), help_text="Q1–Q4：该季度是否到社区报到")
    current_quarter = serializers.CharField(help_text="本年的当前季度（Q1–Q4）；往年为空")


class UnitMemberRefOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="user.name")
    community_id = serializers.IntegerField(allow_null=True, help_text="所在（已编入）社区")
    community_name = serializers.SerializerMethodField()

    def get_community_name(self, member) -> str:
        return member.community.name if member.community_id else ""


class UnitRegistrationOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    status = serializers.CharField(help_text="pending 待社区编入 · placed 已编入网格 · unplaced 待调剂")
    status_display = serializers.CharField(source="get_status_display")
    community_id = serializers.IntegerField(allow_null=True)
    community_name = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_community_name(self, registration) -> str:
        return registration.community.name if registration.community_id else ""


class UnitWaitingOut(UnitRegistrationOut):
    member = UnitMemberRefOut()


class BehindFlagsOut(serializers.Serializer):
    hours_behind = serializers.BooleanField(help_text="工作时间以外的时长落后于全年进度")
    no_visit_this_quarter = serializers.BooleanField(help_text="本季度还未到社区报到")
    reasons = serializers.ListField(child=serializers.CharField(), help_text="中文说明，可直接展示")


class UnitRosterRowOut(serializers.Serializer):
    member = UnitMemberRefOut()
    registration = UnitRegistrationOut(allow_null=True, help_text="当前报到（待编入、已编入或待调剂）；未报到为 null")
    quota = UnitQuotaOut()
    behind = BehindFlagsOut(allow_null=True, help_text="进度落后的情况；跟上进度为 null")
    stars = serializers.IntegerField(allow_null=True, help_text="本年星级（1–5，每晚评定）；尚未评定为 null")


class UnitBehindOut(BehindFlagsOut):
    member = UnitMemberRefOut()
    quota = UnitQuotaOut()
