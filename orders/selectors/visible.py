"""What one user may open by id in the API: the union of their roles (requester, member, staff).

Lists have their own selectors (the review queue, a member's acceptances …); a detail page or
a POST action on one object looks the object up here, so a row outside every role is a 404.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from grids.models import Member
from grids.selectors.people import member_of
from grids.selectors.scope import scope_for
from orders.models import Acceptance, RequestFollower, ServiceRequest, Task
from orders.selectors.tasks import LIVE, _visible_q


def requests_in_scope(user) -> QuerySet[ServiceRequest]:
    """Every request of the communities (grid secretaries: grids) the user serves as staff."""
    scope = scope_for(user)
    if scope.is_empty:
        return ServiceRequest.objects.none()
    return (
        ServiceRequest.objects.select_related("community__street", "grid", "requester", "task")
        .filter(scope.q("community", "grid"))
        .order_by("-created_at", "-pk")
    )


def requests_visible_to(user) -> QuerySet[ServiceRequest]:
    """Requests the user placed or follows, serves as staff, or serves through an accepted task."""
    if user is None or not user.is_authenticated:
        return ServiceRequest.objects.none()
    scope = scope_for(user)
    requests = ServiceRequest.objects.select_related("community__street", "grid", "requester", "task")
    if scope.city:
        # The whole city's scope is an empty Q(), which an OR would drop: say "everything" here.
        return requests.order_by("-created_at", "-pk")
    following = RequestFollower.objects.filter(request=OuterRef("pk"), user=user)
    serving = Acceptance.objects.filter(task_id=OuterRef("task_id"), member__user=user, status__in=LIVE)
    q = Q(requester=user) | Exists(following) | Exists(serving)
    if not scope.is_empty:
        q |= scope.q("community", "grid")
    return requests.filter(q).order_by("-created_at", "-pk")


def tasks_visible_to(user, member: Member | None = None) -> QuerySet[Task]:
    """Tasks the user manages as staff or may see as a member."""
    if user is None or not user.is_authenticated:
        return Task.objects.none()
    scope = scope_for(user)
    tasks = Task.objects.select_related("community__street", "grid", "team", "created_by")
    if scope.city:  # an empty Q() that an OR would drop: everything
        return tasks.order_by("-starts_at", "-pk")
    member = member if member is not None else member_of(user)
    q = Q(pk__in=[])
    if not scope.is_empty:
        q |= scope.q("community", "grid")
    if member is not None:
        q |= _visible_q(member)
    return tasks.filter(q).order_by("-starts_at", "-pk")
