"""Reads on tasks and acceptances: the member's task hall, staff lists, dispatch suggestions.

Distances are computed in SQL with the equirectangular approximation (squared degree deltas,
longitude scaled by cos(latitude)): within a city it is off by well under 1 %, it runs the same
on SQLite and PostgreSQL, and it lets the database sort and page without a row per task in Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date as Date

from django.conf import settings
from django.db.models import Count, Exists, ExpressionWrapper, F, FloatField, OuterRef, Q, QuerySet, Value, Window
from django.db.models.functions import Floor, Sqrt
from django.utils import timezone

from core.cache import read_through
from core.prepared import Prepared, columns
from grids.geo import bbox_around, haversine_m
from grids.models import Member, Pairing, TeamMembership
from grids.selectors.organisation import paired_community_ids, paired_entry
from grids.selectors.scope import scope_for
from grids.selectors.teams import team_ids_of_member, teams_entry
from orders.models import Acceptance, Task

A, T, V = Acceptance.Status, Task.Status, Task.Visibility
# Acceptances that hold the member's time: the same set the database constraints cover.
LIVE = [A.ACCEPTED, A.CHECKED_IN, A.COMPLETED]
METRES_PER_DEGREE = 111_195.08  # 2πR / 360 with the mean Earth radius grids.geo uses
HALL_BAND_M = 1000  # the hall sorts by 1 km rings, soonest first within a ring
CITY_DISPATCH_RADIUS_M = 5_000  # city-wide tasks suggest registered members living this close
QUOTA_POINTS = 40  # the most a suggestion gains for hours still to do this year


def _distance_m(lat: float, lng: float, lng_scale: float | None = None) -> ExpressionWrapper:
    """Metres from (lat, lng); ``lng_scale`` is cos(lat), given when the query is compiled once."""
    k = math.cos(math.radians(lat)) if lng_scale is None else lng_scale
    dlat = F("lat") - Value(lat)
    dlng = (F("lng") - Value(lng)) * Value(k)
    return ExpressionWrapper(Sqrt(dlat * dlat + dlng * dlng) * Value(METRES_PER_DEGREE), output_field=FloatField())


def member_may_see(member: Member, task: Task) -> bool:
    """Visibility: the community's members; also paired units' members; or every registered
    member; a team's task only that team's members (whatever their community)."""
    if task.visibility == V.TEAM:
        # Read from the table, not the cache: this is the check that guards 接单.
        return TeamMembership.objects.filter(team_id=task.team_id, member_id=member.pk).exists()
    if member.community_id is not None and member.community_id == task.community_id:
        return True
    if task.visibility == V.CITY and member.community_id is not None:
        return True
    if task.visibility in (V.PAIRED, V.CITY) and member.unit_id is not None:
        return Pairing.objects.filter(unit_id=member.unit_id, community_id=task.community_id).exists()
    return False


def _visible_q(member: Member) -> Q:
    """Tasks ``member`` may see (``member_may_see`` for one task), as one filter.

    Reads the communities paired with the member's unit and the member's teams from the cache
    (a query each on a miss).
    """
    return _visible(member.community_id, _paired(member), team_ids_of_member(member.pk))


def _paired(member: Member) -> list[int]:
    return paired_community_ids(member.unit_id) if member.unit_id is not None else []


def _visible(community_id: int | None, paired: list[int], teams: list[int]) -> Q:
    q = Q(pk__in=[])
    if community_id is not None:
        q |= (Q(community_id=community_id) & ~Q(visibility=V.TEAM)) | Q(visibility=V.CITY)
    if paired:
        # A literal IN lets PostgreSQL use an index per branch of the OR; a subquery there makes
        # it filter every open task.
        q |= Q(visibility__in=[V.PAIRED, V.CITY], community_id__in=paired)
    if teams:
        q |= Q(visibility=V.TEAM, team_id__in=teams)
    return q


def tasks_visible_to_member(member: Member) -> QuerySet[Task]:
    """Every task the member may see, in any status (the detail page's access check)."""
    return Task.objects.select_related("community__street", "grid", "team").filter(_visible_q(member))


def task_hall(
    member: Member,
    *,
    lat: float | None = None,
    lng: float | None = None,
    duty: str | None = None,
    date: Date | None = None,
    max_distance_m: float | None = None,
) -> QuerySet[Task]:
    """The tasks ``member`` may take now: visible, open, not started, not already held.

    Each row carries ``distance_m`` from (lat, lng), or from the member's home (None when
    neither is known). Nearest first by 1 km rings, soonest first within a ring.
    """
    args = _hall_args(member, lat=lat, lng=lng, duty=duty, date=date, max_distance_m=max_distance_m)
    return _hall(**args).select_related("community", "grid", "team")


def task_hall_page(member: Member, *, limit: int, offset: int, **filters) -> tuple[list[dict], int]:
    """One page of ``task_hall`` (same arguments) and the count of all its rows, in one query
    compiled once per process (``core.prepared``): the API's hall, the busiest read a member makes.

    The rows are the query's values (``HALL_COLUMNS``), not tasks: the API writes them out as
    they are (``orders.serializers.tasks.hall_rows_out``), with no model instance in between.
    """
    rows = _HALL_PAGE.rows(limit=limit, offset=offset, **_hall_args(member, **filters))
    return rows, (rows[0]["total"] if rows else 0)


def _hall_args(member: Member, *, lat, lng, duty, date, max_distance_m) -> dict:
    """``_hall``'s arguments: everything the query needs, computed here, not in the query."""
    args = dict(
        member_id=member.pk,
        community_id=member.community_id,
        paired=[],
        teams=[],
        now=timezone.now(),
        duty=duty or None,
        day=None,
        origin=None,
        lng_scale=None,
        box=None,
        max_distance_m=None,
    )
    # The member's paired communities and teams in one cache round trip.
    entries = [teams_entry(member.pk)] + ([paired_entry(member.unit_id)] if member.unit_id is not None else [])
    args["teams"], *paired = read_through(*entries)
    args["paired"] = paired[0] if paired else []
    if date is not None:
        from reporting.worktime import day_bounds

        args["day"] = list(day_bounds(date))
    if lat is None or lng is None:
        lat, lng = member.home_lat, member.home_lng
    if lat is not None and lng is not None:
        args.update(origin=[float(lat), float(lng)], lng_scale=math.cos(math.radians(lat)))
        if max_distance_m is not None:
            args.update(box=list(bbox_around(lat, lng, max_distance_m)), max_distance_m=float(max_distance_m))
    return args


def _hall(
    *, member_id, community_id, paired, teams, now, duty, day, origin, lng_scale, box, max_distance_m
) -> QuerySet[Task]:
    held = Acceptance.objects.filter(task=OuterRef("pk"), member_id=member_id, status__in=LIVE)
    qs = Task.objects.filter(_visible(community_id, paired, teams), status=T.OPEN, starts_at__gt=now).filter(
        ~Exists(held)
    )
    if duty is not None:
        qs = qs.filter(duty=duty)
    if day is not None:
        qs = qs.filter(starts_at__gte=day[0], starts_at__lt=day[1])
    if origin is None:
        return qs.annotate(distance_m=Value(None, output_field=FloatField())).order_by("starts_at", "pk")
    qs = qs.annotate(distance_m=_distance_m(origin[0], origin[1], lng_scale))
    if box is not None:
        lat_min, lat_max, lng_min, lng_max = box
        qs = qs.filter(
            lat__gte=lat_min, lat__lte=lat_max, lng__gte=lng_min, lng__lte=lng_max, distance_m__lte=max_distance_m
        )
    return qs.annotate(band=Floor(F("distance_m") / HALL_BAND_M)).order_by("band", "starts_at", "pk")


HALL_COLUMNS = (
    *columns(Task),
    "community__name",
    "grid__name",
    "team__name",
    "distance_m",
)
_HALL_PAGE = Prepared(lambda **args: _hall(**args).values(*HALL_COLUMNS, total=Window(Count("*"))))


def tasks_for(user) -> QuerySet[Task]:
    """Tasks the user may manage as staff (grid secretaries: their grid's), newest start first."""
    return (
        Task.objects.select_related("community__street", "grid", "team", "created_by")
        .filter(scope_for(user).q("community", "grid"))
        .order_by("-starts_at", "-pk")
    )


def acceptances_for_member(member: Member) -> QuerySet[Acceptance]:
    """A member's acceptances, the latest task first."""
    return (
        Acceptance.objects.select_related("task__community", "task__grid", "task__team", "checkin", "record")
        .filter(member=member)
        .order_by("-starts_at", "-pk")
    )


def acceptances_of_task(task: Task) -> QuerySet[Acceptance]:
    """Who took a task's slots (for its staff page)."""
    return (
        Acceptance.objects.select_related("member__user", "member__unit", "checkin", "record")
        .filter(task=task)
        .order_by("accepted_at", "pk")
    )


@dataclass
class Suggestion:
    member: Member
    matched_skills: list[str]
    distance_m: float | None
    remaining_minutes: int
    score: float


def dispatch_suggestions(task: Task, limit: int = 20) -> list[Suggestion]:
    """Members to invite to ``task``, best first, in three queries whatever the number of members.

    Candidates are those who could see it (the community's members; paired units' members;
    city-wide: registered members living within 5 km; a team's task: the team's members) with no
    overlapping acceptance. Score:
    30 per wanted skill they have, up to 40 for how much of the year's quota is still to do,
    up to 30 for living close (−3 per km).
    """
    if task.visibility == V.TEAM:
        candidates = Q(pk__in=TeamMembership.objects.filter(team_id=task.team_id).values("member_id"))
    else:
        candidates = Q(community_id=task.community_id)
    if task.visibility in (V.PAIRED, V.CITY):
        candidates |= Q(unit_id__in=Pairing.objects.filter(community_id=task.community_id).values("unit_id"))
    if task.visibility == V.CITY:
        lat_min, lat_max, lng_min, lng_max = bbox_around(task.lat, task.lng, CITY_DISPATCH_RADIUS_M)
        candidates |= Q(
            community__isnull=False,
            home_lat__gte=lat_min,
            home_lat__lte=lat_max,
            home_lng__gte=lng_min,
            home_lng__lte=lng_max,
        )
    clashing = Acceptance.objects.filter(
        member=OuterRef("pk"), status__in=LIVE, starts_at__lt=task.ends_at, ends_at__gt=task.starts_at
    )
    rows = list(
        Member.objects.filter(candidates, user__is_active=True)
        .filter(~Exists(clashing))
        .values_list("pk", "skills", "home_lat", "home_lng")
    )
    if not rows:
        return []
    from reporting.selectors import confirmed_minutes_by_member

    wanted = set(task.skills_wanted or [])
    partial = []  # skills and distance first: they need no query
    for pk, skills, home_lat, home_lng in rows:
        matched = [s for s in (skills or []) if s in wanted]
        distance = haversine_m(home_lat, home_lng, task.lat, task.lng) if home_lat is not None else None
        points = 30 * len(matched) + (max(0.0, 30 - 3 * distance / 1000) if distance is not None else 0.0)
        partial.append((points, pk, matched, distance))
    partial.sort(key=lambda r: (-r[0], r[1]))
    # The quota adds 0..40 points, so nobody more than 40 points below the limit-th partial
    # score can reach the top: their hours need not be read (a city-wide task has thousands).
    floor = partial[min(limit, len(partial)) - 1][0] - QUOTA_POINTS
    contenders = [r for r in partial if r[0] >= floor]
    quota = settings.QUOTA_HOURS_PER_YEAR * 60
    year = timezone.localtime(task.starts_at).year
    done = confirmed_minutes_by_member([r[1] for r in contenders], year)
    scored = []
    for points, pk, matched, distance in contenders:
        remaining = max(0, quota - done.get(pk, 0))
        score = points + (QUOTA_POINTS * remaining / quota if quota else 0)
        scored.append((pk, matched, distance, remaining, round(score, 2)))
    scored.sort(key=lambda r: (-r[4], r[2] if r[2] is not None else math.inf, r[0]))
    top = scored[:limit]
    members = Member.objects.select_related("user", "unit", "community").in_bulk([r[0] for r in top])
    return [Suggestion(members[pk], matched, dist, rem, score) for pk, matched, dist, rem, score in top]
