"""Rules every domain applies the same way.

``refuse_own``: nobody acts on their own — confirms, corrects or rejects their own hours, rates or
likes their own service, approves a request they placed. Each service that owns such a write
calls it on the locked row, so every way in (API, pages, admin actions, jobs) is covered.
"""

from __future__ import annotations

from core.errors import PermissionDenied


def refuse_own(actor, *owner_user_ids: int | None, message: str, code: str) -> None:
    """Raise ``PermissionDenied(message, code=code)`` when ``actor`` is one of the owners."""
    actor_id = getattr(actor, "pk", None)
    if actor_id is not None and actor_id in owner_user_ids:
        raise PermissionDenied(message, code=code)
