"""Writes of the rankings: building a day of all five boards (``board_rebuild``)."""

from rankings.services.boards import board_rebuild

__all__ = ["board_rebuild"]
