"""The unread count shown on the 我的 tab of every page."""

from django.utils.functional import SimpleLazyObject

from notifications.selectors import unread_count


def unread(request) -> dict:
    # Lazy: the count is read only when a page draws the tab bar.
    return {"unread_count": SimpleLazyObject(lambda: unread_count(getattr(request, "user", None)))}
