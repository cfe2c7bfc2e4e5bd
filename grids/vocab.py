"""The vocabulary every part of the work shares: the eight duties and the three focuses."""

from django.db import models


class Duty(models.TextChoices):
    """八大职责: what in-service party members do in their communities."""

    PARTY_GUIDANCE = "party_guidance", "党建指导"
    POLICY_PUBLICITY = "policy_publicity", "政策宣传"
    AFFAIRS_COORDINATION = "affairs_coordination", "社务协调"
    CIVILITY = "civility", "文明倡导"
    SANITATION = "sanitation", "环境保洁"
    SAFETY = "safety", "平安守护"
    CONVENIENCE = "convenience", "便民服务"
    POVERTY_RELIEF = "poverty_relief", "扶贫济困"


class Focus(models.TextChoices):
    """三项重点: every task serves one of them."""

    PARTY_BUILDING = "party_building", "抓党建"
    GOVERNANCE = "governance", "抓治理"
    SERVICE = "service", "抓服务"


class CoordSystem(models.TextChoices):
    WGS84 = "wgs84", "WGS-84（浏览器）"
    GCJ02 = "gcj02", "GCJ-02（微信）"
