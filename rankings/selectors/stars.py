"""Reads of 评星定级: a member's stars for a year and what the next star needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from grids.models import Member
from rankings.models import MemberStars
from rankings.stars import needs_text, stars_for, thresholds


@dataclass(frozen=True)
class YearStars:
    year: int
    stars: int
    hours: float
    quarters: int
    outcomes: int
    likes: int
    computed_at: datetime
    next_needs: dict | None  # component → how much more the next star needs; None at five stars
    next_needs_text: str


def stars_of(member: Member | int, year: int) -> YearStars | None:
    """The member's stars of ``year`` as last recomputed (nightly), with what the next star needs
    by today's thresholds; ``None`` before the first recompute. One query."""
    member_id = member if isinstance(member, int) else member.pk
    row = MemberStars.objects.filter(member_id=member_id, year=year).first()
    if row is None:
        return None
    _, needs = stars_for(row.minutes / 60, row.quarters, row.outcomes, row.likes, thresholds())
    return YearStars(
        year=year,
        stars=row.stars,
        hours=row.hours,
        quarters=row.quarters,
        outcomes=row.outcomes,
        likes=row.likes,
        computed_at=row.computed_at,
        next_needs=needs,
        next_needs_text=needs_text(needs),
    )


def stars_by_member(member_ids, year: int) -> dict[int, int]:
    """Stars of ``year`` per member id, as last recomputed; members not yet rated are absent. One query."""
    return dict(MemberStars.objects.filter(member_id__in=list(member_ids), year=year).values_list("member_id", "stars"))
