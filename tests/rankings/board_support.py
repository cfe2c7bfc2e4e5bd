"""Published boards for the read-side tests, written directly as rows (no rebuild involved).

``publish(day, board, rows)`` writes one board of one day: ``rows`` in rank order, each a dict
with ``subject_id`` and optionally ``district_id``, ``score`` (stored as its points),
``per_capita``, ``headcount``, components, and an explicit ``rank`` (to stand for a place far
down a 60,000-member board).
District ranks follow the order within each district; previous ranks come from the latest
earlier day of the same board, as the rebuild records them.
"""

import datetime as dt

from rankings.models import POINTS_PER_SCORE, BoardDay, BoardEntry

DAY = dt.date(2026, 11, 24)


def publish(day: dt.date, board: str, rows: list[dict]) -> list[BoardEntry]:
    BoardDay.objects.get_or_create(day=day)
    before = BoardEntry.objects.filter(board=board, day__lt=day).order_by("-day").values_list("day", flat=True).first()
    previous = {e.subject_id: e for e in BoardEntry.objects.filter(board=board, day=before)} if before else {}
    entries, in_district = [], {}
    for i, row in enumerate(rows, start=1):
        row = dict(row)
        district_id = row.pop("district_id", None)
        district_rank = None
        if district_id is not None:
            in_district[district_id] = in_district.get(district_id, 0) + 1
            district_rank = row.pop("district_rank", in_district[district_id])
        subject_id = row.pop("subject_id")
        earlier = previous.get(subject_id)
        entries.append(
            BoardEntry(
                day=day,
                board=board,
                subject_id=subject_id,
                district_id=district_id,
                rank=row.pop("rank", i),
                district_rank=district_rank,
                previous_rank=earlier.rank if earlier else None,
                previous_district_rank=earlier.district_rank if earlier else None,
                points=round(row.pop("score", 100.0 - i) * POINTS_PER_SCORE),
                minutes=row.pop("minutes", 90),
                services=row.pop("services", 3),
                outcomes=row.pop("outcomes", 1),
                likes=row.pop("likes", 2),
                **row,
            )
        )
    return BoardEntry.objects.bulk_create(entries)


def ranked(subject_ids, *, district_id=None, top: float = 100.0, step: float = 1.0) -> list[dict]:
    """Rows for ``subject_ids`` in that order, scores falling by ``step`` from ``top``."""
    return [{"subject_id": pk, "district_id": district_id, "score": top - i * step} for i, pk in enumerate(subject_ids)]
