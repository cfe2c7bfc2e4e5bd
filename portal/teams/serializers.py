"""The teams API's bodies: a team, its members, its hours and board place; adding a member and
whistling a task to the team."""

from rest_framework import serializers

from accounts.phone import mask_phone
from orders.serializers.tasks import TaskCreateIn


class TeamOut(serializers.Serializer):
    id = serializers.IntegerField(source="team.pk")
    name = serializers.CharField(source="team.name")
    grid_id = serializers.IntegerField(source="team.grid_id")
    grid_name = serializers.CharField(source="team.grid.name")
    community_id = serializers.IntegerField(source="team.grid.community_id")
    community_name = serializers.CharField(source="team.grid.community.name")
    my_role = serializers.CharField(source="role", help_text="我在队中的角色：captain / vice_captain / member")
    my_role_label = serializers.CharField(source="get_role_display")
    leads = serializers.SerializerMethodField(help_text="我是否为队长或副队长（可管理本队）")
    member_count = serializers.IntegerField(source="team_size")

    def get_leads(self, obj) -> bool:
        return obj.role in ("captain", "vice_captain")


class TeamMemberOut(serializers.Serializer):
    member_id = serializers.IntegerField()
    name = serializers.CharField(source="member.user.name")
    phone = serializers.SerializerMethodField(help_text="脱敏手机号")
    kind_label = serializers.CharField(source="member.get_kind_display")
    unit_name = serializers.CharField(source="member.unit.name", default=None, allow_null=True)
    role = serializers.CharField()
    role_label = serializers.CharField(source="get_role_display")
    joined_at = serializers.DateTimeField()
    hours = serializers.SerializerMethodField(help_text="本年度已确认服务时长（小时）")

    def get_phone(self, obj) -> str:
        return mask_phone(obj.member.user.phone)

    def get_hours(self, obj) -> float:
        return round(getattr(obj, "minutes", 0) / 60, 1)


class TeamBoardOut(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True, help_text="全市名次；未上榜为 null")
    city_rank = serializers.IntegerField(allow_null=True)
    district_rank = serializers.IntegerField(allow_null=True, help_text="区内名次")
    score = serializers.FloatField()
    per_capita = serializers.FloatField(allow_null=True, help_text="人均分（先锋队榜按人均分排名）")
    headcount = serializers.IntegerField(allow_null=True)
    in_top = serializers.BooleanField(help_text="是否在前 50 名")
    gap = serializers.FloatField(allow_null=True, help_text="进入前 50 名还差的人均分")


class TeamDetailOut(serializers.Serializer):
    id = serializers.IntegerField(source="team.pk")
    name = serializers.CharField(source="team.name")
    grid_id = serializers.IntegerField(source="team.grid_id")
    grid_name = serializers.CharField(source="team.grid.name")
    community_id = serializers.IntegerField(source="team.grid.community_id")
    community_name = serializers.CharField(source="team.grid.community.name")
    my_role = serializers.CharField(source="role")
    my_role_label = serializers.CharField(source="role_label")
    year = serializers.IntegerField(help_text="统计年度")
    minutes = serializers.IntegerField(help_text="本年度队员已确认服务时长合计（分钟）")
    hours = serializers.FloatField(help_text="同上，小时")
    members = TeamMemberOut(source="memberships", many=True)
    board = TeamBoardOut(allow_null=True, help_text="先锋队榜上的位置；尚未生成榜单时为 null")
    board_day = serializers.DateField(allow_null=True, help_text="榜单数据截至日期")


class TeamMemberAddIn(serializers.Serializer):
    phone = serializers.CharField(max_length=20, help_text="已在本社区报到的党员/志愿者的手机号")


class TeamTaskIn(TaskCreateIn):
    """A task for the team only: in the team grid's community, seen and taken by its members."""

    community = None
    grid = None
    visibility = None
    team = None
