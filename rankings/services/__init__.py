"""Writes of the rankings: building a day of all five boards (``board_rebuild``) and the
members' yearly stars (``member_stars_recompute``)."""

from rankings.services.boards import board_first_build_queue, board_rebuild
from rankings.services.stars import member_stars_recompute

__all__ = ["board_first_build_queue", "board_rebuild", "member_stars_recompute"]
