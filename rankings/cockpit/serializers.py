"""The shape of ``GET /api/v1/cockpit/`` for the OpenAPI schema.

The figures are precomputed as JSON (``CockpitFigures.data``) and returned as they are stored;
these serializers describe that JSON, field by field.
"""

from rest_framework import serializers as s


class PlaceOut(s.Serializer):
    scope = s.CharField(help_text="city、district:<编号> 或 street:<编号>")
    name = s.CharField()


class TotalsOut(s.Serializer):
    activities = s.IntegerField(help_text="开展活动：本年已完成的任务数（按开始日期）")
    participations = s.IntegerField(help_text="参与人次：本年已确认的服务记录数")
    hours = s.FloatField(help_text="服务时长（小时）：本年已确认的全部时长")
    # Absent from figures stored before it existed, until the next nightly rebuild.
    counted_hours = s.FloatField(required=False, help_text="计入20小时要求的时长（小时）：其中工作时间以外的部分")
    problems_solved = s.IntegerField(help_text="解决群众问题：办结的点单 + 非点单来源的联席会议办结事项")
    requests_solved = s.IntegerField()
    escalations_solved = s.IntegerField()
    members_registered = s.IntegerField(help_text="报到党员：已到本范围社区报到的党员/志愿者")
    communities = s.IntegerField()


class WeekOut(s.Serializer):
    monday = s.DateField()
    week = s.CharField(help_text="ISO 周，如 2026-W47")
    activities = s.IntegerField()
    participations = s.IntegerField()
    hours = s.FloatField()
    requests_solved = s.IntegerField()


class AreaRowOut(s.Serializer):
    scope = s.CharField(allow_null=True, help_text="可下钻的范围；社区为 null")
    name = s.CharField()
    activities = s.IntegerField()
    participations = s.IntegerField()
    hours = s.FloatField()
    problems_solved = s.IntegerField()
    members_registered = s.IntegerField()
    met_hours_share = s.FloatField(allow_null=True, help_text="年度服务满 20 小时的党员占比（%）")
    visited_share = s.FloatField(allow_null=True, help_text="本季度到社区报到的党员占比（%）")


class AreasOut(s.Serializer):
    level = s.ChoiceField(choices=["district", "street", "community"])
    label = s.CharField()
    rows = AreaRowOut(many=True)


class DutyOut(s.Serializer):
    duty = s.CharField()
    label = s.CharField(help_text="八大职责")
    activities = s.IntegerField()
    participations = s.IntegerField()
    hours = s.FloatField()
    requests_solved = s.IntegerField()
    median_hours = s.FloatField(allow_null=True, help_text="点单从提交到办结的中位时长（小时）")
    p90_hours = s.FloatField(allow_null=True, help_text="第 90 百分位时长（小时）")


class ResponseOut(s.Serializer):
    count = s.IntegerField()
    median_hours = s.FloatField(allow_null=True)
    p90_hours = s.FloatField(allow_null=True)


class QuotaOut(s.Serializer):
    hours = s.IntegerField(help_text="年度服务时长要求（小时）")
    members = s.IntegerField()
    met_hours = s.IntegerField()
    met_hours_share = s.FloatField(allow_null=True)
    visited = s.IntegerField()
    visited_share = s.FloatField(allow_null=True)


class MapPointOut(s.Serializer):
    name = s.CharField()
    street = s.CharField()
    kind = s.CharField()
    lng = s.FloatField(help_text="WGS-84")
    lat = s.FloatField(help_text="WGS-84")
    hours = s.FloatField()
    activities = s.IntegerField()
    participations = s.IntegerField()
    problems_solved = s.IntegerField()
    members = s.IntegerField()


class FiguresOut(s.Serializer):
    version = s.IntegerField()
    scope = s.CharField()
    level = s.ChoiceField(choices=["city", "district", "street"])
    name = s.CharField()
    path = PlaceOut(many=True)
    day = s.DateField()
    year = s.IntegerField()
    period_start = s.DateField()
    quarter = s.CharField()
    totals = TotalsOut()
    weeks = WeekOut(many=True, help_text="近 26 个 ISO 周")
    areas = AreasOut(help_text="下一级（区/县、街道/镇或社区）分布")
    duties = DutyOut(many=True)
    response = ResponseOut()
    quota = QuotaOut()
    map = MapPointOut(many=True)


class CockpitOut(s.Serializer):
    scope = s.CharField()
    day = s.DateField(help_text="数据截至日期")
    built_at = s.DateTimeField(allow_null=True, help_text="每日凌晨生成的时间；实时统计时为 null")
    live = s.BooleanField(help_text="尚无每日生成的数据，本次为实时统计")
    figures = FiguresOut()
