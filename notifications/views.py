"""The inbox (消息): the user's notifications, newest first; opening one marks it read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.errors import DomainError
from notifications import selectors, services
from notifications.kinds import KINDS, OPTIONAL_CHANNELS

INBOX_LIMIT = 100


@login_required
def inbox(request):
    rows = list(selectors.inbox_for(request.user).order_by("-created_at", "-pk")[:INBOX_LIMIT])
    unread = sum(1 for n in rows if n.read_at is None)
    return render(request, "notifications/inbox.html", {"tab": "me", "rows": rows, "unread": unread})


@login_required
@require_POST
def open_notification(request, notification_id: int):
    notification = get_object_or_404(selectors.inbox_for(request.user), pk=notification_id)
    services.notification_mark_read(notification=notification, actor=request.user)
    url = notification.url or ""
    if url.startswith("/") and not url.startswith("//"):
        return redirect(url)
    return redirect("notifications:inbox")


@login_required
@require_POST
def read_all(request):
    n = services.notifications_mark_all_read(user=request.user)
    messages.success(request, f"已将 {n} 条消息标为已读。" if n else "没有未读消息。")
    return redirect("notifications:inbox")


@login_required
def channel_settings(request):
    """消息提醒设置: which kinds reach the user through WeChat and SMS (the inbox gets them all)."""
    if request.method == "POST":
        try:
            for kind in KINDS:
                allowed = {c: f"{kind}:{c}" in request.POST for c in OPTIONAL_CHANNELS}
                services.channel_preferences_set(user=request.user, kind=kind, allowed=allowed)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已保存消息提醒设置。")
        return redirect("notifications:settings")
    settings_rows = selectors.channel_settings_of(request.user)
    return render(request, "notifications/settings.html", {"tab": "me", "rows": settings_rows})
