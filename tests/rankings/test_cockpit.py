"""The cockpit's figures against an independent count on a generated city; the nightly rebuild."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db import OperationalError

from core.errors import ValidationFailed
from grids.models import Community, District
from grids.vocab import Duty
from orders.models import ServiceRequest, Task
from rankings.cockpit import services
from rankings.cockpit.figures import TREND_WEEKS, Area, collect
from rankings.cockpit.rollup import Rollup, percentile
from rankings.cockpit.tasks import rebuild_cockpit
from rankings.models import CockpitFigures
from reporting.models import ServiceRecord
from tests.rankings.cockpit_support import (
    busiest_street,
    communities_of,
    expected,
    first_district,
    local_date,
    yesterday,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db, pytest.mark.usefixtures("generated_city")]

HEADLINE = ["activities", "participations", "hours", "requests_solved", "problems_solved", "members_registered"]


def rebuilt(scope: str, day: dt.date | None = None) -> dict:
    day = day or yesterday()
    if not CockpitFigures.objects.filter(day=day).exists():
        services.cockpit_rebuild(day=day)
    return CockpitFigures.objects.get(scope=scope, day=day).data


def check_against_independent_count(data: dict, want: dict) -> None:
    for name in HEADLINE:
        assert data["totals"][name] == want[name], name
    assert data["quota"]["members"] == want["members_registered"]
    assert data["quota"]["met_hours"] == want["met_hours"]
    assert data["quota"]["visited"] == want["visited"]
    assert data["response"]["count"] == want["requests_solved"]
    assert data["response"]["median_hours"] == want["median_hours"]
    assert data["response"]["p90_hours"] == want["p90_hours"]


def test_the_city_matches_an_independent_count():
    data = rebuilt("city")
    want = expected(yesterday(), communities_of("city", None))
    assert want["activities"] > 100 and want["participations"] > 1000 and want["requests_solved"] > 10
    check_against_independent_count(data, want)
    assert data["totals"]["communities"] == Community.objects.count()
    assert data["name"] == "韶关市" and data["level"] == "city"


def test_a_district_and_a_street_match_an_independent_count():
    district, street = first_district(), busiest_street()
    check_against_independent_count(
        rebuilt(f"district:{district.pk}"), expected(yesterday(), communities_of("district", district.pk))
    )
    data = rebuilt(f"street:{street.pk}")
    check_against_independent_count(data, expected(yesterday(), communities_of("street", street.pk)))
    assert [p["name"] for p in data["path"]] == ["韶关市", street.district.name, street.name]


def test_an_earlier_day_counts_only_what_had_happened_by_then():
    day = yesterday() - dt.timedelta(days=40)
    if day.year != yesterday().year:
        day = yesterday()
    check_against_independent_count(rebuilt("city", day), expected(day, communities_of("city", None)))


def test_the_breakdown_one_level_down_adds_up_to_the_scope():
    city = rebuilt("city")
    assert city["areas"]["level"] == "district" and city["areas"]["label"] == "区/县(市)"
    assert [r["name"] for r in city["areas"]["rows"]] == list(
        District.objects.order_by("code").values_list("name", flat=True)
    )
    for name in ("activities", "participations", "problems_solved", "members_registered"):
        assert sum(r[name] for r in city["areas"]["rows"]) == city["totals"][name]
    district = first_district()
    data = rebuilt(f"district:{district.pk}")
    assert {r["scope"] for r in data["areas"]["rows"]} == {f"street:{s.pk}" for s in district.streets.all()}
    street = busiest_street()
    data = rebuilt(f"street:{street.pk}")
    assert data["areas"]["level"] == "community"
    assert {r["name"] for r in data["areas"]["rows"]} == set(street.communities.values_list("name", flat=True))
    assert all(r["scope"] is None for r in data["areas"]["rows"])


def test_weekly_trend_counts_each_iso_week():
    day = yesterday()
    data = rebuilt("city")
    weeks = data["weeks"]
    assert len(weeks) == TREND_WEEKS
    mondays = [dt.date.fromisoformat(w["monday"]) for w in weeks]
    assert mondays[-1] == day - dt.timedelta(days=day.weekday())
    assert all(b - a == dt.timedelta(weeks=1) for a, b in zip(mondays, mondays[1:], strict=False))
    assert weeks[-1]["week"] == f"{day.isocalendar().year}-W{day.isocalendar().week:02d}"

    def monday_of(moment) -> dt.date:
        d = local_date(moment)
        return d - dt.timedelta(days=d.weekday())

    participations, minutes, activities, solved = Counter(), Counter(), Counter(), Counter()
    for r in ServiceRecord.objects.filter(status="confirmed"):
        if local_date(r.started_at) <= day and local_date(r.confirmed_at) <= day:
            participations[monday_of(r.started_at)] += 1
            minutes[monday_of(r.started_at)] += r.minutes
    for t in Task.objects.filter(status="completed"):
        if local_date(t.completed_at) <= day:
            activities[monday_of(t.starts_at)] += 1
    for r in ServiceRequest.objects.filter(status__in=["resolved", "confirmed", "rated", "closed"]):
        if local_date(r.resolved_at) <= day:
            solved[monday_of(r.resolved_at)] += 1
    for w, monday in zip(weeks, mondays, strict=True):
        assert w["participations"] == participations[monday], monday
        assert w["hours"] == round(minutes[monday] / 60, 1), monday
        assert w["activities"] == activities[monday], monday
        assert w["requests_solved"] == solved[monday], monday
    assert sum(w["participations"] for w in weeks) > 0


def test_per_duty_figures_cover_the_eight_duties():
    day = yesterday()
    data = rebuilt("city")
    assert [(d["duty"], d["label"]) for d in data["duties"]] == list(Duty.choices)
    assert sum(d["activities"] for d in data["duties"]) == data["totals"]["activities"]
    assert sum(d["participations"] for d in data["duties"]) == data["totals"]["participations"]
    assert sum(d["requests_solved"] for d in data["duties"]) == data["totals"]["requests_solved"]
    busiest = max(data["duties"], key=lambda d: d["requests_solved"])
    hours = sorted(
        (r.resolved_at - r.created_at).total_seconds() / 3600
        for r in ServiceRequest.objects.filter(
            duty=busiest["duty"], status__in=["resolved", "confirmed", "rated", "closed"]
        )
        if dt.date(day.year, 1, 1) <= local_date(r.resolved_at) <= day
    )
    assert busiest["requests_solved"] == len(hours)
    assert busiest["median_hours"] == round(percentile(hours, 0.5), 1)
    assert busiest["p90_hours"] == round(percentile(hours, 0.9), 1)


def test_percentile_interpolates_like_numpy():
    assert percentile([], 0.5) is None
    assert percentile([4.0], 0.9) == 4.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile([float(n) for n in range(1, 11)], 0.9) == pytest.approx(9.1)


def test_the_map_has_every_community_of_the_scope_with_its_place():
    street = busiest_street()
    data = rebuilt(f"street:{street.pk}")
    places = {c.name: (round(c.lng, 5), round(c.lat, 5)) for c in street.communities.all()}
    assert {p["name"]: (p["lng"], p["lat"]) for p in data["map"]} == places
    assert sum(p["hours"] for p in data["map"]) == pytest.approx(data["totals"]["hours"], abs=0.1 * len(places))
    assert len(rebuilt("city")["map"]) == Community.objects.count()


def test_one_scope_computed_alone_equals_the_rebuild():
    street = busiest_street()
    alone = Rollup(collect(yesterday(), Area("street", street.pk))).scope_data("street", street.pk)
    assert alone == rebuilt(f"street:{street.pk}")
    district = first_district()
    alone = Rollup(collect(yesterday(), Area("district", district.pk))).scope_data("district", district.pk)
    assert alone == rebuilt(f"district:{district.pk}")


# --- the rebuild ----------------------------------------------------------------------------


def test_a_rebuild_writes_the_city_every_district_and_every_street():
    from grids.models import Street

    n = services.cockpit_rebuild(day=yesterday())
    scopes = set(CockpitFigures.objects.filter(day=yesterday()).values_list("scope", flat=True))
    assert n == len(scopes) == 1 + District.objects.count() + Street.objects.count()
    assert "city" in scopes


def test_rebuilding_the_same_day_twice_leaves_the_same_rows():
    services.cockpit_rebuild(day=yesterday())
    first = dict(CockpitFigures.objects.filter(day=yesterday()).values_list("scope", "data"))
    services.cockpit_rebuild(day=yesterday())
    second = dict(CockpitFigures.objects.filter(day=yesterday()).values_list("scope", "data"))
    assert first == second
    assert CockpitFigures.objects.filter(day=yesterday()).count() == len(first)


def test_a_rebuild_that_fails_midway_keeps_the_previous_rows(monkeypatch):
    services.cockpit_rebuild(day=yesterday())
    before = dict(CockpitFigures.objects.filter(day=yesterday()).values_list("scope", "data"))
    # The ledger changes, then a rebuild dies after writing its first rows.
    ServiceRecord.objects.filter(status="confirmed").update(minutes=1, reported_minutes=1)
    original = CockpitFigures.objects.bulk_create

    def dies_midway(rows, **kwargs):
        original(rows[:5], **kwargs)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(CockpitFigures.objects, "bulk_create", dies_midway)
    with pytest.raises(OperationalError):
        services.cockpit_rebuild(day=yesterday())
    assert dict(CockpitFigures.objects.filter(day=yesterday()).values_list("scope", "data")) == before


def test_a_future_day_is_refused():
    with pytest.raises(ValidationFailed) as exc:
        services.cockpit_rebuild(day=dt.date.today() + dt.timedelta(days=2))
    assert "未来" in exc.value.message


# --- the Celery task --------------------------------------------------------------------------


def test_the_nightly_task_builds_yesterday():
    assert rebuild_cockpit.name == "rankings.cockpit.tasks.rebuild_cockpit"
    result = rebuild_cockpit.delay()
    assert result.get() == CockpitFigures.objects.filter(day=yesterday()).count() > 0


def test_the_task_takes_a_day():
    day = yesterday() - dt.timedelta(days=3)
    rebuild_cockpit.delay(day.isoformat()).get()
    assert CockpitFigures.objects.filter(day=day, scope="city").exists()


def test_the_task_retries_a_failed_run_and_completes(monkeypatch):
    calls = []
    real = services.cockpit_rebuild

    def flaky(*, day):
        calls.append(day)
        if len(calls) == 1:
            raise OperationalError("could not serialize access")
        return real(day=day)

    monkeypatch.setattr(services, "cockpit_rebuild", flaky)
    # throw=False: let Celery handle the retry as a worker would, instead of raising it here.
    result = rebuild_cockpit.apply(throw=False)
    assert len(calls) == 2
    assert result.get() > 0
    assert CockpitFigures.objects.filter(day=yesterday(), scope="city").exists()


def test_the_task_does_not_retry_a_refused_day(monkeypatch):
    calls = []

    def refuses(*, day):
        calls.append(day)
        raise ValidationFailed("不能生成未来日期的驾驶舱数据。")

    monkeypatch.setattr(services, "cockpit_rebuild", refuses)
    with pytest.raises(ValidationFailed):
        rebuild_cockpit.apply(args=["2030-01-01"]).get()
    assert len(calls) == 1
