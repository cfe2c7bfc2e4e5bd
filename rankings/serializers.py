"""Output serializers of the boards API (reads only: the boards are written by the nightly rebuild)."""

from rest_framework import serializers

from core.rows import CompiledRepresentation
from rankings.models import Board


class MovementOut(CompiledRepresentation, serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["up", "down", "same", "new", "none"],
        help_text="up 上升 · down 下降 · same 持平 · new 新上榜 · none 无前一日榜单可比",
    )
    change = serializers.IntegerField(help_text="上升或下降的名次数")
    label = serializers.CharField(help_text="显示用：↑3、↓1、新上榜、—")


class EntryOut(CompiledRepresentation, serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True, help_text="名次：全市榜为全市名次，区县榜为区内名次")
    city_rank = serializers.IntegerField(allow_null=True)
    district_rank = serializers.IntegerField(allow_null=True)
    subject_id = serializers.IntegerField(help_text="党员、单位、社区或先锋队的 ID（视榜单而定）")
    district_id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    detail = serializers.CharField(help_text="党员：单位；单位：区县；社区：街道；先锋队：社区")
    score = serializers.FloatField(help_text="总分")
    per_capita = serializers.FloatField(allow_null=True, help_text="人均分（单位、社区、先锋队）")
    headcount = serializers.IntegerField(allow_null=True, help_text="人数（单位、社区、先锋队）")
    hours = serializers.FloatField(help_text="已确认服务时长（小时，一位小数）")
    minutes = serializers.IntegerField()
    services = serializers.IntegerField(help_text="服务次数")
    outcomes = serializers.IntegerField(help_text="成效：办结并经居民确认的件数")
    likes = serializers.IntegerField(help_text="群众点赞")
    movement = MovementOut()


class MyEntryOut(EntryOut):
    scope = serializers.ChoiceField(choices=["city", "district"], help_text="名次与差距按全市还是本区计算")
    in_top = serializers.BooleanField(help_text="是否在前 50 名内")
    gap = serializers.FloatField(
        allow_null=True,
        help_text="进入前 50 名还差的分数（按人均分排名的榜单为人均分）；已在前 50 名或榜单不足 50 名时为空",
    )


class BoardSummaryOut(serializers.Serializer):
    board = serializers.ChoiceField(choices=Board.choices)
    name = serializers.CharField()
    period = serializers.CharField(help_text="统计区间")
    ranked_by = serializers.ChoiceField(choices=["score", "per_capita"])


class BoardDistrictOut(CompiledRepresentation, serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class BoardListOut(serializers.Serializer):
    day = serializers.DateField(allow_null=True, help_text="榜单数据截至日期；尚未生成任何榜单时为空")
    update_note = serializers.CharField()
    tie_rule = serializers.CharField(help_text="同分时的排名规则")
    score_rule = serializers.CharField(help_text="总分的计算方法（权重见设置）")
    count = serializers.IntegerField()
    results = BoardSummaryOut(many=True)
    districts = BoardDistrictOut(many=True)


class BoardOut(CompiledRepresentation, serializers.Serializer):
    board = serializers.ChoiceField(choices=Board.choices)
    name = serializers.CharField()
    day = serializers.DateField(allow_null=True)
    period = serializers.CharField(allow_null=True)
    district = BoardDistrictOut(allow_null=True)
    ranked_by = serializers.ChoiceField(choices=["score", "per_capita"])
    tie_rule = serializers.CharField()
    count = serializers.IntegerField()
    results = EntryOut(many=True)


class MyBoardOut(CompiledRepresentation, serializers.Serializer):
    board = serializers.ChoiceField(choices=Board.choices)
    name = serializers.CharField()
    day = serializers.DateField(allow_null=True)
    district = BoardDistrictOut(allow_null=True)
    note = serializers.CharField(allow_blank=True, help_text="不在该榜单时的说明")
    results = MyEntryOut(many=True)


class HistoryPointOut(serializers.Serializer):
    day = serializers.DateField()
    rank = serializers.IntegerField()
    district_rank = serializers.IntegerField(allow_null=True)
    score = serializers.FloatField()
    per_capita = serializers.FloatField(allow_null=True)
    hours = serializers.FloatField()


class HistoryOut(serializers.Serializer):
    board = serializers.ChoiceField(choices=Board.choices)
    subject_id = serializers.IntegerField()
    name = serializers.CharField(allow_blank=True)
    detail = serializers.CharField(allow_blank=True)
    days = serializers.IntegerField()
    day = serializers.DateField(allow_null=True)
    points = HistoryPointOut(many=True)
