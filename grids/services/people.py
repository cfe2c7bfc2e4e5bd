"""Writes on people: a member's profile (党员/志愿者资料), by the member or by staff.

Each function is one action, keyword-only, transactional, locking what it changes, raising
``core.errors`` with a Chinese message. Views, API, admin actions and commands call these.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from core.errors import Conflict, ValidationFailed
from grids.geo import WGS84, location_to_wgs84
from grids.models import Community, Grid, Member, Skill, Unit
from grids.services.rows import row_create, row_delete, row_update


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


MEMBER_ADMIN_FIELDS = frozenset({"kind", "unit", "skills", "home_address", "home_lat", "home_lng", "community", "grid"})


@transaction.atomic
def member_enrol(
    *,
    user,
    kind: str,
    unit: Unit | None = None,
    skills: Sequence[str] = (),
    home_address: str = "",
    home_lat: float | None = None,
    home_lng: float | None = None,
    community: Community | None = None,
    grid: Grid | None = None,
) -> Member:
    """Staff enter a member's profile for them (the admin's "add member")."""
    return row_create(
        Member(
            user=user,
            kind=kind,
            unit=unit,
            skills=list(skills),
            home_address=home_address,
            home_lat=home_lat,
            home_lng=home_lng,
            community=community,
            grid=grid,
        )
    )


@transaction.atomic
def member_update(*, member: Member, **changes: Any) -> Member:
    """Staff correct a member's profile (the admin's "change member")."""
    return row_update(member, changes, allowed=MEMBER_ADMIN_FIELDS)


@transaction.atomic
def member_delete(*, member: Member) -> None:
    row_delete(member)
