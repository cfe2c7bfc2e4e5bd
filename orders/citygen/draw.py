"""Random draws and times for the activity generator: all times are Unix seconds until a record is made."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

DAY = 86_400
HOUR = 3_600
MINUTE = 60


def utc(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def hours_between(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(seconds=rng.randint(low * HOUR, high * HOUR))


def cumulative(weights: list[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def apportion(total: int, weights: list[float]) -> list[int]:
    s = sum(weights)
    quotas = [total * w / s for w in weights]
    out = [int(q) for q in quotas]
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - out[i]), i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def near(rng: random.Random, lat: float, lng: float, radius_m: float) -> tuple[float, float]:
    return at_distance(rng, lat, lng, rng.random() ** 0.5 * radius_m)


def at_distance(rng: random.Random, lat: float, lng: float, distance_m: float) -> tuple[float, float]:
    bearing = rng.random() * 2 * math.pi
    dlat = distance_m * math.cos(bearing) / 111_320
    dlng = distance_m * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lng + dlng, 6)
