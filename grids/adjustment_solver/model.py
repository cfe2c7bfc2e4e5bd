"""The problem, its weights, the candidate arcs and a solution: plain arrays, no Django."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

EARTH_RADIUS_M = 6_371_008.8
CHUNK = 4096  # members per block of the distance matrix (4096 × 295 × 8 B ≈ 10 MB)


@dataclass(frozen=True)
class Weights:
    """The cost weights (settings ``ADJUSTMENT_*``; README, "Configuration")."""

    metres_per_unit: int = 100
    rank_cost: int = 10
    unchosen_cost: int = 40
    pairing_bonus: int = 20
    move_cost: int = 50
    over_penalty: int = 100
    under_penalty: int = 100
    unplaced_penalty: int = 10_000
    candidates: int = 20


@dataclass
class Problem:
    """Communities ``0..C-1`` and members ``0..N-1``, all as arrays.

    Locations are WGS-84 degrees, ``nan`` when unknown. ``current[i]`` is the index of the
    community member ``i`` is registered with now, or −1 (waiting to be adjusted).
    ``choices`` and ``paired`` are (member index, community index[, rank]) pair arrays.
    """

    community_lat: np.ndarray
    community_lng: np.ndarray
    needed: np.ndarray
    home_lat: np.ndarray
    home_lng: np.ndarray
    work_lat: np.ndarray
    work_lng: np.ndarray
    current: np.ndarray
    choice_member: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    choice_community: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    choice_rank: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    paired_member: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    paired_community: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def n_members(self) -> int:
        return len(self.current)

    @property
    def n_communities(self) -> int:
        return len(self.needed)


@dataclass
class Arcs:
    """The member → community arcs, sorted by (member, community)."""

    member: np.ndarray
    community: np.ndarray
    cost: np.ndarray  # int64
    distance_m: np.ndarray  # float, nan when neither location is known
    rank: np.ndarray  # 1..3, 0 when not one of the member's choices
    paired: np.ndarray  # bool


@dataclass
class Solution:
    assignment: np.ndarray  # community index per member, −1 when left unplaced
    cost: int  # the true objective (arc costs + penalties)
    arcs: Arcs
    arc_of_member: np.ndarray  # index into ``arcs`` of the chosen arc, −1 when unplaced
    load: np.ndarray  # members per community after
    graph: tuple = ()  # (tails, heads, capacities, costs, supplies, offset) for the bounds
    weights: Weights = field(default_factory=Weights)
