"""Who sees what of a request in the API (PIPL), and the caller's member profile."""

from core.errors import NotFound
from grids.selectors.people import member_brief, member_of
from orders.selectors.requests import request_contact_visible_to, served_task_ids

NO_PROFILE = "您还没有党员/志愿者资料，请先在“我的资料”中填写。"


def own_member(user, *, brief: bool = False):
    """The caller's member profile, or a 404 telling them to fill it in.

    ``brief``: only the fields visibility and distance need (``member_brief``), for reads.
    """
    member = member_brief(user) if brief else member_of(user)
    if member is None:
        raise NotFound(NO_PROFILE, code="no_member_profile")
    return member


def sees_contact(serializer, service_request) -> bool:
    """Whether the viewer may see the requester's phone, exact address and location.

    Cached per request row in the serializer's context, so the nested and flat fields ask once.
    ``service_request`` is the row; the HTTP request is the serializer context's.
    """
    http = serializer.context.get("request")
    user = getattr(http, "user", None)
    cache = serializer.context.setdefault("_contact_visible", {})
    if service_request.pk not in cache:

        def served_tasks() -> set[int]:
            # Read once per response, and only if some row gets this far.
            if "_served_tasks" not in serializer.context:
                serializer.context["_served_tasks"] = served_task_ids(user)
            return serializer.context["_served_tasks"]

        cache[service_request.pk] = request_contact_visible_to(service_request, user, served_tasks=served_tasks)
    return cache[service_request.pk]
