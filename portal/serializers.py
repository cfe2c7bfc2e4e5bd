"""The API's ``me/`` body: the account, the volunteer profile, posts, registration, unread count."""

from rest_framework import serializers

from accounts.serializers import UserOut
from core.rows import CompiledRepresentation
from grids.serializers.people import MemberProfileOut, PostOut
from grids.serializers.registration import RegistrationOut


class MeOut(CompiledRepresentation, serializers.Serializer):
    user = UserOut()
    member = MemberProfileOut(allow_null=True)
    posts = PostOut(many=True)
    active_registration = RegistrationOut(allow_null=True)
    unread_count = serializers.IntegerField(help_text="未读消息数")
    subscribe_template_ids = serializers.ListField(
        child=serializers.CharField(), help_text="小程序订阅消息模板 ID（wx.requestSubscribeMessage 用）；未配置时为空"
    )


class QuarterOut(serializers.Serializer):
    quarter = serializers.CharField(help_text="Q1–Q4")
    visited = serializers.BooleanField(help_text="本季度是否已到社区报到")
    over = serializers.BooleanField(help_text="本季度是否已结束")
    current = serializers.BooleanField(help_text="是否为当前季度")


class NextNeedsOut(serializers.Serializer):
    hours = serializers.FloatField(required=False, help_text="还需工作时间以外服务时长（小时）")
    quarters = serializers.IntegerField(required=False, help_text="还需报到季度数")
    outcomes = serializers.IntegerField(required=False, help_text="还需办结件数")
    likes = serializers.IntegerField(required=False, help_text="还需点赞数")


class StarsOut(serializers.Serializer):
    year = serializers.IntegerField()
    stars = serializers.IntegerField(help_text="星级（1–5）")
    hours = serializers.FloatField(help_text="工作时间以外服务时长（小时）")
    quarters = serializers.IntegerField(help_text="报到季度数")
    outcomes = serializers.IntegerField(help_text="成效（办结件数）")
    likes = serializers.IntegerField(help_text="群众点赞数")
    computed_at = serializers.DateTimeField(help_text="评定时间（每晚更新）")
    next_needs = NextNeedsOut(allow_null=True, help_text="下一星还需；五星时为 null")
    next_needs_text = serializers.CharField()


class MeStarsOut(serializers.Serializer):
    stars = StarsOut(allow_null=True, help_text="尚未评定（每晚更新）时为 null")
    rules = serializers.ListField(child=serializers.CharField(), help_text="评星标准")


class MeQuotaOut(serializers.Serializer):
    year = serializers.IntegerField()
    quota_hours = serializers.IntegerField(help_text="年度服务时长要求（小时）")
    confirmed_hours = serializers.FloatField(help_text="已确认服务时长合计（小时）")
    counted_hours = serializers.FloatField(help_text="其中计入年度要求的（工作时间以外）时长（小时）")
    pending_hours = serializers.FloatField(help_text="待社区确认的时长（小时）")
    remaining_hours = serializers.FloatField(help_text="距年度要求还差（小时）")
    percent = serializers.IntegerField(help_text="完成百分比（0–100）")
    expected_hours = serializers.FloatField(help_text="按今天在全年中的进度，应已完成的时长（小时）")
    hours_on_pace = serializers.BooleanField()
    quarters = QuarterOut(many=True)
    quarters_behind = serializers.ListField(child=serializers.CharField(), help_text="已结束而未报到的季度")
    visits_on_pace = serializers.BooleanField()
    on_pace = serializers.BooleanField(help_text="时长和报到是否都跟上进度")
    stars = StarsOut(allow_null=True, help_text="本年星级；尚未评定时为 null")
