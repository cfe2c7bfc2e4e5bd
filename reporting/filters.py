"""FilterSets for the reporting API (the hours ledger and report-for-duty visits)."""

import django_filters

from grids.filters import IdFilter
from grids.vocab import Duty
from reporting.models import ServiceRecord, Visit


class ServiceRecordFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ServiceRecord.Status.choices, label="状态（可多选）")
    duty = django_filters.ChoiceFilter(choices=Duty.choices, label="职责")
    community = IdFilter(field_name="community_id", label="社区")
    member = IdFilter(field_name="member_id", label="党员")
    started_after = django_filters.DateFilter(field_name="started_at", lookup_expr="date__gte", label="服务日期起")
    started_before = django_filters.DateFilter(field_name="started_at", lookup_expr="date__lte", label="服务日期止")


class VisitFilter(django_filters.FilterSet):
    community = IdFilter(field_name="community_id", label="社区")
    method = django_filters.ChoiceFilter(choices=Visit.Method.choices, label="方式")
    quarter = django_filters.CharFilter(field_name="quarter", max_length=7, label="季度，如 2026Q4")
    visited_after = django_filters.DateFilter(field_name="visited_on", lookup_expr="gte", label="报到日期起")
    visited_before = django_filters.DateFilter(field_name="visited_on", lookup_expr="lte", label="报到日期止")
