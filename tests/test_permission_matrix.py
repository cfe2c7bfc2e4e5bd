"""Who may reach what: one table, every API endpoint and H5 page by URL name × every role ×
(for a route that names an object) an object in the role's own node and one in another district.

Each cell is the status a request answers: a GET, or for a route that only acts, a POST — with a
valid body (``BODIES``) where the action needs one, and a GET with the query a lookup needs, so the
cell shows who may act, not that an empty body is refused. The sign-in routes answer everyone alike
(they authenticate the body, not the caller). ``401`` is the API's answer to an anonymous caller, ``302`` the page's redirect to
the sign-in page. A route of the project that the table does not name fails
``test_every_route_is_in_the_table``; a name the table keeps after its route went fails too.

The people (columns, in this order): anonymous; a resident with no post; a member placed in
the community; the community's secretary; the secretary of a neighbouring community of the same
street; the street's officer; the district's officer; a superuser. The nodes: ``own`` is the
community (its street, its district) and its objects — those with an owner belong to the member
(registration, acceptance, record, visit, notification, device) or to the resident (request);
``other`` is a community of another street in another district, its objects owned by people there.
"""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import DeviceToken
from accounts.services import signin_code_send, wechat_ticket_issue
from core.models import ExportJob
from grids.models import AdjustmentMove, AdjustmentRound, Post, Registration, TeamMembership, VanguardTeam
from notifications.models import Notification
from orders.models import Escalation, ServiceRequest
from reporting.models import ServiceRecord
from tests.accounts.conftest import wechat_server  # noqa: F401 - the fake WeChat server the WeChat sign-in needs
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.grids.factories import (
    CommunityFactory,
    DistrictFactory,
    Level2GridFactory,
    MemberFactory,
    PairingFactory,
    PostFactory,
    RegistrationFactory,
    StreetFactory,
    UnitFactory,
)
from tests.orders.factories import (
    AcceptanceFactory,
    DepartmentFactory,
    EscalationFactory,
    ServiceRequestFactory,
    TaskFactory,
)
from tests.orders.support import png_bytes
from tests.pages import browser_for
from tests.reporting.factories import LocationConsentFactory, ServiceRecordFactory, VisitFactory

ROLES = ("anonymous", "resident", "member", "secretary", "neighbour", "street", "district", "superuser")
# The resident's number and WeChat account (what the sign-in bodies prove), and a number nobody has yet.
RESIDENT_PHONE, RESIDENT_OPENID, NEW_PHONE = "13800000001", "oresident", "13800000010"
NODES = ("own", "other")
SKIPPED_PREFIXES = ("admin/", "api/schema/", "api/docs/", "^media/", "media/", "static/")

# --- the routes and what their parameters name ---------------------------------------------------


def _named_routes(patterns=None, namespace="", prefix=""):
    """{URL name: (route text, its parameters)} of the project's API and pages."""
    found = {}
    for p in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(p.pattern)
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            found.update(_named_routes(p.url_patterns, ns, route))
        elif isinstance(p, URLPattern) and p.name and "(?P<format>" not in route:
            found.setdefault(f"{namespace}{p.name}", (route, tuple(p.pattern.regex.groupindex)))
    return found


# A ``pk`` names the object of the route's first word; other parameters name themselves.
PK_KINDS = {
    "adjustment": "adjustment",
    "district": "district",
    "street": "street",
    "community": "community",
    "grid": "grid",
    "unit": "unit",
    "member": "member",
    "registration": "registration",
    "notification": "notification",
    "service-record": "record",
    "visit": "visit",
    "request": "request",
    "task": "task",
    "acceptance": "acceptance",
    "escalation": "escalation",
    "department": "department",
    "team": "team",
    "api-auth-device": "device",
    "portal:device": "device",
}
PARAM_KINDS = {
    "community_id": "community",
    "grid_id": "grid",
    "registration_id": "registration",
    "request_id": "request",
    "task_id": "task",
    "acceptance_id": "acceptance",
    "escalation_id": "escalation",
    "record_id": "record",
    "notification_id": "notification",
    "round_id": "adjustment",
    "district_id": "district",
    "street_id": "street",
    "unit_id": "unit",
    "team_id": "team",
    "member_id": "team_member",
    "team_task_id": "team_task",
    "job_id": "export_job",
    "import_id": "import_run",
}
# Words a route takes as text: the board, the download's dataset, and the action a staff page's POST names.
TEXT_PARAMS = {
    "board": lambda name: "members",
    # The dataset a download names (core.exports' registry).
    "key": lambda name: "records",
    "action": lambda name: {
        "orders:work_request_action": "approve",
        "orders:work_task_action": "cancel",
        "orders:work_escalation_action": "respond",
        "reporting:work_hours_action": "confirm",
    }[name],
}
NODELESS = {"department"}  # one row for the whole city


def _kind(name: str, params: tuple[str, ...]) -> str | None:
    for param in params:
        if param in PARAM_KINDS:
            return PARAM_KINDS[param]
        if param == "pk":
            return next(
                kind for word, kind in sorted(PK_KINDS.items(), key=lambda kv: -len(kv[0])) if name.startswith(word)
            )
    return None


ROUTES = _named_routes()


def _url(name: str, world: dict, node: str | None, on: str | None = None) -> str:
    route, params = ROUTES[name]
    kind = on or _kind(name, params)
    kwargs = {}
    for param in params:
        if param in TEXT_PARAMS:
            kwargs[param] = TEXT_PARAMS[param](name)
        else:
            # A second object a route names (a team's member) has a kind of its own.
            each = PARAM_KINDS.get(param, kind) if on is None else kind
            kwargs[param] = world[node or "own"][each] if each not in NODELESS else world["department"]
    return reverse(name, kwargs=kwargs)


# --- the people and the two nodes ------------------------------------------------------------------


def _device(user) -> int:
    secret = secrets.token_hex(16)
    return DeviceToken.objects.create(
        user=user,
        digest=secrets.token_hex(32),
        prefix=secret[:8],
        device_name="测试手机",
        expires_at=timezone.now() + dt.timedelta(days=30),
    ).pk


def _node(community, *, member, requester) -> dict:
    """One object of each kind in ``community``, owned by ``member`` (or the ``requester``)."""
    task = TaskFactory(community=community)
    registration = RegistrationFactory(member=member, community=community)
    # The member captains the grid's vanguard team, which has one more member; a third member of
    # the community is not in it (the one a captain may add).
    team = VanguardTeam.objects.create(grid=member.grid, name=f"{community.name}先锋队")
    TeamMembership.objects.create(team=team, member=member, role=TeamMembership.Role.CAPTAIN)
    team_member = MemberFactory(community=community, grid=member.grid)
    TeamMembership.objects.create(team=team, member=team_member)
    team_task = TaskFactory(community=community, grid=member.grid, visibility="team", team=team)
    return {
        "team": team.pk,
        "team_task": team_task.pk,
        "team_member": team_member.pk,
        "team_candidate_phone": MemberFactory(community=community).user.phone,
        "district": community.street.district_id,
        "street": community.street_id,
        "community": community.pk,
        "grid": member.grid_id,
        "unit": member.unit_id,
        "member": member.pk,
        "registration": registration.pk,
        "adjustment": _open_round(community, registration),
        "import_run": _rejected_import(member),
        "request": ServiceRequestFactory(community=community, requester=requester).pk,
        "task": task.pk,
        "acceptance": AcceptanceFactory(task=task, member=member).pk,
        "escalation": EscalationFactory(
            request=ServiceRequestFactory(community=community, status=ServiceRequest.Status.ESCALATED)
        ).pk,
        "record": ServiceRecordFactory(member=member, community=community).pk,
        "visit": VisitFactory(member=member, community=community).pk,
        "notification": Notification.objects.create(user=member.user, kind="test", title="测试消息").pk,
        "device": _device(member.user),
        "export_job": _export_job(member.user),
        # Objects some actions need in another state, and what their bodies name.
        "twin": ServiceRequestFactory(community=community).pk,
        "resolved": ServiceRequestFactory(
            community=community, requester=requester, status=ServiceRequest.Status.RESOLVED
        ).pk,
        **_assigned_escalation(community),
        "confirmed": ServiceRecordFactory(
            member=member,
            community=community,
            status=ServiceRecord.Status.CONFIRMED,
            confirmed_via=ServiceRecord.ConfirmedVia.COMMUNITY,
            confirmed_at=timezone.now(),
        ).pk,
        "running": _running_acceptance(community, member),
        "lat": community.lat,
        "lng": community.lng,
    }


def _export_job(user) -> str:
    """A built XLSX download of ``user``'s whose file is no longer in the storage (410 to its owner)."""
    now = timezone.now()
    return ExportJob.objects.create(
        user=user,
        key="members",
        params_digest="matrix",
        title="测试下载",
        status=ExportJob.Status.DONE,
        file="matrix-missing.xlsx",
        rows_done=0,
        rows_total=0,
        finished_at=now,
        expires_at=now + dt.timedelta(days=1),
    ).pk


def _rejected_import(member) -> int:
    """A rejected roster import of the member's unit, its file kept for the report."""
    from grids.models import ImportRun
    from tests.grids.import_support import roster_xlsx

    return ImportRun.objects.create(
        kind="roster",
        unit_id=member.unit_id,
        content_hash=secrets.token_hex(32),
        status=ImportRun.Status.REJECTED,
        errors=[[2, "手机号", "“1”不是正确的 11 位手机号。"]],
        upload=roster_xlsx([["某人", "1", "在职党员"]]),
    ).pk


def _open_round(community, registration) -> int:
    """An open 调剂 round of the community's district, proposing to keep ``registration`` where it is."""
    round_ = AdjustmentRound.objects.create(
        district_id=community.street.district_id, created_by=UserFactory(), status=AdjustmentRound.Status.OPEN
    )
    AdjustmentMove.objects.create(
        round=round_,
        registration=registration,
        member=registration.member,
        from_community=community,
        to_community=community,
        reason=AdjustmentMove.Reason.BALANCE,
        candidates=[community.pk],
        registration_status=Registration.Status.PENDING,
    )
    return round_.pk


def _running_acceptance(community, member) -> int:
    """An acceptance of ``member`` whose window is open now, the member having agreed to location use."""
    LocationConsentFactory(member=member)
    starts = timezone.now() - dt.timedelta(minutes=10)
    task = TaskFactory(community=community, starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
    return AcceptanceFactory(task=task, member=member).pk


def _assigned_escalation(community) -> dict:
    escalation = EscalationFactory(
        request=ServiceRequestFactory(community=community, status=ServiceRequest.Status.ESCALATED),
        status=Escalation.Status.ASSIGNED,
        deadline=timezone.now() + dt.timedelta(days=7),
    )
    department = DepartmentFactory()
    escalation.departments.add(department)
    return {"assigned": escalation.pk, "assigned_department": department.pk}


def _build() -> dict:
    street = StreetFactory(district=DistrictFactory(), name="新华街道")
    community = CommunityFactory(street=street, name="工业中社区", lat=24.8035, lng=113.5905)
    neighbour = CommunityFactory(street=street, name="东堤社区", lat=24.8080, lng=113.5960)
    far_district = DistrictFactory(code="440204", name="浈江区", lat=24.80, lng=113.61)
    far = CommunityFactory(street=StreetFactory(district=far_district), name="十里亭社区", lat=24.70, lng=113.40)

    def placed(user, place):
        unit = UnitFactory()
        PairingFactory(unit=unit, community=place)
        return MemberFactory(user=user, community=place, grid=Level2GridFactory(community=place), unit=unit)

    def post(user, role, **where):
        PostFactory(user=user, role=role, **{"community": None, **where})
        return user

    users = {
        "anonymous": None,
        "resident": UserFactory(phone=RESIDENT_PHONE, name="李居民", wechat_openid=RESIDENT_OPENID),
        "member": UserFactory(phone="13800000002", name="王党员"),
        "secretary": post(UserFactory(phone="13800000003", name="陈书记"), Post.Role.SECRETARY, community=community),
        "neighbour": post(UserFactory(phone="13800000004", name="赵书记"), Post.Role.SECRETARY, community=neighbour),
        "street": post(UserFactory(phone="13800000005", name="周街道"), Post.Role.STREET_STAFF, street=street),
        "district": post(
            UserFactory(phone="13800000006", name="吴组织"), Post.Role.DISTRICT_STAFF, district=street.district
        ),
        "superuser": UserFactory(phone="13800000009", name="管理员", is_staff=True, is_superuser=True),
    }
    own_member = placed(users["member"], community)
    far_member = placed(UserFactory(), far)
    return {
        "users": users,
        "own": _node(community, member=own_member, requester=users["resident"]),
        "other": _node(far, member=far_member, requester=UserFactory()),
        "department": DepartmentFactory().pk,
        "neighbour_community": neighbour.pk,
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The people and both nodes, made once for the module inside a transaction rolled back at its
    end; each case runs in a savepoint inside it, so a POST that succeeds changes nothing for the next."""
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=hashers), transaction.atomic():
        yield _build()
        transaction.set_rollback(True)


# --- the table --------------------------------------------------------------------------------------
#
# One string per route (or per node, for a route that names an object): the statuses of the eight
# roles in the order of ROLES — anonymous, resident, member, secretary, neighbour, street, district,
# superuser. ``get`` cells answer a GET; ``post`` cells a POST (the route only acts), with the route's
# body from BODIES or else an empty one. Where a POST still goes empty, a 400/409 where a 403/404 might
# be expected means the body was refused before anyone was asked who they are: nothing is done and
# nothing is shown.


def get(cells: str | None = None, *, own: str | None = None, other: str | None = None, query=None) -> tuple:
    """``query(world, node)`` is the GET's query string (none without it)."""
    return ("GET", _cells(cells, own, other), query, None)


def post(
    cells: str | None = None, *, own: str | None = None, other: str | None = None, body=None, on: str | None = None
) -> tuple:
    """``body(world, node)`` is what the POST sends (empty without it); ``on`` names the node's object
    the route acts on when it is not the route's own kind (an object in the state the action needs)."""
    return ("POST", _cells(cells, own, other), body, on)


def _cells(cells, own, other) -> dict:
    rows = {None: cells} if cells is not None else {"own": own, "other": other}
    parsed = {node: tuple(int(c) for c in row.split()) for node, row in rows.items()}
    assert all(len(row) == len(ROLES) for row in parsed.values()), rows
    return parsed


def _reason(field: str = "reason"):
    return lambda world, node: {field: "居民反映的问题需要处理"}


BODIES = {
    "request-escalate": _reason(),
    "request-merge": lambda world, node: {"into": world[node]["twin"]},
    "request-rate": lambda world, node: {"score": 5, "comment": "服务很好"},
    "request-reject": _reason(),
    "request-reopen": _reason(),
    "task-cancel": _reason(),
    "task-escalate": _reason(),
    "service-record-correct": lambda world, node: {"minutes": 90, "reason": "按签到时段更正"},
    "service-record-reject": _reason(),
    "registration-place": lambda world, node: {"grid": world[node]["grid"]},
    "registration-adjust": lambda world, node: {
        "member": world["own"]["member"],
        "community": world["neighbour_community"],
        "note": "就近调剂",
    },
    "acceptance-check-in": lambda world, node: {"lat": world[node]["lat"], "lng": world[node]["lng"]},
    "escalation-assign": lambda world, node: {"departments": [world["department"]]},
    "escalation-resolve": _reason("outcome"),
    "escalation-respond": lambda world, node: {
        "department": world[node]["assigned_department"],
        "response": "已安排人员处理",
    },
    "request-approve": lambda world, node: {"task_id": world[node]["task"]},
    "team-add-member": lambda world, node: {"phone": world[node]["team_candidate_phone"]},
    "request-nearby": lambda world, node: {"lat": world[node]["lat"], "lng": world[node]["lng"], "duty": "sanitation"},
    # Signing in: a code is sent first, so the body proves the number (the code is made here, in
    # the case's own transaction, as the code route would).
    "api-auth-code": lambda world, node: {"phone": RESIDENT_PHONE},
    "api-auth-token": lambda world, node: {"phone": RESIDENT_PHONE, "code": signin_code_send(phone=RESIDENT_PHONE)},
    # The fake server answers the code "ok-<rest>" with the openid "o<rest>".
    "api-auth-wechat": lambda world, node: {"code": f"ok-{RESIDENT_OPENID[1:]}"},
    "api-auth-wechat-bind": lambda world, node: {
        "ticket": wechat_ticket_issue(openid="onewcomer"),
        "phone": NEW_PHONE,
        "code": signin_code_send(phone=NEW_PHONE),
    },
}
BODIES["request-photos"] = lambda world, node: {"photo": SimpleUploadedFile("p.png", png_bytes(), "image/png")}
BODIES["orders:order_nearby"] = BODIES["request-nearby"]
BODIES["accounts:send_code"] = BODIES["api-auth-code"]
# API routes that take files (multipart) rather than JSON.
MULTIPART = {"request-photos"}
# Routes whose cells need a fixture of their own.
FIXTURES = {"api-auth-wechat": "wechat_server"}

TABLE: dict[str, tuple] = {
    # --- accounts: API ---
    "api-auth-code": post("204 204 204 204 204 204 204 204", body=BODIES["api-auth-code"]),
    "api-auth-device-revoke": post(
        own="401 404 204 404 404 404 404 404",
        other="401 404 404 404 404 404 404 404",
    ),
    "api-auth-devices": get("401 200 200 200 200 200 200 200"),
    "api-auth-devices-revoke-all": post("401 204 204 204 204 204 204 204"),
    "api-auth-logout": post("401 204 204 204 204 204 204 204"),
    "api-auth-token": post("200 200 200 200 200 200 200 200", body=BODIES["api-auth-token"]),
    "api-auth-wechat": post("200 200 200 200 200 200 200 200", body=BODIES["api-auth-wechat"]),
    "api-auth-wechat-bind": post("200 200 200 200 200 200 200 200", body=BODIES["api-auth-wechat-bind"]),
    # --- accounts: pages ---
    "accounts:login": get("200 302 302 302 302 302 302 302"),
    "accounts:logout": post("302 302 302 302 302 302 302 302"),
    "accounts:send_code": post("200 200 200 200 200 200 200 200", body=BODIES["accounts:send_code"]),
    # --- notifications: API ---
    "notification-detail": get(
        own="401 404 200 404 404 404 404 404",
        other="401 404 404 404 404 404 404 404",
    ),
    "notification-list": get("401 200 200 200 200 200 200 200"),
    "notification-read": post(
        own="401 404 200 404 404 404 404 404",
        other="401 404 404 404 404 404 404 404",
    ),
    "notification-read-all": post("401 200 200 200 200 200 200 200"),
    "notification-preferences": get("401 200 200 200 200 200 200 200"),
    # --- notifications: pages ---
    "notifications:inbox": get("302 200 200 200 200 200 200 200"),
    "notifications:settings": get("302 200 200 200 200 200 200 200"),
    "notifications:open": post(
        own="302 404 302 404 404 404 404 404",
        other="302 404 404 404 404 404 404 404",
    ),
    "notifications:read_all": post("302 302 302 302 302 302 302 302"),
    # --- grids: API ---
    "community-detail": get(
        own="401 200 200 200 200 200 200 200",
        other="401 200 200 200 200 200 200 200",
    ),
    "community-list": get("401 200 200 200 200 200 200 200"),
    "district-detail": get(
        own="401 200 200 200 200 200 200 200",
        other="401 200 200 200 200 200 200 200",
    ),
    "district-list": get("401 200 200 200 200 200 200 200"),
    "grid-detail": get(
        own="401 200 200 200 200 200 200 200",
        other="401 200 200 200 200 200 200 200",
    ),
    "grid-list": get("401 200 200 200 200 200 200 200"),
    "grid-members": get(
        own="401 403 403 200 403 200 200 200",
        other="401 403 403 403 403 403 403 200",
    ),
    "member-detail": get(
        own="401 403 403 200 404 200 200 200",
        other="401 403 403 404 404 404 404 200",
    ),
    "member-list": get("401 403 403 200 200 200 200 200"),
    "member-me": get("401 404 200 404 404 404 404 404"),
    "registration-adjust": post("401 403 403 403 403 403 201 201", body=BODIES["registration-adjust"]),
    "adjustment-list": get("401 200 200 200 200 200 200 200"),
    "adjustment-detail": get(
        own="401 404 404 404 404 404 200 200",
        other="401 404 404 404 404 404 404 200",
    ),
    "adjustment-moves": get(
        own="401 403 403 403 403 403 200 200",
        other="401 403 403 403 403 403 403 200",
    ),
    "adjustment-accept": post(
        own="401 403 403 403 403 403 200 200",
        other="401 403 403 403 403 403 403 200",
    ),
    "adjustment-cancel": post(
        own="401 403 403 403 403 403 200 200",
        other="401 403 403 403 403 403 403 200",
    ),
    "registration-decline": post(
        own="401 403 403 200 403 200 200 200",
        other="401 403 403 403 403 403 403 200",
    ),
    "registration-detail": get(
        own="401 404 200 200 404 200 200 200",
        other="401 404 404 404 404 404 404 200",
    ),
    "registration-list": get("401 200 200 200 200 200 200 200"),
    "registration-options": get("401 404 200 404 404 404 404 404"),
    "registration-place": post(
        own="401 403 403 200 403 200 200 200",
        other="401 403 403 403 403 403 403 200",
        body=BODIES["registration-place"],
    ),
    "registration-withdraw": post(
        own="401 404 200 403 404 403 403 403",
        other="401 404 404 404 404 404 404 403",
    ),
    "street-detail": get(
        own="401 200 200 200 200 200 200 200",
        other="401 200 200 200 200 200 200 200",
    ),
    "street-list": get("401 200 200 200 200 200 200 200"),
    "unit-detail": get(
        own="401 200 200 200 200 200 200 200",
        other="401 200 200 200 200 200 200 200",
    ),
    "unit-list": get("401 200 200 200 200 200 200 200"),
    "unit-members": get(
        own="401 403 403 200 200 200 200 200",
        other="401 403 403 200 200 200 200 200",
    ),
    # --- rankings: a unit's party organisation (no role of the table holds a unit post; the
    # unit secretary's own cells are in tests/rankings/test_units.py) ---
    "api-unit-roster": get(
        own="401 403 403 403 403 403 403 200",
        other="401 403 403 403 403 403 403 200",
    ),
    "api-unit-behind": get(
        own="401 403 403 403 403 403 403 200",
        other="401 403 403 403 403 403 403 200",
    ),
    "api-unit-waiting-registrations": get(
        own="401 403 403 403 403 403 403 200",
        other="401 403 403 403 403 403 403 200",
    ),
    "units:mine": get("302 403 403 403 403 403 403 403"),
    "units:home": get(
        own="302 403 403 403 403 403 403 200",
        other="302 403 403 403 403 403 403 200",
    ),
    "units:members": get(
        own="302 403 403 403 403 403 403 200",
        other="302 403 403 403 403 403 403 200",
    ),
    # --- grids: pages ---
    "grids:browser": get("302 403 403 302 302 200 200 200"),
    "grids:adjustments": get("302 403 403 403 403 403 200 200"),
    "grids:adjustment_run": post("302 403 403 403 403 403 302 302"),
    "grids:adjustment": get(
        own="302 403 403 403 403 403 200 200",
        other="302 403 403 403 403 403 404 200",
    ),
    "grids:adjustment_progress": get(
        own="302 403 403 403 403 403 200 200",
        other="302 403 403 403 403 403 404 200",
    ),
    "grids:adjustment_accept": post(
        own="302 403 403 403 403 403 302 302",
        other="302 403 403 403 403 403 404 302",
    ),
    "grids:adjustment_cancel": post(
        own="302 403 403 403 403 403 302 302",
        other="302 403 403 403 403 403 404 302",
    ),
    "grids:community": get(
        own="302 403 403 200 404 200 200 200",
        other="302 403 403 404 404 404 404 200",
    ),
    "grids:grid": get(
        own="302 403 403 200 404 200 200 200",
        other="302 403 403 404 404 404 404 200",
    ),
    "grids:imports": get("302 403 403 403 403 200 200 200"),
    "grids:import_roster": get(
        own="302 403 403 403 403 403 403 200",
        other="302 403 403 403 403 403 403 200",
    ),
    "grids:import_roster_template": get(
        own="302 403 403 403 403 403 403 200",
        other="302 403 403 403 403 403 403 200",
    ),
    "grids:import_grids": get(
        own="302 403 403 403 403 200 200 200",
        other="302 403 403 403 403 403 403 200",
    ),
    "grids:import_grids_template": get(
        own="302 403 403 403 403 200 200 200",
        other="302 403 403 403 403 403 403 200",
    ),
    "grids:import_run": get(
        own="302 404 404 404 404 404 404 200",
        other="302 404 404 404 404 404 404 200",
    ),
    "grids:import_report": get(
        own="302 404 404 404 404 404 404 200",
        other="302 404 404 404 404 404 404 200",
    ),
    "grids:member_create": get("302 200 302 200 200 200 200 200"),
    "grids:member_edit": get("302 302 200 302 302 302 302 302"),
    "grids:registration": get("302 200 200 200 200 200 200 200"),
    "grids:registration_decline": post(
        own="302 403 403 302 404 302 302 302",
        other="302 403 403 404 404 404 404 302",
    ),
    "grids:registration_place": post(
        own="302 403 403 302 404 302 302 302",
        other="302 403 403 404 404 404 404 302",
    ),
    "grids:registration_withdraw": post("302 302 302 302 302 302 302 302"),
    # --- reporting: API ---
    "location-consent": get("401 404 200 404 404 404 404 404"),
    "service-record-confirm": post(
        own="401 404 404 200 404 200 200 200",
        other="401 404 404 404 404 404 404 200",
    ),
    "service-record-correct": post(
        own="401 404 404 200 404 200 200 200",
        other="401 404 404 404 404 404 404 200",
        body=BODIES["service-record-correct"],
        on="confirmed",
    ),
    "service-record-detail": get(
        own="401 404 200 200 404 200 200 200",
        other="401 404 404 404 404 404 404 200",
    ),
    "service-record-list": get("401 200 200 200 200 200 200 200"),
    "service-record-reject": post(
        own="401 404 404 200 404 200 200 200",
        other="401 404 404 404 404 404 404 200",
        body=BODIES["service-record-reject"],
    ),
    "visit-detail": get(
        own="401 404 200 200 404 200 200 200",
        other="401 404 404 404 404 404 404 200",
    ),
    "visit-list": get("401 200 200 200 200 200 200 200"),
    # --- reporting: pages ---
    "reporting:consent": post("302 404 302 404 404 404 404 404"),
    "reporting:consent_revoke": post("302 404 302 404 404 404 404 404"),
    "reporting:my_hours": get("302 200 200 200 200 200 200 200"),
    "reporting:work_hours": get("302 403 403 200 200 200 200 200"),
    "reporting:unreported": get("302 403 403 200 200 200 200 200"),
    "reporting:work_hours_action": post(
        own="302 403 403 302 404 302 302 302",
        other="302 403 403 404 404 404 404 302",
    ),
    # --- orders: API ---
    "acceptance-check-in": post(
        own="401 404 200 404 404 404 404 404",
        other="401 404 404 404 404 404 404 404",
        body=BODIES["acceptance-check-in"],
        on="running",
    ),
    "acceptance-check-out": post(
        own="401 404 409 404 404 404 404 404",
        other="401 404 404 404 404 404 404 404",
    ),
    "acceptance-detail": get(
        own="401 404 200 404 404 404 404 404",
        other="401 404 404 404 404 404 404 404",
    ),
    "acceptance-list": get("401 200 200 200 200 200 200 200"),
    "acceptance-withdraw": post(
        own="401 404 200 404 404 404 404 404",
        other="401 404 404 404 404 404 404 404",
    ),
    "department-detail": get("401 200 200 200 200 200 200 200"),
    "department-list": get("401 200 200 200 200 200 200 200"),
    "escalation-assign": post(
        own="401 403 403 403 404 200 200 200",
        other="401 403 403 404 404 404 404 200",
        body=BODIES["escalation-assign"],
    ),
    "escalation-detail": get(
        own="401 403 403 200 404 200 200 200",
        other="401 403 403 404 404 404 404 200",
    ),
    "escalation-list": get("401 403 403 200 200 200 200 200"),
    "escalation-resolve": post(
        own="401 403 403 403 404 200 200 200",
        other="401 403 403 404 404 404 404 200",
        body=BODIES["escalation-resolve"],
    ),
    "escalation-respond": post(
        own="401 403 403 403 404 200 200 200",
        other="401 403 403 404 404 404 404 200",
        body=BODIES["escalation-respond"],
        on="assigned",
    ),
    "request-approve": post(
        own="401 403 404 200 404 200 200 200",
        other="401 404 404 404 404 404 404 200",
        body=BODIES["request-approve"],
    ),
    "request-confirm": post(
        own="401 409 404 403 404 403 403 403",
        other="401 404 404 404 404 404 404 403",
    ),
    "request-detail": get(
        own="401 200 404 200 404 200 200 200",
        other="401 404 404 404 404 404 404 200",
    ),
    "request-escalate": post(
        own="401 403 404 200 404 200 200 200",
        other="401 404 404 404 404 404 404 200",
        body=BODIES["request-escalate"],
    ),
    "request-join": post(
        own="401 409 200 200 404 200 200 200",
        other="401 404 404 404 404 404 404 200",
    ),
    "request-list": get("401 200 200 200 200 200 200 200"),
    "request-merge": post(
        own="401 403 404 200 404 200 200 200",
        other="401 404 404 404 404 404 404 200",
        body=BODIES["request-merge"],
    ),
    "request-nearby": get("401 200 200 200 200 200 200 200", query=BODIES["request-nearby"]),
    "request-rate": post(
        own="401 200 404 403 404 403 403 403",
        other="401 404 404 404 404 404 404 403",
        body=BODIES["request-rate"],
        on="resolved",
    ),
    "request-reject": post(
        own="401 403 404 200 404 200 200 200",
        other="401 404 404 404 404 404 404 200",
        body=BODIES["request-reject"],
    ),
    # One photo per call, from the requester only, while the request waits for review.
    "request-photos": post(
        own="401 201 404 403 404 403 403 403",
        other="401 404 404 404 404 404 404 403",
        body=BODIES["request-photos"],
    ),
    "request-reopen": post(
        own="401 200 404 403 404 403 403 403",
        other="401 404 404 404 404 404 404 403",
        body=BODIES["request-reopen"],
        on="resolved",
    ),
    "task-accept": post(
        own="401 404 409 404 404 404 404 404",
        other="401 404 404 404 404 404 404 404",
    ),
    "task-acceptances": get(
        own="401 403 403 200 404 200 200 200",
        other="401 403 403 404 404 404 404 200",
    ),
    "task-cancel": post(
        own="401 404 403 200 404 200 200 200",
        other="401 404 404 404 404 404 404 200",
        body=BODIES["task-cancel"],
    ),
    "task-complete": post(
        own="401 404 403 200 404 200 200 200",
        other="401 404 404 404 404 404 404 200",
    ),
    "task-detail": get(
        own="401 404 200 200 404 200 200 200",
        other="401 404 404 404 404 404 404 200",
    ),
    "task-escalate": post(
        own="401 404 403 201 404 201 201 201",
        other="401 404 404 404 404 404 404 201",
        body=BODIES["task-escalate"],
    ),
    "task-hall": get("401 404 200 404 404 404 404 404"),
    "task-list": get("401 200 200 200 200 200 200 200"),
    "task-notify": post(
        own="401 404 403 200 404 200 200 200",
        other="401 404 404 404 404 404 404 200",
    ),
    "task-suggestions": get(
        own="401 403 403 200 404 200 200 200",
        other="401 403 403 404 404 404 404 200",
    ),
    # --- orders: pages ---
    "order": get("302 200 200 200 200 200 200 200"),
    "orders:checkin": post(
        own="302 404 302 404 404 404 404 404",
        other="302 404 404 404 404 404 404 404",
    ),
    "orders:checkout": post(
        own="302 404 302 404 404 404 404 404",
        other="302 404 404 404 404 404 404 404",
    ),
    "orders:escalation_link": get(
        own="302 403 403 200 404 200 200 200",
        other="302 403 403 404 404 404 404 200",
    ),
    "orders:my_request": get(
        own="302 200 404 404 404 404 404 404",
        other="302 404 404 404 404 404 404 404",
    ),
    "orders:my_requests": get("302 200 200 200 200 200 200 200"),
    "orders:my_tasks": get("302 200 200 200 200 200 200 200"),
    "orders:my_likes": get("302 200 200 200 200 200 200 200"),
    "orders:order_communities": get("302 200 200 200 200 200 200 200", query=lambda world, node: {"q": "社区"}),
    "orders:order_nearby": get("302 200 200 200 200 200 200 200", query=BODIES["orders:order_nearby"]),
    "orders:request_confirm": post(
        own="302 302 404 404 404 404 404 404",
        other="302 404 404 404 404 404 404 404",
    ),
    "orders:request_join": post(
        own="302 302 302 302 404 302 302 302",
        other="302 404 404 404 404 404 404 302",
    ),
    "orders:request_link": get(
        own="302 302 404 302 404 302 302 302",
        other="302 404 404 404 404 404 404 302",
    ),
    "orders:request_rate": post(
        own="302 302 404 404 404 404 404 404",
        other="302 404 404 404 404 404 404 404",
    ),
    "orders:request_reopen": post(
        own="302 302 404 404 404 404 404 404",
        other="302 404 404 404 404 404 404 404",
    ),
    "orders:task": get(
        own="302 404 200 404 404 404 404 404",
        other="302 404 404 404 404 404 404 404",
    ),
    "orders:task_accept": post(
        own="302 404 302 404 404 404 404 404",
        other="302 404 404 404 404 404 404 404",
    ),
    "orders:withdraw": post(
        own="302 404 302 404 404 404 404 404",
        other="302 404 404 404 404 404 404 404",
    ),
    "orders:work": get("302 403 403 200 200 200 200 200"),
    "orders:work_escalation": get(
        own="302 403 403 200 404 200 200 200",
        other="302 403 403 404 404 404 404 200",
    ),
    "orders:work_escalation_action": post(
        own="302 403 403 302 404 302 302 302",
        other="302 403 403 404 404 404 404 302",
    ),
    "orders:work_escalations": get("302 403 403 200 200 200 200 200"),
    "orders:work_request": get(
        own="302 403 403 200 404 200 200 200",
        other="302 403 403 404 404 404 404 200",
    ),
    "orders:work_request_action": post(
        own="302 403 403 302 404 302 302 302",
        other="302 403 403 404 404 404 404 302",
    ),
    "orders:work_requests": get("302 403 403 200 200 200 200 200"),
    "orders:work_task": get(
        own="302 403 403 200 404 200 200 200",
        other="302 403 403 404 404 404 404 200",
    ),
    "orders:work_task_action": post(
        own="302 403 403 302 404 302 302 302",
        other="302 403 403 404 404 404 404 302",
    ),
    "orders:work_task_new": get("302 403 403 200 200 200 200 200"),
    "orders:work_tasks": get("302 403 403 200 200 200 200 200"),
    "tasks": get("200 200 200 200 200 200 200 200"),
    # --- rankings: API ---
    "api-board": get("401 200 200 200 200 200 200 200"),
    "api-board-history": get("401 404 200 404 404 404 404 404"),
    "api-board-me": get("401 404 200 404 404 404 404 404"),
    "api-boards": get("401 200 200 200 200 200 200 200"),
    "api-cockpit": get("401 403 403 403 403 200 200 200"),
    # 考核: community staff and above, each their own node; units (here without a district) the city.
    "api-assessments": get("401 403 403 200 200 200 200 200"),
    "api-assessment-city": get("401 403 403 403 403 403 403 200"),
    "api-assessment-district": get(
        own="401 403 403 403 403 403 200 200",
        other="401 403 403 403 403 403 403 200",
    ),
    "api-assessment-street": get(
        own="401 403 403 403 403 200 200 200",
        other="401 403 403 403 403 403 403 200",
    ),
    "api-assessment-community": get(
        own="401 403 403 200 403 200 200 200",
        other="401 403 403 403 403 403 403 200",
    ),
    "api-assessment-unit": get(
        own="401 403 403 403 403 403 403 200",
        other="401 403 403 403 403 403 403 200",
    ),
    # --- rankings: pages ---
    "boards": get("302 200 200 200 200 200 200 200"),
    "boards:history": get("302 404 200 404 404 404 404 404"),
    # The first visit builds the first board (run in-process here): then only those on it have a card.
    "boards:star_card": get("302 404 200 404 404 404 404 404"),
    "cockpit": get("302 403 403 403 403 200 200 200"),
    "assessment:home": get("302 403 403 200 200 200 200 200"),
    "assessment:city": get("302 403 403 403 403 403 403 200"),
    "assessment:district": get(
        own="302 403 403 403 403 403 200 200",
        other="302 403 403 403 403 403 403 200",
    ),
    "assessment:street": get(
        own="302 403 403 403 403 200 200 200",
        other="302 403 403 403 403 403 403 200",
    ),
    "assessment:community": get(
        own="302 403 403 200 403 200 200 200",
        other="302 403 403 403 403 403 403 200",
    ),
    "assessment:units": get("302 403 403 403 403 403 200 200"),
    "assessment:unit": get(
        own="302 403 403 403 403 403 403 200",
        other="302 403 403 403 403 403 403 200",
    ),
    # --- downloads: community staff and above, and units' party organisations, each their own node ---
    "downloads:index": get("302 403 403 200 200 200 200 200"),
    "downloads:csv": get(
        own="302 403 403 200 403 200 200 200",
        other="302 403 403 403 403 403 403 200",
        query=lambda world, node: {"node": f"community:{world[node]['community']}"},
    ),
    # --- portal: API ---
    "me": get("401 200 200 200 200 200 200 200"),
    "me-quota": get("401 404 200 404 404 404 404 404"),
    "me-stars": get("401 404 200 404 404 404 404 404"),
    # The member captains the own node's team; nobody else leads a team (staff and the superuser
    # manage teams in the admin, not here).
    "team-list": get("401 200 200 200 200 200 200 200"),
    "team-detail": get(
        own="401 403 200 403 403 403 403 403",
        other="401 403 403 403 403 403 403 403",
    ),
    "team-add-member": post(
        own="401 403 201 403 403 403 403 403",
        other="401 403 403 403 403 403 403 403",
        body=BODIES["team-add-member"],
    ),
    "team-remove-member": post(
        own="401 403 200 403 403 403 403 403",
        other="401 403 403 403 403 403 403 403",
    ),
    "team-tasks": get(
        own="401 403 200 403 403 403 403 403",
        other="401 403 403 403 403 403 403 403",
    ),
    # The captain may not leave; the others are not in the team.
    "team-leave": post(
        own="401 404 403 404 404 404 404 404",
        other="401 404 404 404 404 404 404 404",
    ),
    # --- portal: pages ---
    "portal:device_revoke": post(
        own="302 404 302 404 404 404 404 404",
        other="302 404 404 404 404 404 404 404",
    ),
    "portal:devices": get("302 200 200 200 200 200 200 200"),
    "portal:devices_revoke_all": post("302 302 302 302 302 302 302 302"),
    "portal:healthz": get("200 200 200 200 200 200 200 200"),
    "portal:favicon": get("200 200 200 200 200 200 200 200"),
    "portal:switch_view": post("302 302 302 302 302 302 302 302"),
    "portal:home": get("200 200 200 200 200 200 200 200"),
    "portal:profile": get("302 200 200 200 200 200 200 200"),
    "portal:my_teams": get("302 200 200 200 200 200 200 200"),
    "portal:team": get(
        own="302 403 200 403 403 403 403 403",
        other="302 403 403 403 403 403 403 403",
    ),
    "portal:team_add": post(
        own="302 403 302 403 403 403 403 403",
        other="302 403 403 403 403 403 403 403",
        body=BODIES["team-add-member"],
    ),
    "portal:team_remove": post(
        own="302 403 302 403 403 403 403 403",
        other="302 403 403 403 403 403 403 403",
    ),
    "portal:team_task_cancel": post(
        own="302 403 302 403 403 403 403 403",
        other="302 403 403 403 403 403 403 403",
    ),
    "portal:team_task_complete": post(
        own="302 403 302 403 403 403 403 403",
        other="302 403 403 403 403 403 403 403",
    ),
    "portal:team_whistle": get(
        own="302 403 200 403 403 403 403 403",
        other="302 403 403 403 403 403 403 403",
    ),
    # --- core: downloads (XLSX jobs; the file of the world's job is gone, so its owner gets 410) ---
    # A refusal goes back to the page with its message (a redirect), as a start does to the job's page.
    "downloads:xlsx": post(
        own="302 302 302 302 302 302 302 302",
        other="302 302 302 302 302 302 302 302",
        body=lambda world, node: {"node": f"community:{world[node]['community']}"},
    ),
    "downloads:jobs": get("302 200 200 200 200 200 200 200"),
    "downloads:job": get(
        own="302 404 200 404 404 404 404 404",
        other="302 404 404 404 404 404 404 404",
    ),
    "downloads:job_progress": get(
        own="302 404 200 404 404 404 404 404",
        other="302 404 404 404 404 404 404 404",
    ),
    "downloads:file": get(
        own="302 404 410 404 404 404 404 404",
        other="302 404 404 404 404 404 404 404",
    ),
    "export-start": post(
        own="401 403 403 202 403 202 202 202",
        other="401 403 403 403 403 403 403 202",
        body=lambda world, node: {"node": f"community:{world[node]['community']}"},
    ),
    "export-job-list": get("401 200 200 200 200 200 200 200"),
    "export-job-detail": get(
        own="401 404 200 404 404 404 404 404",
        other="401 404 404 404 404 404 404 404",
    ),
    "export-job-file": get(
        own="401 404 410 404 404 404 404 404",
        other="401 404 404 404 404 404 404 404",
    ),
    # A refusal is a message on the page the browser returns to.
    "portal:team_leave": post(
        own="302 302 302 302 302 302 302 302",
        other="302 302 302 302 302 302 302 302",
    ),
}

API_NAMES = {name for name, (route, _) in ROUTES.items() if route.startswith("api/v1/")}


def _cases():
    for name, (method, rows, body, on) in TABLE.items():
        for node, row in rows.items():
            for role, status in zip(ROLES, row, strict=True):
                yield pytest.param(name, method, body, on, node, role, status, id=f"{name}-{node or 'any'}-{role}")


# --- the tests ----------------------------------------------------------------------------------------


def test_every_route_is_in_the_table():
    missing = sorted(set(ROUTES) - set(TABLE))
    gone = sorted(set(TABLE) - set(ROUTES))
    assert not missing, f"routes without a row in TABLE (add one with the status each role gets): {missing}"
    assert not gone, f"rows of TABLE whose route no longer exists: {gone}"


def test_a_route_that_names_an_object_has_a_row_per_node():
    for name, (_, rows, body, _) in TABLE.items():
        if name not in ROUTES:
            continue
        kind = _kind(name, ROUTES[name][1])
        per_node = kind is not None and kind not in NODELESS
        if not per_node and body is not None and set(rows) == set(NODES):
            continue  # no object in the path, but a query or body naming each node's (a download's node)
        assert set(rows) == (set(NODES) if per_node else {None}), name


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "body", "on", "node", "role", "expected"), list(_cases()))
def test_the_matrix(world, request, name, method, body, on, node, role, expected):
    if name in FIXTURES:
        request.getfixturevalue(FIXTURES[name])
    user = world["users"][role]
    url = _url(name, world, node, on)
    if name in API_NAMES:
        client = client_for(user) if user is not None else APIClient()
    else:
        client = browser_for(user)
    if method == "POST":
        data = body(world, node or "own") if body else {}
        if name in API_NAMES:
            response = client.post(url, data, format="multipart" if name in MULTIPART else "json")
        else:
            response = client.post(url, data)
    else:
        response = client.get(url, body(world, node or "own") if body else None)
    assert response.status_code == expected, f"{method} {url} as {role}: {response.status_code}"
    if response.status_code == 302 and role == "anonymous" and not name.startswith("accounts:"):
        assert response["Location"].startswith(reverse("accounts:login")), response["Location"]
