"""Planning a year of activity (``generate_activity``): tasks and acceptances, check-ins and
service records, residents' requests with their ratings and likes, escalations to the streets'
joint meetings, and report-for-duty visits.

It reads the organisation ``generate_city`` wrote (communities, grids, members, pairings, posts)
and plans every row in memory from one ``random.Random(seed)``; ``orders.citygen.writing`` inserts
them. The year ends at the last midnight in Shanghai, so a seed gives the same rows all day long.

At scale 1.0 the figures are the article's: 60,100 tasks, about 600,000 acceptances and
1,600,000 hours served, 11,390 resident requests resolved. Every CHECK, unique and exclusion
constraint holds: a member's live acceptances never overlap, every completed acceptance has its
check-in and its service record, a coarsened check-in has no raw coordinates."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q

from accounts.models import User
from grids.citygen.common import NameMaker
from grids.citygen.rows import UserRec
from orders.citygen import words
from orders.citygen.city import CityCommunity, read_city
from orders.citygen.draw import DAY, HOUR, MINUTE, apportion, cumulative, utc
from orders.citygen.plan_requests import RESIDENT_PREFIXES, RequestPlanning
from orders.citygen.plan_tasks import COARSEN_AFTER_DAYS, SESSIONS, TaskPlanning
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
    Department,
    Escalation,
    EscalationEvent,
    EscalationResponse,
    Feedback,
    Like,
    RequestEvent,
    ServiceRequest,
    Task,
    TaskEvent,
)
from reporting.models import CheckIn, LocationConsent, ServiceRecord, Visit
from reporting.worktime import SHANGHAI, quarter_of

# The article's figures for a year (scale 1.0).
BASE = {
    "tasks": 60_100,
    "acceptances": 600_000,
    "minutes": 96_000_000,
    "resolved_requests": 11_390,
    "escalations": 120,
}
CONSENT_VERSION = "2026-01"


def scaled_activity(scale: float) -> dict[str, int]:
    """The activity ``generate_activity --scale`` aims at: the article's figures times ``scale``."""
    return {k: max(1, round(v * scale)) for k, v in BASE.items()}


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


class Planner(TaskPlanning, RequestPlanning):
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
        self.start_weekday = utc(self.start).astimezone(SHANGHAI).weekday()
        self.coarsen_before = self.end - COARSEN_AFTER_DAYS * DAY
        self.busy: dict[int, list[tuple[int, int]]] = defaultdict(list)
        self.first_checkin: dict[int, int] = {}
        self.task_servers: dict[int, list[int]] = {}  # id(task) → members who completed it

    # -- tasks and acceptances --

    def run(self, communities: list[CityCommunity], members: dict[int, Ref], placed: dict[int, int]) -> ActivityPlan:
        rng = self.rng
        self.members = members
        weight = {m: rng.paretovariate(2.5) for m in members}  # a few members do much more
        weights = [c.members and len(c.members) or 1 for c in communities]
        per_community = apportion(self.counts["tasks"], weights)
        duties = list(words.DUTY_WEIGHTS)
        duty_cw = cumulative([words.DUTY_WEIGHTS[d] for d in duties])
        session_cw = cumulative([s[1] for s in SESSIONS])
        self.completed_by_community: dict[int, list[TaskRec]] = defaultdict(list)
        for c, n in zip(communities, per_community, strict=True):
            pool = c.members + c.paired
            cw = cumulative([weight[m] for m in c.members] + [0.3 * weight[m] for m in c.paired])
            for _ in range(n):
                duty = rng.choices(duties, cum_weights=duty_cw)[0]
                session = rng.choices(SESSIONS, cum_weights=session_cw)[0]
                self._task(c, duty, session, pool, cw, len(c.members))
        self._requests(communities)
        self._visits(communities, placed)
        self._consents()
        return self.plan

    # -- report-for-duty visits and location consent --

    def _visits(self, communities: list[CityCommunity], placed: dict[int, int]) -> None:
        """Most placed members report to their community at least once a quarter."""
        rng, plan = self.rng, self.plan
        by_id = {c.ref.id: c for c in communities}
        quarters: dict[str, list[int]] = defaultdict(list)  # quarter → its days in the year
        for d in range(365):
            day = self.start + d * DAY
            quarters[quarter_of(utc(day + 12 * HOUR))].append(day)
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
                    local = utc(at).astimezone(SHANGHAI)
                    plan.visits.append(
                        VisitRec(self.members[m], c.ref, method, checkin, utc(at), local.date().isoformat(), quarter)
                    )

    def _consents(self) -> None:
        rng = self.rng
        for m in sorted(self.first_checkin):
            granted = self.first_checkin[m] - rng.randint(HOUR, 30 * DAY)
            self.plan.consents.append(ConsentRec(self.members[m], CONSENT_VERSION, utc(granted)))


def departments_for_cases() -> list[Ref]:
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
    communities, members, placed = read_city()
    if not communities or not members:
        raise ValueError("no organisation to work with")
    taken = set(
        User.objects.filter(
            Q(phone__startswith=RESIDENT_PREFIXES[0]) | Q(phone__startswith=RESIDENT_PREFIXES[1])
            | Q(phone__startswith=RESIDENT_PREFIXES[2]) | Q(phone__startswith=RESIDENT_PREFIXES[3])
        ).values_list("phone", flat=True)
    )  # fmt: skip
    departments = departments_for_cases()
    secretary = next((c.secretary for c in communities if c.secretary), None)
    if secretary is None:
        raise ValueError("no community secretary to publish tasks")
    for c in communities:
        c.secretary = c.secretary or secretary
    return Planner(scale, seed, departments, taken).run(communities, members, placed)
