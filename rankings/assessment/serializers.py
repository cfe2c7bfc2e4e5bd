"""The shape of the assessment sheets in the API (``/api/v1/assessments/``)."""

from rest_framework import serializers as s


class StarsDistributionOut(s.Serializer):
    one = s.IntegerField(source="1", help_text="一星人数")
    two = s.IntegerField(source="2", help_text="二星人数")
    three = s.IntegerField(source="3", help_text="三星人数")
    four = s.IntegerField(source="4", help_text="四星人数")
    five = s.IntegerField(source="5", help_text="五星人数")
    unrated = s.IntegerField(help_text="本年度尚未评星的人数（每晚评定）")


class SheetOut(s.Serializer):
    level = s.ChoiceField(["city", "district", "street", "community", "unit"], help_text="考核对象类型")
    id = s.IntegerField(allow_null=True, help_text="考核对象编号；全市为 null")
    name = s.CharField()
    parent_id = s.IntegerField(allow_null=True, help_text="上级：单位、街道/镇为所属区/县(市)，社区为所属街道/镇")
    parent_name = s.CharField(allow_blank=True)
    period = s.CharField(help_text="考核期间：年度如 2026，季度如 2026Q1（北京时间）")
    period_label = s.CharField()
    members = s.IntegerField(help_text="党员人数：单位为本单位党员；社区、街道、区为在此报到的党员（期末前已登记）")
    members_registered = s.IntegerField(help_text="已到社区报到的党员人数")
    members_served = s.IntegerField(allow_null=True, help_text="期间内参加过服务的党员人数（全市合计为 null）")
    met_hours = s.IntegerField(help_text="工作时间以外服务时长达标人数（年度 20 小时，季度按四分之一）")
    met_hours_share = s.FloatField(allow_null=True, help_text="达标人数占党员人数的百分比")
    met_visits = s.IntegerField(help_text="到社区报到达标人数（季度至少 1 次；年度为已开始的每个季度各至少 1 次）")
    met_visits_share = s.FloatField(allow_null=True)
    met_both = s.IntegerField(help_text="两项都达标的人数")
    hours_required = s.FloatField(help_text="本期时长要求（小时）")
    visit_quarters = s.ListField(child=s.CharField(), help_text="需要到社区报到的季度")
    minutes = s.IntegerField(help_text="服务时长（分钟）：期间内开始、已确认的服务记录")
    hours = s.FloatField(help_text="服务时长（小时，保留一位小数）")
    quota_minutes = s.IntegerField(help_text="其中工作时间以外的分钟数（计入年度要求）")
    quota_hours = s.FloatField()
    services = s.IntegerField(help_text="服务次数（已确认的服务记录数）")
    outcomes = s.IntegerField(help_text="成效（办结件数），与排行榜口径一致")
    likes = s.IntegerField(help_text="群众点赞数")
    stars = StarsDistributionOut(help_text="年度星级分布（季度考核显示所在年度的星级）")
    score = s.FloatField(allow_null=True, help_text="总分（与排行榜同一算法）；全市合计为 null")
    per_capita = s.FloatField(allow_null=True, help_text="人均分；没有党员时为 null")
    rank = s.IntegerField(allow_null=True, help_text="在全市同类对象中的名次（先比人均分，再比总分、服务时长）")
    rank_of = s.IntegerField(allow_null=True, help_text="全市同类对象数")
    parent_rank = s.IntegerField(allow_null=True, help_text="在上级（区/县(市)或街道/镇）内的名次")
    parent_rank_of = s.IntegerField(allow_null=True)
