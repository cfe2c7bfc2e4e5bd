"""FilterSets for the orders API. Ids and dates are validated, so junk is a 400, never a 500."""

import django_filters

from grids.filters import IdFilter
from grids.vocab import Duty, Focus
from orders.models import Acceptance, Escalation, ServiceRequest, Task


class RequestFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ServiceRequest.Status.choices, label="状态（可多选）")
    duty = django_filters.ChoiceFilter(choices=Duty.choices, label="服务类别")
    community = IdFilter(field_name="community_id", label="社区")
    grid = IdFilter(field_name="grid_id", label="网格")
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label="提交日期起")
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label="提交日期止")


class TaskFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Task.Status.choices, label="状态（可多选）")
    duty = django_filters.ChoiceFilter(choices=Duty.choices, label="职责")
    focus = django_filters.ChoiceFilter(choices=Focus.choices, label="重点")
    community = IdFilter(field_name="community_id", label="社区")
    grid = IdFilter(field_name="grid_id", label="网格")
    starts_after = django_filters.DateFilter(field_name="starts_at", lookup_expr="date__gte", label="开始日期起")
    starts_before = django_filters.DateFilter(field_name="starts_at", lookup_expr="date__lte", label="开始日期止")


class AcceptanceFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Acceptance.Status.choices, label="状态（可多选）")
    starts_after = django_filters.DateFilter(field_name="starts_at", lookup_expr="date__gte", label="开始日期起")
    starts_before = django_filters.DateFilter(field_name="starts_at", lookup_expr="date__lte", label="开始日期止")


class EscalationFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Escalation.Status.choices, label="状态（可多选）")
    community = IdFilter(field_name="community_id", label="社区")
    street = IdFilter(field_name="street_id", label="街道/镇")
    overdue = django_filters.BooleanFilter(label="已超期")
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label="上报日期起")
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label="上报日期止")
