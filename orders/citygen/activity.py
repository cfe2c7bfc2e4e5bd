"""A year of activity for a generated city (``generate_activity``): tasks and acceptances,
check-ins and service records, residents' requests with their ratings and likes, escalations to
the streets' joint meetings, and report-for-duty visits.

It reads the organisation ``generate_city`` wrote (communities, grids, members, pairings,
posts), plans every row in memory from one ``random.Random(seed)``, then inserts them with
``grids.citygen.rows.insert`` (COPY on PostgreSQL), parents first, in one transaction. The year
ends at the last midnight in Shanghai, so a seed gives the same rows all day long.

At scale 1.0 the figures are the article's: 60,100 tasks, about 600,000 acceptances and
1,600,000 hours served, 11,390 resident requests resolved. Every CHECK, unique and exclusion
constraint holds: a member's live acceptances never overlap, every completed acceptance has its
check-in and its service record, a coarsened check-in has no raw coordinates.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q

from accounts.models import User
from grids.citygen.common import NameMaker
from grids.citygen.rows import UserRec, insert
from grids.models import Community, Grid, Member, Pairing, Post
from grids.vocab import Duty, Focus
from orders.citygen import words
from orders.citygen.bulk import constraints_checked_after
from orders.citygen.records import (
    AcceptanceRec,
    CheckInRec,
    ConsentRec,
    EscalationDeptRec,
    EscalationEventRec,
    EscalationRec,
    FeedbackRec,
    LikeRec,
    RecordRec,
    Ref,
    RequestEventRec,
    RequestRec,
    ResponseRec,
    TaskEventRec,
    TaskRec,
    VisitRec,
)
from orders.models import (
    Acceptance,
    AcceptanceEvent,
    Department,
    Escalation,
    EscalationEvent,
    EscalationResponse,
    Feedback,
    Like,
    RequestEvent,
    RequestFollower,
    RequestPhoto,
    ServiceRequest,
    Task,
    TaskEvent,
)
from reporting.models import CheckIn, LocationConsent, ServiceRecord, ServiceRecordEvent, Visit
from reporting.worktime import SHANGHAI, overlaps_working_hours, quarter_of

# The article's figures for a year (scale 1.0).
BASE = {
    "tasks": 60_100,
    "acceptances": 600_000,
    "minutes": 96_000_000,
    "resolved_requests": 11_390,
    "escalations": 120,
}
CONSENT_VERSION = "2026-01"
COARSEN_AFTER_DAYS = 180
BATCH_SIZE = 5000
DAY = 86_400
HOUR = 3_600
MINUTE = 60
RESIDENT_PREFIXES = ("166", "176", "191", "195")  # the city generator and the fixtures use others

T, A, R, E = Task.Status, Acceptance.Status, ServiceRequest.Status, Escalation.Status
RS, V = ServiceRecord.Status, Task.Visibility


def scaled_activity(scale: float) -> dict[str, int]:
    """The activity ``generate_activity --scale`` aims at: the article's figures times ``scale``."""
    return {k: max(1, round(v * scale)) for k, v in BASE.items()}


def _dt(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


# --- what the organisation looks like -----------------------------------------------------


@dataclass
class _Community:
    ref: Ref
    street: Ref
    name: str
    address: str
    lat: float
    lng: float
    radius: int
    secretary: Ref | None
    street_staff: Ref | None
    grids: list[Ref] = field(default_factory=list)
    members: list[int] = field(default_factory=list)  # placed here
    paired: list[int] = field(default_factory=list)  # from paired units, placed elsewhere or not at all


def _read_city() -> tuple[list[_Community], dict[int, Ref], dict[int, int]]:
    """The communities (with their grids, members and paired units' members), a Ref per member,
    and each placed member's community id."""
    secretaries = dict(
        Post.objects.filter(role=Post.Role.SECRETARY, community__isnull=False)
        .order_by("-id")
        .values_list("community_id", "user_id")
    )
    street_staff = dict(
        Post.objects.filter(role=Post.Role.STREET_STAFF, street__isnull=False)
        .order_by("-id")
        .values_list("street_id", "user_id")
    )
    communities: dict[int, _Community] = {}
    for cid, sid, name, address, lat, lng, radius in Community.objects.order_by("id").values_list(
        "id", "street_id", "name", "address", "lat", "lng", "geofence_radius_m"
    ):
        sec, staff = secretaries.get(cid), street_staff.get(sid)
        communities[cid] = _Community(
            Ref(cid), Ref(sid), name, address or name, lat, lng, radius,
            Ref(sec) if sec else None, Ref(staff) if staff else None,
        )  # fmt: skip
    for gid, cid in Grid.objects.filter(level=3).order_by("id").values_list("id", "community_id"):
        communities[cid].grids.append(Ref(gid))
    for c in communities.values():
        if not c.grids:
            c.grids = [
                Ref(g) for g in Grid.objects.filter(community_id=c.ref.id).order_by("id").values_list("id", flat=True)
            ]
    members: dict[int, Ref] = {}
    placed: dict[int, int] = {}
    by_unit: dict[int, list[int]] = defaultdict(list)
    for mid, cid, uid in Member.objects.order_by("id").values_list("id", "community_id", "unit_id"):
        members[mid] = Ref(mid)
        if cid is not None:
            placed[mid] = cid
            communities[cid].members.append(mid)
        if uid is not None:
            by_unit[uid].append(mid)
    for uid, cid in Pairing.objects.order_by("id").values_list("unit_id", "community_id"):
        communities[cid].paired += [m for m in by_unit.get(uid, ()) if placed.get(m) != cid]
    return list(communities.values()), members, placed


# --- the plan -----------------------------------------------------------------------------


@dataclass
class ActivityPlan:
    counts: dict[str, int]
    users: list[UserRec] = field(default_factory=list)
    tasks: list[TaskRec] = field(default_factory=list)
    task_events: list[TaskEventRec] = field(default_factory=list)
    consents: list[ConsentRec] = field(default_factory=list)
    checkins: list[CheckInRec] = field(default_factory=list)
    records: list[RecordRec] = field(default_factory=list)
    acceptances: list[AcceptanceRec] = field(default_factory=list)
    requests: list[RequestRec] = field(default_factory=list)
    request_events: list[RequestEventRec] = field(default_factory=list)
    feedback: list[FeedbackRec] = field(default_factory=list)
    likes: list[LikeRec] = field(default_factory=list)
    escalations: list[EscalationRec] = field(default_factory=list)
    escalation_departments: list[EscalationDeptRec] = field(default_factory=list)
    responses: list[ResponseRec] = field(default_factory=list)
    escalation_events: list[EscalationEventRec] = field(default_factory=list)
    visits: list[VisitRec] = field(default_factory=list)

    def batches(self):
        """(label, model, records), parents before children."""
        return [(label, model, getattr(self, name)) for name, (label, model) in TABLES.items()]


TABLES = {
    "users": ("居民用户", User),
    "tasks": ("任务", Task),
    "task_events": ("任务进度", TaskEvent),
    "consents": ("位置同意", LocationConsent),
    "checkins": ("签到", CheckIn),
    "records": ("服务记录", ServiceRecord),
    "acceptances": ("接单", Acceptance),
    "requests": ("居民点单", ServiceRequest),
    "request_events": ("点单进度", RequestEvent),
    "feedback": ("评价", Feedback),
    "likes": ("点赞", Like),
    "escalations": ("联席会议事项", Escalation),
    "escalation_departments": ("事项部门", Escalation.departments.through),
    "responses": ("部门办理意见", EscalationResponse),
    "escalation_events": ("联席会议进度", EscalationEvent),
    "visits": ("到社区报到", Visit),
}

# When tasks happen: (kind, weight, start hours to pick from, durations in minutes, weekend?).
# Weekend days count as outside working hours whatever the time; "work" tasks are the few held
# on a weekday between 09:00 and 17:00.
SESSIONS = [
    ("evening", 38, (18.5, 19.0, 19.5), (150, 180, 210), False),
    ("weekend_morning", 24, (8.5, 9.0, 9.5), (180, 210, 240), True),
    ("weekend_afternoon", 20, (14.0, 14.5, 15.0), (180, 210, 240), True),
    ("early", 12, (6.5, 7.0), (90, 120), False),
    ("work", 6, (9.5, 10.0, 14.0), (120, 150, 180), False),
]


class _Planner:
    def __init__(self, scale: float, seed: int, departments: list[Ref], taken_phones: set[str]):
        self.rng = random.Random(seed)
        self.scale = scale
        self.counts = scaled_activity(scale)
        self.plan = ActivityPlan(self.counts)
        self.departments = departments
        self.taken_phones = taken_phones
        self.names = NameMaker(self.rng)
        today = datetime.now(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
        self.end = int(today.timestamp())  # the year ends at the last midnight in Shanghai
        self.start = self.end - 365 * DAY
        self.start_weekday = _dt(self.start).astimezone(SHANGHAI).weekday()
        self.coarsen_before = self.end - COARSEN_AFTER_DAYS * DAY
        self.busy: dict[int, list[tuple[int, int]]] = defaultdict(list)
        self.first_checkin: dict[int, int] = {}
        self.task_servers: dict[int, list[int]] = {}  # id(task) → members who completed it

    # -- tasks and acceptances --

    def run(self, communities: list[_Community], members: dict[int, Ref], placed: dict[int, int]) -> ActivityPlan:
        rng = self.rng
        self.members = members
        weight = {m: rng.paretovariate(2.5) for m in members}  # a few members do much more
        weights = [c.members and len(c.members) or 1 for c in communities]
        per_community = _apportion(self.counts["tasks"], weights)
        duties = list(words.DUTY_WEIGHTS)
        duty_cw = _cum([words.DUTY_WEIGHTS[d] for d in duties])
        session_cw = _cum([s[1] for s in SESSIONS])
        self.completed_by_community: dict[int, list[TaskRec]] = defaultdict(list)
        for c, n in zip(communities, per_community, strict=True):
            pool = c.members + c.paired
            cw = _cum([weight[m] for m in c.members] + [0.3 * weight[m] for m in c.paired])
            for _ in range(n):
                duty = rng.choices(duties, cum_weights=duty_cw)[0]
                session = rng.choices(SESSIONS, cum_weights=session_cw)[0]
                self._task(c, duty, session, pool, cw, len(c.members))
        self._requests(communities)
        self._visits(communities, placed)
        self._consents()
        return self.plan

    def _day(self, weekend: bool) -> int:
        """A random day of the year (its local midnight), a weekend day or a weekday as asked."""
        rng = self.rng
        while True:
            d = rng.randrange(365)
            if ((self.start_weekday + d) % 7 >= 5) == weekend:
                return self.start + d * DAY

    def _task(self, c: _Community, duty: str, session, pool: list[int], cw: list[float], own: int) -> None:
        rng, plan = self.rng, self.plan
        _, _, hours, durations, weekend = session
        day = self._day(weekend)
        starts = day + int(rng.choice(hours) * HOUR)
        ends = starts + rng.choice(durations) * MINUTE
        if ends >= self.end:  # the last evening's task ends after midnight: a day earlier
            starts, ends = starts - DAY, ends - DAY
        created = starts - rng.randint(1, 10) * DAY + rng.randint(0, 10 * HOUR)
        focus = words.DUTY_FOCUS[duty] if rng.random() < 0.8 else rng.choice(Focus.values)
        slots = rng.randint(3, 20)
        cancelled = rng.random() < 0.045
        lat, lng = _near(rng, c.lat, c.lng, 900)
        place = rng.choice(words.PLACES)
        task = TaskRec(
            community=c.ref,
            grid=rng.choice(c.grids) if c.grids else None,
            focus=focus,
            duty=duty,
            title=rng.choice(words.TASK_TITLES[duty]),
            description=f"在{c.name}{place}开展，请准时到场签到。",
            address=f"{c.address}{place}",
            lat=lat,
            lng=lng,
            geofence_radius_m=rng.choice((200, 300, 300, 500)),
            starts_at=_dt(starts),
            ends_at=_dt(ends),
            slots=slots,
            taken=0,
            visibility=V.COMMUNITY,
            status=T.CANCELLED if cancelled else T.COMPLETED,
            created_by=c.secretary,
            created_at=_dt(created),
        )
        plan.tasks.append(task)
        actor = c.secretary
        plan.task_events.append(TaskEventRec(task, "", T.OPEN, actor, "发布任务", task.created_at))
        if cancelled:
            want = rng.randint(0, slots // 2)
        else:
            want = slots if rng.random() < 0.5 else rng.randint(max(1, slots // 2), slots)
        chosen = self._pick(pool, cw, want, starts, ends, live=not cancelled)
        if any(p >= own for p in chosen):
            task.visibility = V.PAIRED
        servers: list[int] = []
        last_accept = created
        # A cancelled task is called off between its publishing and an hour before it starts.
        cancel_at = created + rng.randint(HOUR, max(HOUR + 1, starts - created - HOUR))
        accept_until = (cancel_at if cancelled else starts - HOUR) - created
        for p in chosen:
            m = pool[p]
            accepted = created + rng.randint(MINUTE, max(MINUTE + 1, accept_until - MINUTE))
            last_accept = max(last_accept, accepted)
            if cancelled:
                self._acceptance(task, c, m, A.CANCELLED, accepted, starts, ends)
            elif rng.random() < 0.05:
                self._acceptance(task, c, m, A.NO_SHOW, accepted, starts, ends)
            else:
                self._acceptance(task, c, m, A.COMPLETED, accepted, starts, ends)
                servers.append(m)
        task.taken = len(chosen)
        if task.taken == slots:
            plan.task_events.append(TaskEventRec(task, T.OPEN, T.FULL, None, "名额已满", _dt(last_accept)))
        before = T.FULL if task.taken == slots else T.OPEN
        if cancelled:
            task.cancel_reason = rng.choice(words.CANCEL_REASONS)
            when = _dt(cancel_at)
            for a in plan.acceptances[len(plan.acceptances) - len(chosen) :]:
                a.withdrawn_at = when
                a.late_withdrawal = False
            plan.task_events.append(TaskEventRec(task, before, T.CANCELLED, actor, task.cancel_reason, when))
        else:
            task.completed_at = _dt(min(self.end - MINUTE, ends + rng.randint(10 * MINUTE, 3 * HOUR)))
            plan.task_events.append(TaskEventRec(task, before, T.COMPLETED, actor, "任务完成", task.completed_at))
            # A member or two withdrew in time and someone else took the slot.
            for p in self._pick(pool, cw, 1 if rng.random() < 0.35 else 0, starts, ends, live=False, skip=chosen):
                accepted = created + rng.randint(MINUTE, max(MINUTE + 1, starts - created - 2 * HOUR))
                self._acceptance(task, c, pool[p], A.CANCELLED, accepted, starts, ends)
                if p >= own:
                    task.visibility = V.PAIRED
            if servers:
                self.task_servers[id(task)] = servers
                self.completed_by_community[c.ref.id].append(task)

    def _pick(
        self, pool: list[int], cw: list[float], n: int, starts: int, ends: int, *, live: bool, skip=()
    ) -> list[int]:
        """Up to ``n`` distinct pool positions, by activity weight, of members free over
        [starts, ends); a live pick books the member's time."""
        if not pool or n <= 0:
            return []
        rng, busy, total = self.rng, self.busy, cw[-1]
        got: list[int] = []
        seen = set(skip)
        for _ in range(n * 4 + 8):
            if len(got) == n:
                break
            p = bisect(cw, rng.random() * total)
            if p >= len(pool) or p in seen:
                continue
            seen.add(p)
            m = pool[p]
            if live:
                intervals = busy[m]
                if any(s < ends and starts < e for s, e in intervals):
                    continue
                intervals.append((starts, ends))
            got.append(p)
        return got

    def _acceptance(self, task: TaskRec, c: _Community, m: int, status: str, accepted: int, starts: int, ends: int):
        rng, plan = self.rng, self.plan
        member = self.members[m]
        a = AcceptanceRec(
            task=task, member=member, status=status, starts_at=task.starts_at, ends_at=task.ends_at,
            accepted_at=_dt(accepted), withdrawn_at=None, late_withdrawal=False, notified_at=None,
            checkin=None, record=None,
        )  # fmt: skip
        plan.acceptances.append(a)
        if status == A.CANCELLED:
            withdrawn = accepted + rng.randint(MINUTE, max(MINUTE + 1, starts - accepted - MINUTE))
            a.withdrawn_at = _dt(withdrawn)
            a.late_withdrawal = starts - withdrawn < 2 * HOUR
            return
        a.notified_at = _dt(starts - 2 * HOUR) if starts - 2 * HOUR > accepted else None
        if status != A.COMPLETED:
            return
        auto = rng.random() < 0.06
        cin = starts + rng.randint(-30 * MINUTE, 10 * MINUTE)
        cout = ends if auto else min(self.end - MINUTE, ends + rng.randint(-20 * MINUTE, 25 * MINUTE))
        distance = int(rng.random() ** 2 * task.geofence_radius_m * 0.8) + 3
        checkin = self._checkin(
            m, c, task.grid, CheckIn.Purpose.SERVICE, task.lat, task.lng, task.geofence_radius_m,
            starts, ends, distance, cin, cout, auto,
        )  # fmt: skip
        served_from, served_to = max(cin, starts), min(cout, ends)
        minutes = max(0, (served_to - served_from) // MINUTE)
        flag = (served_from, served_to) if served_to > served_from else (cin, cout)
        outside = not overlaps_working_hours(_dt(flag[0]), _dt(flag[1]))
        record = RecordRec(
            member=member, community=c.ref, duty=task.duty, title=task.title, checkin=checkin, started_at=checkin.checked_in_at,
            ended_at=checkin.checked_out_at, minutes=minutes, reported_minutes=minutes,
            outside_working_hours=outside, auto_checked_out=auto, status=RS.PENDING, confirmed_via="",
            confirmed_by=None, confirmed_at=None, correction_reason="", rejected_at=None, reject_reason="",
            created_at=checkin.checked_out_at,
        )  # fmt: skip
        recent = cout > self.end - 7 * DAY
        roll = rng.random()
        if recent and roll < 0.6:
            pass  # the community has not got round to it yet
        elif roll < 0.01:
            record.status = RS.REJECTED
            record.rejected_at = _dt(min(self.end - MINUTE, cout + rng.randint(HOUR, 3 * DAY)))
            record.reject_reason = rng.choice(words.RECORD_REJECT_REASONS)
        elif roll < 0.035:
            pass  # still pending
        else:
            record.status = RS.CONFIRMED
            record.confirmed_at = _dt(min(self.end - MINUTE, cout + rng.randint(HOUR, 3 * DAY)))
            if rng.random() < 0.15:
                record.confirmed_via = ServiceRecord.ConfirmedVia.RESIDENT
            else:
                record.confirmed_via = ServiceRecord.ConfirmedVia.COMMUNITY
                record.confirmed_by = c.secretary
                if minutes > 60 and rng.random() < 0.03:
                    record.minutes = minutes - rng.randint(10, 45)
                    record.correction_reason = rng.choice(words.CORRECTION_REASONS)
        plan.records.append(record)
        a.checkin, a.record = checkin, record

    def _checkin(
        self, m, c: _Community, grid, purpose, place_lat, place_lng, radius, opens, closes, distance, cin, cout, auto
    ) -> CheckInRec:
        rng = self.rng
        lat, lng = _at_distance(rng, place_lat, place_lng, distance)
        coarsened = None
        if cin < self.coarsen_before:
            lat = lng = None
            coarsened = _dt(min(self.end - HOUR, cin + (COARSEN_AFTER_DAYS + 1) * DAY + 3 * HOUR))
        checkin = CheckInRec(
            member=self.members[m], community=c.ref, grid=grid, purpose=purpose, place_lat=place_lat,
            place_lng=place_lng, radius_m=radius, opens_at=_dt(opens), closes_at=_dt(closes), lat=lat, lng=lng,
            distance_m=distance, checked_in_at=_dt(cin), checked_out_at=None if cout is None else _dt(cout),
            auto_checked_out=auto, coarsened_at=coarsened,
        )  # fmt: skip
        self.plan.checkins.append(checkin)
        if cin < self.first_checkin.get(m, cin + 1):
            self.first_checkin[m] = cin
        return checkin

    # -- requests, feedback, likes, escalations --

    def _requests(self, communities: list[_Community]) -> None:
        rng, counts = self.rng, self.counts
        by_id = {c.ref.id: c for c in communities}
        with_tasks = [c for c in communities if self.completed_by_community.get(c.ref.id)]
        if not with_tasks:
            return
        n_esc = counts["escalations"]
        n_esc_resolved = round(n_esc * 0.75)
        n_resolved = max(0, counts["resolved_requests"] - n_esc_resolved)
        residents = _Residents(self, max(1, round(counts["resolved_requests"] * 0.8)))
        weights = _cum([len(self.completed_by_community[c.ref.id]) for c in with_tasks])
        resolved: list[RequestRec] = []
        for _ in range(n_resolved):
            c = rng.choices(with_tasks, cum_weights=weights)[0]
            task = rng.choice(self.completed_by_community[c.ref.id])
            req = self._request(c, residents.pick(), task.duty, task.created_at - _hours(rng, 2, 48))
            req.task = task
            req.reviewed_at = task.created_at
            req.resolved_at = task.completed_at
            self._event(req, "", R.SUBMITTED, req.requester, "提交点单", req.created_at)
            self._event(req, R.SUBMITTED, R.APPROVED, c.secretary, "已受理，派发任务", req.reviewed_at)
            self._event(req, R.APPROVED, R.RESOLVED, c.secretary, "任务完成，点单办结", req.resolved_at)
            self._close(req, c, self.task_servers.get(id(task), []))
            resolved.append(req)
        # Some never made it: rejected, merged into an earlier one, or still waiting for review.
        for _ in range(round(n_resolved * 0.04) or 1):
            c = rng.choice(with_tasks)
            req = self._request(c, residents.pick(), rng.choice(Duty.values), _dt(self._past(330)))
            req.status, req.reject_reason = R.REJECTED, rng.choice(words.REJECT_REASONS)
            req.reviewed_at = req.created_at + _hours(rng, 2, 48)
            self._event(req, "", R.SUBMITTED, req.requester, "提交点单", req.created_at)
            self._event(req, R.SUBMITTED, R.REJECTED, c.secretary, req.reject_reason, req.reviewed_at)
        for target in rng.sample(resolved, min(len(resolved), round(n_resolved * 0.02))):
            c = by_id[target.community.id]
            when = target.created_at + _hours(rng, 1, 20)
            req = self._request(c, residents.pick(), target.duty, when)
            req.title, req.description = target.title, target.description
            req.lat, req.lng, req.address = target.lat, target.lng, target.address
            req.status, req.merged_into, req.reviewed_at = R.MERGED, target, when + _hours(rng, 1, 24)
            self._event(req, "", R.SUBMITTED, req.requester, "提交点单", req.created_at)
            self._event(req, R.SUBMITTED, R.MERGED, c.secretary, "与已有点单重复，已合并", req.reviewed_at)
        for _ in range(round(n_resolved * 0.01) or 1):
            c = rng.choice(with_tasks)
            req = self._request(c, residents.pick(), rng.choice(Duty.values), _dt(self.end - rng.randint(1, 3 * DAY)))
            self._event(req, "", R.SUBMITTED, req.requester, "提交点单", req.created_at)
        self._escalations(with_tasks, residents, n_esc, n_esc_resolved)

    def _request(self, c: _Community, requester: UserRec, duty: str, created: datetime) -> RequestRec:
        rng = self.rng
        lat, lng = _near(rng, c.lat, c.lng, 700)
        title = rng.choice(words.REQUEST_TITLES[duty])
        req = RequestRec(
            requester=requester, community=c.ref, grid=rng.choice(c.grids) if c.grids else None, duty=duty,
            title=title, description=f"{title}，麻烦社区帮忙处理。", address=f"{c.address}{rng.randint(1, 40)}栋附近",
            lat=lat, lng=lng, contact_phone=requester.phone, status=R.SUBMITTED, task=None, created_at=created,
        )  # fmt: skip
        self.plan.requests.append(req)
        return req

    def _close(self, req: RequestRec, c: _Community, servers: list[int]) -> None:
        """After resolving: the resident confirms and rates (likes the members who served),
        or confirms only, or lets it close by itself after seven days; the last week's may wait."""
        rng = self.rng
        resolved = req.resolved_at
        roll = rng.random()
        end = _dt(self.end - MINUTE)
        if resolved > _dt(self.end - 7 * DAY) and roll < 0.5 or roll < 0.22 and resolved + timedelta(days=7) > end:
            req.status = R.RESOLVED
            return
        if roll < 0.22:
            req.status, req.closed_at = R.CLOSED, resolved + timedelta(days=7)
            self._event(req, R.RESOLVED, R.CLOSED, None, "七天未确认，自动关闭", req.closed_at)
            return
        confirmed = min(end, resolved + _hours(rng, 1, 72))
        req.closed_at = confirmed
        if roll < 0.34:
            req.status = R.CONFIRMED
            self._event(req, R.RESOLVED, R.CONFIRMED, req.requester, "居民确认已解决", confirmed)
            return
        req.status = R.RATED
        self._event(req, R.RESOLVED, R.RATED, req.requester, "居民评价", confirmed)
        score = rng.choices((5, 4, 3, 2, 1), cum_weights=(70, 92, 98, 99, 100))[0]
        self.plan.feedback.append(FeedbackRec(req, score, rng.choice(words.FEEDBACK_COMMENTS[score]), confirmed))
        if servers and score >= 4:
            for m in rng.sample(servers, min(len(servers), rng.randint(1, 3))):
                self.plan.likes.append(LikeRec(req, self.members[m], confirmed))

    def _escalations(self, communities: list[_Community], residents: _Residents, n: int, n_resolved: int) -> None:
        rng, plan = self.rng, self.plan
        for i in range(n):
            c = rng.choice(communities)
            created = self._past(300) if i < n_resolved else self.end - rng.randint(1, 20) * DAY
            req = self._request(c, residents.pick(), rng.choice(Duty.values), _dt(created))
            esc_at = req.created_at + _hours(rng, 4, 72)
            req.reviewed_at = esc_at
            req.status = R.ESCALATED
            reason = rng.choice(words.ESCALATION_REASONS)
            self._event(req, "", R.SUBMITTED, req.requester, "提交点单", req.created_at)
            self._event(req, R.SUBMITTED, R.ESCALATED, c.secretary, reason, esc_at)
            esc = EscalationRec(
                street=c.street, community=c.ref, request=req, reason=reason, status=E.OPEN, deadline=None,
                overdue=False, outcome="", created_by=c.secretary, created_at=esc_at, assigned_at=None,
                resolved_at=None,
            )  # fmt: skip
            plan.escalations.append(esc)
            self._esc_event(esc, "", E.OPEN, c.secretary, reason, esc_at)
            if i >= n_resolved and rng.random() < 0.3 or not self.departments:
                continue  # not yet assigned
            esc.status, esc.assigned_at = E.ASSIGNED, esc_at + _hours(rng, 2, 48)
            esc.deadline = esc.assigned_at + timedelta(days=7)
            depts = rng.sample(self.departments, min(len(self.departments), rng.randint(1, 3)))
            plan.escalation_departments += [EscalationDeptRec(esc, d) for d in depts]
            self._esc_event(esc, E.OPEN, E.ASSIGNED, c.street_staff, "分派牵头/协办部门", esc.assigned_at)
            if i >= n_resolved:
                esc.overdue = esc.deadline < _dt(self.end)
                continue
            for d in depts:
                plan.responses.append(
                    ResponseRec(esc, d, rng.choice(words.DEPARTMENT_RESPONSES), c.street_staff,
                                esc.assigned_at + _hours(rng, 24, 120))
                )  # fmt: skip
            esc.status, esc.outcome = E.RESOLVED, rng.choice(words.ESCALATION_OUTCOMES)
            esc.resolved_at = esc.assigned_at + _hours(rng, 130, 160)
            self._esc_event(esc, E.ASSIGNED, E.RESOLVED, c.street_staff, esc.outcome, esc.resolved_at)
            req.resolved_at = esc.resolved_at
            self._event(req, R.ESCALATED, R.RESOLVED, c.street_staff, "联席会议办结", esc.resolved_at)
            req.status = R.RESOLVED
            self._close(req, c, [])

    def _event(self, req, frm, to, actor, note, when) -> None:
        self.plan.request_events.append(RequestEventRec(req, frm, to, actor, note, when))

    def _esc_event(self, esc, frm, to, actor, note, when) -> None:
        self.plan.escalation_events.append(EscalationEventRec(esc, frm, to, actor, note, when))

    def _past(self, days: int) -> int:
        return self.end - self.rng.randint(20 * DAY, days * DAY)

    def _resident(self) -> UserRec:
        rng = self.rng
        phone = f"{rng.choice(RESIDENT_PREFIXES)}{rng.randrange(10**8):08d}"
        while phone in self.taken_phones:  # the next free number, drawing nothing more
            phone = f"{phone[:3]}{(int(phone[3:]) + 1) % 10**8:08d}"
        self.taken_phones.add(phone)
        person = self.names.person()
        user = UserRec(
            phone=phone, name=person.name, name_initials=person.initials, password="!", is_staff=False,
            date_joined=_dt(self.start - rng.randint(0, 400) * DAY),
        )  # fmt: skip
        self.plan.users.append(user)
        return user

    # -- report-for-duty visits and location consent --

    def _visits(self, communities: list[_Community], placed: dict[int, int]) -> None:
        """Most placed members report to their community at least once a quarter."""
        rng, plan = self.rng, self.plan
        by_id = {c.ref.id: c for c in communities}
        quarters: dict[str, list[int]] = defaultdict(list)  # quarter → its days in the year
        for d in range(365):
            day = self.start + d * DAY
            quarters[quarter_of(_dt(day + 12 * HOUR))].append(day)
        for m, cid in placed.items():
            c = by_id[cid]
            for quarter, days in quarters.items():
                if len(days) < 30 or rng.random() > 0.9:
                    continue
                visited: set[int] = set()
                for _ in range(2 if rng.random() < 0.2 else 1):
                    day = rng.choice(days)
                    if day in visited:
                        continue
                    visited.add(day)
                    at = day + rng.randint(8 * HOUR + 30 * MINUTE, 20 * HOUR)
                    checkin = None
                    method = Visit.Method.QR
                    if rng.random() < 0.25:
                        method = Visit.Method.LOCATION
                        distance = int(rng.random() * c.radius * 0.7) + 3
                        checkin = self._checkin(
                            m, c, None, CheckIn.Purpose.VISIT, c.lat, c.lng, c.radius, day, day + DAY,
                            distance, at, None, False,
                        )  # fmt: skip
                    local = _dt(at).astimezone(SHANGHAI)
                    plan.visits.append(
                        VisitRec(self.members[m], c.ref, method, checkin, _dt(at), local.date().isoformat(), quarter)
                    )

    def _consents(self) -> None:
        rng = self.rng
        for m in sorted(self.first_checkin):
            granted = self.first_checkin[m] - rng.randint(HOUR, 30 * DAY)
            self.plan.consents.append(ConsentRec(self.members[m], CONSENT_VERSION, _dt(granted)))


class _Residents:
    """``n`` residents who make requests, each created on their first request (so every
    generated resident has made one, and ``wipe_activity`` finds them all)."""

    def __init__(self, planner: _Planner, n: int):
        self.planner, self.n = planner, n
        self.made: dict[int, UserRec] = {}

    def pick(self) -> UserRec:
        i = self.planner.rng.randrange(self.n)
        user = self.made.get(i)
        if user is None:
            user = self.made[i] = self.planner._resident()
        return user


def _hours(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(seconds=rng.randint(low * HOUR, high * HOUR))


def _cum(weights: list[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def _apportion(total: int, weights: list[float]) -> list[int]:
    s = sum(weights)
    quotas = [total * w / s for w in weights]
    out = [int(q) for q in quotas]
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - out[i]), i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def _near(rng: random.Random, lat: float, lng: float, radius_m: float) -> tuple[float, float]:
    return _at_distance(rng, lat, lng, rng.random() ** 0.5 * radius_m)


def _at_distance(rng: random.Random, lat: float, lng: float, distance_m: float) -> tuple[float, float]:
    bearing = rng.random() * 2 * math.pi
    dlat = distance_m * math.cos(bearing) / 111_320
    dlng = distance_m * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lng + dlng, 6)


# --- writing ------------------------------------------------------------------------------


def has_activity() -> bool:
    return Task.objects.exists() or ServiceRequest.objects.exists() or Visit.objects.exists()


def wipe_activity() -> None:
    """Delete every task, acceptance, check-in, service record, visit, consent, request and
    escalation, and the residents who only ever made requests. Children first; plain DELETEs."""
    requesters = list(
        User.objects.filter(service_requests__isnull=False, is_superuser=False, is_staff=False)
        .filter(member__isnull=True, posts__isnull=True)
        .values_list("pk", flat=True)
        .distinct()
    )
    models = [
        Like, Feedback, RequestEvent, RequestFollower, RequestPhoto, EscalationResponse, EscalationEvent,
        Escalation.departments.through, Escalation, AcceptanceEvent, Acceptance, TaskEvent,
    ]  # fmt: skip
    for model in models:
        model.objects.all()._raw_delete(connection.alias)
    for model in (ServiceRequest, Task, Visit, ServiceRecordEvent, ServiceRecord, CheckIn, LocationConsent):
        model.objects.all()._raw_delete(connection.alias)
    for start in range(0, len(requesters), BATCH_SIZE):
        User.objects.filter(pk__in=requesters[start : start + BATCH_SIZE]).delete()


def _departments() -> list[Ref]:
    if not Department.objects.exists():
        Department.objects.bulk_create(
            [Department(name=name, sort_order=i) for i, name in enumerate(words.DEPARTMENTS, start=1)]
        )
    return [
        Ref(pk)
        for pk in Department.objects.filter(is_active=True).order_by("sort_order", "id").values_list("pk", flat=True)
    ]


def plan_activity(*, scale: float, seed: int) -> ActivityPlan:
    """Plan the year from the organisation in the database; writes nothing."""
    communities, members, placed = _read_city()
    if not communities or not members:
        raise ValueError("no organisation to work with")
    taken = set(
        User.objects.filter(
            Q(phone__startswith=RESIDENT_PREFIXES[0]) | Q(phone__startswith=RESIDENT_PREFIXES[1])
            | Q(phone__startswith=RESIDENT_PREFIXES[2]) | Q(phone__startswith=RESIDENT_PREFIXES[3])
        ).values_list("phone", flat=True)
    )  # fmt: skip
    departments = _departments()
    secretary = next((c.secretary for c in communities if c.secretary), None)
    if secretary is None:
        raise ValueError("no community secretary to publish tasks")
    for c in communities:
        c.secretary = c.secretary or secretary
    return _Planner(scale, seed, departments, taken).run(communities, members, placed)


def generate_activity(
    *, scale: float, seed: int, reset: bool = False, progress: Callable[[str, int], None] | None = None
) -> ActivityPlan:
    """Plan the year and insert it, in one transaction. Returns the plan (records have ids)."""
    with transaction.atomic():
        if reset:
            wipe_activity()
        plan = plan_activity(scale=scale, seed=seed)
        batches = plan.batches()
        with constraints_checked_after(model for _, model, _ in batches):
            for label, model, recs in batches:
                report = (lambda n, label=label: progress(label, n)) if progress else None
                insert(model, recs, batch_size=BATCH_SIZE, progress=report)
    return plan
