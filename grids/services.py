"""Writes on the organisation: members' profiles and registration (报到).

Each function is one action, keyword-only, transactional, locking what it changes, raising
``core.errors`` with a Chinese message. Views, API, admin actions and commands call these.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from grids.geo import GCJ02, WGS84, in_city, to_wgs84
from grids.models import Community, Grid, Member, Registration, RegistrationChoice, Skill, Unit
from grids.selectors import communities_in_reach, registration_in_scope, scope_for

MAX_CHOICES = 3


def location_to_wgs84(
    *, lat: float, lng: float, coord_system: str = WGS84, field: str = "location"
) -> tuple[float, float]:
    """Convert a client location to stored WGS-84, refusing points outside Shaoguan."""
    if coord_system not in (WGS84, GCJ02):
        raise ValidationFailed("坐标系只能是 wgs84 或 gcj02。", field="coord_system")
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValidationFailed("经纬度超出范围。", field=field)
    wlat, wlng = to_wgs84(lat, lng, coord_system)
    if not in_city(wlat, wlng):
        raise ValidationFailed("该位置不在韶关市范围内。", code="outside_city", field=field)
    return wlat, wlng


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 50:
        raise ValidationFailed("请填写姓名（不超过 50 个字）。", field="name")
    return name


def _clean_skills(skills: Sequence[str]) -> list[str]:
    if isinstance(skills, str) or not all(isinstance(s, str) for s in skills):
        raise ValidationFailed("专长格式不正确。", field="skills")
    known = set(Skill.values)
    unknown = [s for s in skills if s not in known]
    if unknown:
        raise ValidationFailed(f"未知的专长：{'、'.join(unknown)}。", field="skills")
    return sorted(set(skills), key=Skill.values.index)


def _clean_home(
    home_lat: float | None, home_lng: float | None, coord_system: str
) -> tuple[float, float] | tuple[None, None]:
    if (home_lat is None) != (home_lng is None):
        raise ValidationFailed("请同时提供纬度和经度。", field="lat")
    if home_lat is None:
        return None, None
    return location_to_wgs84(lat=home_lat, lng=home_lng, coord_system=coord_system, field="lat")


@transaction.atomic
def member_create(
    *,
    user,
    kind: str,
    unit: Unit | None = None,
    name: str | None = None,
    skills: Sequence[str] = (),
    home_address: str = "",
    home_lat: float | None = None,
    home_lng: float | None = None,
    coord_system: str = WGS84,
) -> Member:
    """A signed-in user becomes a member (党员/志愿者) of the given kind.

    In-service party members (在职党员) name their unit. The user's name is required unless
    already known.
    """
    if kind not in Member.Kind.values:
        raise ValidationFailed("请选择正确的身份类型。", field="kind")
    if kind == Member.Kind.IN_SERVICE and unit is None:
        raise ValidationFailed("在职党员请选择所在单位。", field="unit")
    # The user row is locked so that two quick submissions cannot both pass the check below;
    # the one-to-one column is the final guard.
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if Member.objects.filter(user=user).exists():
        raise Conflict("您已经填写过党员/志愿者资料。", code="already_member")
    if name is not None or not user.name:
        user.name = _clean_name(name)
    clean_skills = _clean_skills(skills or [])
    lat, lng = _clean_home(home_lat, home_lng, coord_system)
    user.save(update_fields=["name"])
    try:
        with transaction.atomic():
            return Member.objects.create(
                user=user,
                kind=kind,
                unit=unit,
                skills=clean_skills,
                home_address=(home_address or "").strip()[:200],
                home_lat=lat,
                home_lng=lng,
            )
    except IntegrityError as exc:
        raise Conflict("您已经填写过党员/志愿者资料。", code="already_member") from exc


@transaction.atomic
def member_profile_update(
    *,
    member: Member,
    name: str | None = None,
    skills: Sequence[str] | None = None,
    home_address: str | None = None,
    home_lat: float | None = None,
    home_lng: float | None = None,
    coord_system: str = WGS84,
) -> Member:
    member = Member.objects.select_for_update(of=("self",)).select_related("user").get(pk=member.pk)
    fields: list[str] = []
    # Everything is checked before anything is written, so a bad field changes nothing.
    clean_name = _clean_name(name) if name is not None else None
    clean_skills = _clean_skills(skills) if skills is not None else None
    lat, lng = _clean_home(home_lat, home_lng, coord_system)
    if clean_name is not None:
        member.user.name = clean_name
        member.user.save(update_fields=["name"])
    if clean_skills is not None:
        member.skills = clean_skills
        fields.append("skills")
    if home_address is not None:
        member.home_address = home_address.strip()[:200]
        fields.append("home_address")
    if lat is not None:
        member.home_lat, member.home_lng = lat, lng
        fields += ["home_lat", "home_lng"]
    if fields:
        member.save(update_fields=fields)
    return member


def _lock_member(member: Member) -> Member:
    # Serialises a member's registration actions: two taps of "submit" on a slow network
    # must not both pass the "no active registration" check. The partial unique index on
    # Registration is the final guard; this lock makes the second request wait and then
    # see the first one's row, so it gets a clear 409 rather than an integrity error.
    # ``of=self``: PostgreSQL cannot lock the nullable side of the outer join to the unit.
    return Member.objects.select_for_update(of=("self",)).select_related("unit", "user").get(pk=member.pk)


@transaction.atomic
def registration_create(*, member: Member, community_ids: Sequence[int], actor) -> Registration:
    """Self-select up to three ranked communities; the first one is asked to place the member."""
    ids = list(community_ids)
    if not ids:
        raise ValidationFailed("请至少选择一个社区。", field="communities")
    if len(ids) > MAX_CHOICES:
        raise ValidationFailed(f"最多选择 {MAX_CHOICES} 个社区。", field="communities")
    if len(set(ids)) != len(ids):
        raise ValidationFailed("同一个社区不能重复选择。", field="communities")
    if actor.pk != member.user_id:
        raise PermissionDenied("只能为自己报到。")

    member = _lock_member(member)
    if Registration.objects.filter(member=member, status__in=Registration.ACTIVE).exists():
        raise Conflict("您已有进行中的报到，请先撤回后再重新选择。", code="already_registered")

    found = {c.pk: c for c in Community.objects.filter(pk__in=ids)}
    if len(found) != len(ids):
        raise ValidationFailed("所选社区不存在。", field="communities")
    anchors_missing = member.home_lat is None and not (member.unit_id and member.unit.lat is not None)
    if anchors_missing and not (member.unit_id and member.unit.pairings.exists()):
        raise ValidationFailed(
            "请先在“我的资料”中填写居住地位置，以便查找附近社区。", code="no_location", field="communities"
        )
    reachable = {c.pk for c in communities_in_reach(member)}
    outside = [found[i].name for i in ids if i not in reachable]
    if outside:
        raise ValidationFailed(
            f"{'、'.join(outside)}不在您居住地或工作单位附近（{settings.REGISTRATION_REACH_KM:g} 公里内），"
            "也不是您单位的结对社区，请选择附近的社区。",
            code="out_of_reach",
            field="communities",
        )

    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                member=member,
                community=found[ids[0]],
                status=Registration.Status.PENDING,
                source=Registration.Source.SELF_SELECTED,
                decided_by=actor,
            )
    except IntegrityError as exc:  # the partial unique index: a concurrent registration won
        raise Conflict("您已有进行中的报到，请先撤回后再重新选择。", code="already_registered") from exc
    RegistrationChoice.objects.bulk_create(
        RegistrationChoice(registration=registration, community=found[cid], rank=rank)
        for rank, cid in enumerate(ids, start=1)
    )
    return registration


def _lock_registration(registration: Registration) -> Registration:
    return (
        Registration.objects.select_for_update(of=("self",))
        .select_related("member", "community__street")
        .get(pk=registration.pk)
    )


def _require_community_staff(actor, registration: Registration) -> None:
    community = registration.community
    if community is None:
        # Unplaced or ended: no community holds it, so no community action applies.
        raise Conflict(f"该报到{registration.get_status_display()}，社区不能处理。", code="illegal_transition")
    if not scope_for(actor).covers_community(community):
        raise PermissionDenied("您无权处理其他社区的报到。")


@transaction.atomic
def registration_place(*, registration: Registration, grid: Grid, actor) -> Registration:
    """The community puts the member into one of its grids (or moves them to another grid)."""
    registration = _lock_registration(registration)
    _require_community_staff(actor, registration)
    if registration.status not in (Registration.Status.PENDING, Registration.Status.PLACED):
        raise Conflict(f"该报到{registration.get_status_display()}，不能编入网格。", code="illegal_transition")
    if grid.community_id != registration.community_id:
        raise ValidationFailed("所选网格不属于该社区。", code="grid_of_other_community", field="grid")
    now = timezone.now()
    registration.grid = grid
    registration.status = Registration.Status.PLACED
    registration.placed_at = registration.placed_at or now
    registration.save(update_fields=["grid", "status", "placed_at"])
    Member.objects.filter(pk=registration.member_id).update(community=registration.community_id, grid=grid)
    return registration


@transaction.atomic
def registration_decline(*, registration: Registration, actor, reason: str = "") -> Registration:
    """The community passes; the next-ranked choice is asked, or the district must adjust."""
    registration = _lock_registration(registration)
    _require_community_staff(actor, registration)
    if registration.status != Registration.Status.PENDING:
        raise Conflict(f"该报到{registration.get_status_display()}，不能婉拒。", code="illegal_transition")
    now = timezone.now()
    RegistrationChoice.objects.filter(registration=registration, community=registration.community_id).update(
        declined_at=now
    )
    nxt = (
        RegistrationChoice.objects.filter(registration=registration, declined_at__isnull=True)
        .order_by("rank")
        .select_related("community")
        .first()
    )
    registration.note = (reason or "").strip()[:200]
    if nxt:
        registration.community = nxt.community
    else:
        registration.community = None
        registration.status = Registration.Status.UNPLACED
    registration.save(update_fields=["community", "status", "note"])
    return registration


@transaction.atomic
def registration_withdraw(*, registration: Registration, actor) -> Registration:
    """The member withdraws a pending registration, or leaves the community they were placed in."""
    registration = _lock_registration(registration)
    if registration.member.user_id != actor.pk:
        raise PermissionDenied("只能撤回自己的报到。")
    if registration.status not in Registration.ACTIVE:
        raise Conflict(f"该报到{registration.get_status_display()}，无需撤回。", code="illegal_transition")
    was_placed = registration.status == Registration.Status.PLACED
    registration.status = Registration.Status.ENDED if was_placed else Registration.Status.WITHDRAWN
    registration.ended_at = timezone.now()
    registration.save(update_fields=["status", "ended_at"])
    if was_placed:
        Member.objects.filter(pk=registration.member_id).update(community=None, grid=None)
    return registration


@transaction.atomic
def registration_adjust(*, member: Member, community: Community, actor, note: str = "") -> Registration:
    """调剂: a district officer moves a member to another community, recording who decided.

    Ends the member's active registration and opens an ``adjusted`` one at ``community``,
    waiting for that community to place the member into a grid.
    """
    scope = scope_for(actor)
    district_roles = scope.city or bool(scope.district_ids)
    if not district_roles or not scope.covers_community(community):
        raise PermissionDenied("只有区/县组织部门可以调剂报到社区。")
    member = _lock_member(member)
    current = Registration.objects.select_for_update().filter(member=member, status__in=Registration.ACTIVE).first()
    if current is not None:
        if not registration_in_scope(current, scope):
            raise PermissionDenied("该党员当前报到的社区不在您的管辖范围内。")
        if current.community_id == community.pk and current.status == Registration.Status.PLACED:
            raise Conflict("该党员已在这个社区报到。", code="already_registered")
        current.status = Registration.Status.ENDED
        current.ended_at = timezone.now()
        current.save(update_fields=["status", "ended_at"])
    Member.objects.filter(pk=member.pk).update(community=None, grid=None)
    registration = Registration.objects.create(
        member=member,
        community=community,
        status=Registration.Status.PENDING,
        source=Registration.Source.ADJUSTED,
        decided_by=actor,
        note=(note or "").strip()[:200],
    )
    # The community it was sent to is its only choice: if that community declines, the
    # registration waits unplaced where that community's district can still see and adjust it.
    RegistrationChoice.objects.create(registration=registration, community=community, rank=1)
    return registration


def registration_get_for_staff(*, registration_id: int, actor) -> Registration:
    """Fetch a registration a staff user may act on (404 when it does not exist, 403 outside scope)."""
    registration = (
        Registration.objects.select_related("community__street", "member__user").filter(pk=registration_id).first()
    )
    if registration is None:
        raise NotFound("报到记录不存在。")
    if not registration_in_scope(registration, scope_for(actor)):
        raise PermissionDenied("您无权处理该报到。")
    return registration
