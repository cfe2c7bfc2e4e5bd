"""FilterSets for the grids API. Ids are validated as positive integers, so junk is a 400."""

import django_filters
from django import forms
from django.db.models import Q

from grids.models import Community, Grid, Member, Registration, Skill, Unit

MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


def _search(fields_contains: list[str], initials_field: str | None):
    def method(queryset, name, value):
        value = (value or "").strip()[:50]
        if not value:
            return queryset
        q = Q()
        for f in fields_contains:
            q |= Q(**{f"{f}__icontains": value})
        if initials_field and value.isascii() and value.isalpha():
            q |= Q(**{f"{initials_field}__startswith": value.lower()})
        return queryset.filter(q)

    return method


class StreetFilter(django_filters.FilterSet):
    district = IdFilter(field_name="district_id", label="区/县(市)")


class CommunityFilter(django_filters.FilterSet):
    street = IdFilter(field_name="street_id", label="街道/镇")
    district = IdFilter(field_name="street__district_id", label="区/县(市)")
    kind = django_filters.ChoiceFilter(choices=Community.Kind.choices, label="类型")
    search = django_filters.CharFilter(
        method=_search(["name", "address"], "name_initials"), label="名称、地址或拼音首字母"
    )


class GridFilter(django_filters.FilterSet):
    community = IdFilter(field_name="community_id", label="社区")
    level = django_filters.TypedChoiceFilter(choices=Grid.Level.choices, coerce=int, label="层级")
    parent = IdFilter(field_name="parent_id", label="上级网格")


class UnitFilter(django_filters.FilterSet):
    district = IdFilter(field_name="district_id", label="区/县(市)")
    kind = django_filters.ChoiceFilter(choices=Unit.Kind.choices, label="类型")
    search = django_filters.CharFilter(method=_search(["name"], "name_initials"), label="名称或拼音首字母")


class MemberFilter(django_filters.FilterSet):
    community = IdFilter(field_name="community_id", label="社区")
    grid = IdFilter(method="filter_grid", label="网格（含其楼栋）")
    unit = IdFilter(field_name="unit_id", label="单位")
    kind = django_filters.ChoiceFilter(choices=Member.Kind.choices, label="类型")
    skill = django_filters.ChoiceFilter(choices=Skill.choices, method="filter_skill", label="专长")
    search = django_filters.CharFilter(
        method=_search(["user__name", "user__phone"], "user__name_initials"), label="姓名、手机号或拼音首字母"
    )

    def filter_grid(self, queryset, name, value):
        return queryset.filter(Q(grid_id=value) | Q(grid__parent_id=value))

    def filter_skill(self, queryset, name, value):
        # Skills are a JSON list of fixed codes; matching the quoted code works on
        # PostgreSQL and SQLite alike (SQLite has no JSON containment lookup).
        return queryset.filter(skills__icontains=f'"{value}"')


class RegistrationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Registration.Status.choices, label="状态")
    source = django_filters.ChoiceFilter(choices=Registration.Source.choices, label="方式")
    community = IdFilter(field_name="community_id", label="社区")
