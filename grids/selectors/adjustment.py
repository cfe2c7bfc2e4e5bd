"""Reads of 调剂 rounds: who sees which round, its moves, and the rows a round is solved over."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, Max, OuterRef, Q, QuerySet

from core.errors import NotFound, PermissionDenied
from grids.models import (
    AdjustmentMove,
    AdjustmentRound,
    Community,
    District,
    Pairing,
    Registration,
    RegistrationChoice,
)
from grids.selectors.scope import Scope, scope_for

S = Registration.Status


def can_adjust(scope: Scope, district: District | None) -> bool:
    """City staff adjust anywhere; a district officer adjusts their own district only."""
    if district is None:
        return scope.city
    return scope.city or district.pk in scope.district_ids


def adjustment_rounds_for(user) -> QuerySet[AdjustmentRound]:
    """Rounds the user may see: all for city staff, their districts' rounds for district officers."""
    scope = scope_for(user)
    qs = AdjustmentRound.objects.select_related("district", "created_by", "decided_by")
    if scope.city:
        return qs
    return qs.filter(district_id__in=scope.district_ids)


def adjustment_round_get(*, round_id: int, actor) -> AdjustmentRound:
    """One round the actor may act on (404 when it does not exist, 403 outside their posts)."""
    found = AdjustmentRound.objects.select_related("district", "created_by", "decided_by").filter(pk=round_id).first()
    if found is None:
        raise NotFound("调剂方案不存在。")
    if not can_adjust(scope_for(actor), found.district):
        raise PermissionDenied("您无权查看或处理该调剂方案。")
    return found


def adjustment_moves(round_: AdjustmentRound) -> QuerySet[AdjustmentMove]:
    return AdjustmentMove.objects.filter(round=round_).select_related(
        "member__user", "member__unit", "from_community", "to_community", "proposed_community"
    )


@dataclass
class RoundInput:
    """The rows a round is solved over, in a stable order (communities and registrations by id)."""

    communities: list[tuple]  # (id, name, lat, lng, members_needed)
    registrations: list[tuple]  # (id, member_id, status, community_id, home_lat, home_lng, unit_id,
    #                               unit_lat, unit_lng, last_event_id)
    choices: list[tuple]  # (registration_id, community_id, rank), not declined
    pairings: list[tuple]  # (unit_id, community_id)


def _registrations_in_round(district: District | None) -> QuerySet[Registration]:
    qs = Registration.objects.filter(status__in=Registration.ACTIVE)
    if district is None:
        return qs
    # An unplaced registration has no community: it belongs to the districts the member chose.
    return qs.filter(
        Q(community__street__district=district)
        | Q(status=S.UNPLACED, community__isnull=True)
        & Exists(RegistrationChoice.objects.filter(registration=OuterRef("pk"), community__street__district=district))
    )


def adjustment_round_input(district: District | None) -> RoundInput:
    """Read everything a round needs in four queries."""
    communities = Community.objects.all() if district is None else Community.objects.filter(street__district=district)
    registrations = _registrations_in_round(district)
    return RoundInput(
        communities=list(communities.order_by("pk").values_list("pk", "name", "lat", "lng", "members_needed")),
        registrations=list(
            registrations.annotate(last_event=Max("events__id"))
            .order_by("pk")
            .values_list(
                "pk",
                "member_id",
                "status",
                "community_id",
                "member__home_lat",
                "member__home_lng",
                "member__unit_id",
                "member__unit__lat",
                "member__unit__lng",
                "last_event",
            )
        ),
        choices=list(
            RegistrationChoice.objects.filter(
                registration__in=registrations.values("pk"), declined_at__isnull=True
            ).values_list("registration_id", "community_id", "rank")
        ),
        pairings=list(
            Pairing.objects.filter(community__in=communities.values("pk")).values_list("unit_id", "community_id")
        ),
    )
