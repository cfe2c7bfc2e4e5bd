"""点单 for residents: the order form and its "是否是您的问题？" lookup, joining a request nearby,
and my requests — following one, confirming, rating and reopening it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.forms import form_error_from
from core.errors import DomainError, NotFound, Throttled
from core.pages import LIST_LIMIT, attempt, show_error
from grids.geo import location_to_wgs84
from grids.selectors.organisation import communities_near, communities_search
from grids.views.common import member_or_none
from grids.vocab import Duty
from orders import forms
from orders.models import Acceptance, RequestLookup, ServiceRequest
from orders.selectors import requests as req_selectors
from orders.selectors import visible
from orders.selectors.request_story import request_story
from orders.services import request_closing
from orders.services import requests as req_services
from orders.views.common import float_or_none

R = ServiceRequest.Status
A = Acceptance.Status
COMMUNITY_SEARCH_LIMIT = 10


@login_required
@require_http_methods(["GET", "POST"])
def order(request):
    """The order form; the community is proposed from the location and may be corrected."""
    lat, lng = (
        float_or_none(request.POST.get("lat") or request.GET.get("lat")),
        float_or_none(request.POST.get("lng") or request.GET.get("lng")),
    )
    communities = []
    if lat is not None and lng is not None:
        try:
            wlat, wlng = location_to_wgs84(lat=lat, lng=lng, coord_system=request.POST.get("coord_system") or "wgs84")
            communities = list(communities_near(wlat, wlng, limit=8))
        except DomainError:
            communities = []
    member = member_or_none(request.user)
    if not communities and member is not None and member.community_id:
        communities = [member.community]
    chosen = forms.community_of(request.POST.get("community"))
    if chosen is not None and all(c.pk != chosen.pk for c in communities):
        communities.insert(0, chosen)  # found by search: keep it offered when the form comes back
    form = forms.OrderForm(
        request.POST or None,
        request.FILES or None,
        communities=communities,
        initial={"contact_phone": request.user.phone, "duty": request.GET.get("duty") or ""},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # No community chosen: the service takes the one nearest the location.
            created = req_services.request_create(
                requester=request.user,
                community=form.chosen_community(),
                duty=data["duty"],
                title=data["title"],
                description=data["description"],
                address=data["address"],
                lat=data["lat"],
                lng=data["lng"],
                coord_system=data["coord_system"],
                preferred_time=data["preferred_time"],
                contact_phone=data["contact_phone"],
                photos=data["photos"],
            )
        except DomainError as exc:
            form_error_from(form, exc)
        else:
            messages.success(request, f"点单已提交，{created.community.name}将尽快审核。")
            return redirect("orders:my_request", request_id=created.pk)
    return render(request, "orders/order.html", {"tab": "order", "form": form, "duties": Duty.choices})


@login_required
@require_GET
def order_communities(request):
    """For the order form without a location: communities by name, address or street, as JSON
    for the page's script (``communities/?search=`` in the API). The organisation is public to
    every signed-in user; at most ``COMMUNITY_SEARCH_LIMIT`` rows, in one query."""
    rows = communities_search(request.GET.get("q") or "", limit=COMMUNITY_SEARCH_LIMIT)
    return JsonResponse(
        {
            "communities": [
                {"id": c.pk, "name": c.name, "place": f"{c.street.district.name}{c.street.name}", "address": c.address}
                for c in rows
            ]
        }
    )


@login_required
@require_GET
def order_nearby(request):
    """For the order form: the communities near a point and "是否是您的问题？" — open requests of
    the same duty nearby. JSON for the page's script. Looking for requests counts against
    ``NEARBY_LOOKUPS_PER_HOUR`` as the API's ``requests/nearby/`` does; past it the answer is 429
    with ``Retry-After`` and the message the page shows, and still the communities (they reveal
    no request and the order form needs them)."""
    lat, lng = float_or_none(request.GET.get("lat")), float_or_none(request.GET.get("lng"))
    coord = request.GET.get("coord_system") or "wgs84"
    duty = request.GET.get("duty") or ""
    if lat is None or lng is None:
        return JsonResponse({"error": "请提供位置。"}, status=400)
    try:
        wlat, wlng = location_to_wgs84(lat=lat, lng=lng, coord_system=coord)
    except DomainError as exc:
        return JsonResponse({"error": exc.message}, status=400)
    communities = [
        {"id": c.pk, "name": c.name, "distance_m": round(c.distance_m)} for c in communities_near(wlat, wlng, limit=8)
    ]
    same = []
    if duty in Duty.values:
        try:
            req_services.request_lookup_count(user=request.user, kind=RequestLookup.Kind.NEARBY)
        except Throttled as exc:
            refused = JsonResponse({"error": exc.message, "communities": communities, "requests": []}, status=429)
            if exc.wait:
                refused["Retry-After"] = str(int(exc.wait))
            return refused
        rows = req_selectors.nearby_open_requests(lat=wlat, lng=wlng, duty=duty)
        same = [
            {
                "id": r.pk,
                "title": r.title,
                "status": r.get_status_display(),
                "created": f"{timezone.localtime(r.created_at):%m月%d日}",
                "distance_m": round(r.distance_m),
                "mine": r.requester_id == request.user.pk,
            }
            for r in rows[:10]
        ]
    return JsonResponse({"communities": communities, "requests": same})


@login_required
@require_POST
def nearby_request_join(request, request_id: int):
    """ "是我的问题": follow an open request nearby rather than placing the same one again. The
    order form's script posts the location it looked up with; whoever has no reason to follow
    sees the same 404 as for a request that does not exist."""
    service_request = get_object_or_404(ServiceRequest, pk=request_id, status__in=ServiceRequest.OPEN)
    try:
        req_services.request_join(
            request=service_request,
            user=request.user,
            lat=float_or_none(request.POST.get("lat")),
            lng=float_or_none(request.POST.get("lng")),
            coord_system=request.POST.get("coord_system") or "wgs84",
        )
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        show_error(request, exc)
        return redirect("order")
    messages.success(request, "已关注该点单，办理进展会通知您。")
    return redirect("orders:my_request", request_id=service_request.pk)


@login_required
def my_requests(request):
    rows = list(req_selectors.requests_for_requester(request.user)[:LIST_LIMIT])
    return render(request, "orders/my_requests.html", {"tab": "me", "rows": rows})


@login_required
def my_request(request, request_id: int):
    service_request = get_object_or_404(
        req_selectors.requests_for_requester(request.user).select_related("merged_into", "feedback"), pk=request_id
    )
    served = req_selectors.members_who_served(service_request)
    is_requester = service_request.requester_id == request.user.pk
    closable = service_request.status in (R.RESOLVED, R.CONFIRMED)
    return render(
        request,
        "orders/my_request.html",
        {
            "tab": "me",
            "row": service_request,
            "events": request_story(service_request, request.user),
            "photos": list(service_request.photos.all()),
            "served": served,
            "is_requester": is_requester,
            # A follower ("是我的问题") sees the place only as far as the PIPL rule allows.
            "address": req_selectors.masked_address(service_request, request.user),
            "can_confirm": is_requester and service_request.status == R.RESOLVED,
            "can_rate": is_requester and closable and not _has_feedback(service_request),
            "can_reopen": is_requester and closable,
            "scores": range(1, 6),
        },
    )


def _has_feedback(service_request: ServiceRequest) -> bool:
    try:
        return service_request.feedback is not None
    except ServiceRequest.feedback.RelatedObjectDoesNotExist:
        return False


def _own_request(request, request_id: int) -> ServiceRequest:
    return get_object_or_404(ServiceRequest, pk=request_id, requester=request.user)


@login_required
@require_POST
def my_request_confirm(request, request_id: int):
    service_request = _own_request(request, request_id)
    attempt(
        request,
        "感谢确认！欢迎为服务的党员评价点赞。",
        request_closing.request_confirm,
        request=service_request,
        actor=request.user,
    )
    return redirect("orders:my_request", request_id=service_request.pk)


@login_required
@require_POST
def my_request_rate(request, request_id: int):
    service_request = _own_request(request, request_id)
    score = request.POST.get("score") or ""
    liked = [int(v) for v in request.POST.getlist("liked") if v.isdigit()]
    attempt(
        request,
        "评价已提交，谢谢！",
        request_closing.request_rate,
        request=service_request,
        actor=request.user,
        score=int(score) if score.isdigit() else 0,
        comment=request.POST.get("comment", ""),
        liked_member_ids=liked,
    )
    return redirect("orders:my_request", request_id=service_request.pk)


@login_required
@require_POST
def my_request_reopen(request, request_id: int):
    service_request = _own_request(request, request_id)
    attempt(
        request,
        "已重新提交，社区将再次处理。",
        request_closing.request_reopen,
        request=service_request,
        actor=request.user,
        reason=request.POST.get("reason", ""),
    )
    return redirect("orders:my_request", request_id=service_request.pk)


@login_required
def request_link(request, request_id: int):
    """The address in notifications: the requester's page, or the review page for staff."""
    if req_selectors.requests_for_requester(request.user).filter(pk=request_id).exists():
        return redirect("orders:my_request", request_id=request_id)
    if visible.requests_in_scope(request.user).filter(pk=request_id).exists():
        return redirect("orders:work_request", request_id=request_id)
    raise Http404
