"""How big the generated city is: the article's counts, scaled, and how they are shared out."""

from __future__ import annotations

import random

from grids.models import Member

BASE_COUNTS = {
    "units": 1795,
    "members": 60_000,
    "communities": 295,
    "urban_villages": 61,
    "grids_level2": 1091,
    "grids_level3": 9162,
    "teams": 986,
}
DISTRICT_COUNT = 10

# How the 295 communities spread over the districts: the three urban districts and the two
# county-level cities hold most of them.
DISTRICT_WEIGHTS = {
    "武江区": 50, "浈江区": 55, "曲江区": 35, "始兴县": 15, "仁化县": 18,
    "翁源县": 20, "乳源瑶族自治县": 15, "新丰县": 15, "乐昌市": 35, "南雄市": 37,
}  # fmt: skip
URBAN_DISTRICTS = {"武江区", "浈江区", "曲江区"}
# Names the demo slice uses; the generator leaves them free so seed_demo can run on top of a city.
DEMO_COMMUNITY_WORDS = {"工业中", "工业东", "东堤", "百旺", "西河", "惠民南", "芙蓉", "五里亭", "东联"}

OTHER_KINDS = [
    (Member.Kind.COMMUNITY_PARTY, 40),
    (Member.Kind.VETERAN_PARTY, 25),
    (Member.Kind.YOUTH_LEAGUE, 15),
    (Member.Kind.RESIDENT, 15),
    (Member.Kind.SECURITY_GUARD, 5),
]
OTHER_SHARE = 0.12  # members who are not in-service party members (they join vanguard teams)


def scaled_counts(scale: float) -> dict[str, int]:
    """The counts ``generate_city --scale`` produces: each article figure times ``scale``,
    rounded, at least 1; always 10 districts. Kept consistent: every community has a level-2
    grid, every level-2 grid a building, at most one team per level-2 grid."""
    counts = {k: max(1, round(v * scale)) for k, v in BASE_COUNTS.items()}
    counts["districts"] = DISTRICT_COUNT
    counts["urban_villages"] = min(counts["urban_villages"], counts["communities"])
    counts["grids_level2"] = max(counts["grids_level2"], counts["communities"])
    counts["grids_level3"] = max(counts["grids_level3"], counts["grids_level2"])
    counts["teams"] = min(counts["teams"], counts["grids_level2"])
    return counts


def estimated_rows(counts: dict[str, int], streets: int = 101) -> int:
    """About how many rows a plan with these counts writes (for the progress bar's total)."""
    members, communities = counts["members"], counts["communities"]
    staff = communities + streets + 2 * DISTRICT_COUNT + 3
    return int(
        members * (1 + 1 + 1.04 + 1.03)  # users, members, registrations, choices
        + staff * 2  # their users and posts
        + communities * 4
        + counts["grids_level2"] * 2
        + counts["grids_level3"]
        + counts["units"] * 3  # units and their pairings
        + counts["teams"] * 15  # teams and their members
    )


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder), deterministically."""
    s = sum(weights)
    quotas = [total * w / s for w in weights]
    out = [int(q) for q in quotas]
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - out[i]), i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def multinomial(rng: random.Random, n: int, weights: list[float]) -> list[int]:
    counts = [0] * len(weights)
    for i in rng.choices(range(len(weights)), weights=weights, k=n):
        counts[i] += 1
    return counts
