"""The organisation the activity generator works on, as ``generate_city`` left it: each
community with its grids, its secretary and street staff, the members placed there and the paired
units' members."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from grids.models import Community, Grid, Member, Pairing, Post
from orders.citygen.records import (
    Ref,
)


@dataclass
class CityCommunity:
    ref: Ref
    street: Ref
    name: str
    address: str
    lat: float
    lng: float
    radius: int
    secretary: Ref | None
    street_staff: Ref | None
    grids: list[Ref] = field(default_factory=list)
    members: list[int] = field(default_factory=list)  # placed here
    paired: list[int] = field(default_factory=list)  # from paired units, placed elsewhere or not at all


def read_city() -> tuple[list[CityCommunity], dict[int, Ref], dict[int, int]]:
    """The communities (with their grids, members and paired units' members), a Ref per member,
    and each placed member's community id."""
    secretaries = dict(
        Post.objects.filter(role=Post.Role.SECRETARY, community__isnull=False)
        .order_by("-id")
        .values_list("community_id", "user_id")
    )
    street_staff = dict(
        Post.objects.filter(role=Post.Role.STREET_STAFF, street__isnull=False)
        .order_by("-id")
        .values_list("street_id", "user_id")
    )
    communities: dict[int, CityCommunity] = {}
    for cid, sid, name, address, lat, lng, radius in Community.objects.order_by("id").values_list(
        "id", "street_id", "name", "address", "lat", "lng", "geofence_radius_m"
    ):
        sec, staff = secretaries.get(cid), street_staff.get(sid)
        communities[cid] = CityCommunity(
            Ref(cid), Ref(sid), name, address or name, lat, lng, radius,
            Ref(sec) if sec else None, Ref(staff) if staff else None,
        )  # fmt: skip
    for gid, cid in Grid.objects.filter(level=3).order_by("id").values_list("id", "community_id"):
        communities[cid].grids.append(Ref(gid))
    for c in communities.values():
        if not c.grids:
            c.grids = [
                Ref(g) for g in Grid.objects.filter(community_id=c.ref.id).order_by("id").values_list("id", flat=True)
            ]
    members: dict[int, Ref] = {}
    placed: dict[int, int] = {}
    by_unit: dict[int, list[int]] = defaultdict(list)
    for mid, cid, uid in Member.objects.order_by("id").values_list("id", "community_id", "unit_id"):
        members[mid] = Ref(mid)
        if cid is not None:
            placed[mid] = cid
            communities[cid].members.append(mid)
        if uid is not None:
            by_unit[uid].append(mid)
    for uid, cid in Pairing.objects.order_by("id").values_list("unit_id", "community_id"):
        communities[cid].paired += [m for m in by_unit.get(uid, ()) if placed.get(m) != cid]
    return list(communities.values()), members, placed
