"""Planning residents' requests with their ratings and likes, and the escalations to the
streets' joint meetings (``Planner``'s share)."""

from __future__ import annotations

from datetime import datetime, timedelta

from grids.citygen.rows import UserRec
from grids.vocab import Duty
from orders.citygen import words
from orders.citygen.city import CityCommunity
from orders.citygen.draw import DAY, MINUTE, cumulative, hours_between, near, utc
from orders.citygen.records import (
    EscalationDeptRec,
    EscalationEventRec,
    EscalationRec,
    FeedbackRec,
    LikeRec,
    RequestEventRec,
    RequestRec,
    ResponseRec,
)
from orders.models import (
    Acceptance,
    Escalation,
    ServiceRequest,
    Task,
)
from reporting.models import ServiceRecord

RESIDENT_PREFIXES = ("166", "176", "191", "195")  # the city generator and the fixtures use others

T, A, R, E = Task.Status, Acceptance.Status, ServiceRequest.Status, Escalation.Status
RS, V = ServiceRecord.Status, Task.Visibility


class RequestPlanning:
    """Requests, feedback, likes and escalations; mixed into ``Planner`` (see ``TaskPlanning``)."""

    def _requests(self, communities: list[CityCommunity]) -> None:
        rng, counts = self.rng, self.counts
        by_id = {c.ref.id: c for c in communities}
        with_tasks = [c for c in communities if self.completed_by_community.get(c.ref.id)]
        if not with_tasks:
            return
        n_esc = counts["escalations"]
        n_esc_resolved = round(n_esc * 0.75)
        n_resolved = max(0, counts["resolved_requests"] - n_esc_resolved)
        residents = Residents(self, max(1, round(counts["resolved_requests"] * 0.8)))
        weights = cumulative([len(self.completed_by_community[c.ref.id]) for c in with_tasks])
        resolved: list[RequestRec] = []
        for _ in range(n_resolved):
            c = rng.choices(with_tasks, cum_weights=weights)[0]
            task = rng.choice(self.completed_by_community[c.ref.id])
            req = self._request(c, residents.pick(), task.duty, task.created_at - hours_between(rng, 2, 48))
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
            req = self._request(c, residents.pick(), rng.choice(Duty.values), utc(self._past(330)))
            req.status, req.reject_reason = R.REJECTED, rng.choice(words.REJECT_REASONS)
            req.reviewed_at = req.created_at + hours_between(rng, 2, 48)
            self._event(req, "", R.SUBMITTED, req.requester, "提交点单", req.created_at)
            self._event(req, R.SUBMITTED, R.REJECTED, c.secretary, req.reject_reason, req.reviewed_at)
        for target in rng.sample(resolved, min(len(resolved), round(n_resolved * 0.02))):
            c = by_id[target.community.id]
            when = target.created_at + hours_between(rng, 1, 20)
            req = self._request(c, residents.pick(), target.duty, when)
            req.title, req.description = target.title, target.description
            req.lat, req.lng, req.address = target.lat, target.lng, target.address
            req.status, req.merged_into, req.reviewed_at = R.MERGED, target, when + hours_between(rng, 1, 24)
            self._event(req, "", R.SUBMITTED, req.requester, "提交点单", req.created_at)
            self._event(req, R.SUBMITTED, R.MERGED, c.secretary, "与已有点单重复，已合并", req.reviewed_at)
        for _ in range(round(n_resolved * 0.01) or 1):
            c = rng.choice(with_tasks)
            req = self._request(c, residents.pick(), rng.choice(Duty.values), utc(self.end - rng.randint(1, 3 * DAY)))
            self._event(req, "", R.SUBMITTED, req.requester, "提交点单", req.created_at)
        self._escalations(with_tasks, residents, n_esc, n_esc_resolved)

    def _request(self, c: CityCommunity, requester: UserRec, duty: str, created: datetime) -> RequestRec:
        rng = self.rng
        lat, lng = near(rng, c.lat, c.lng, 700)
        title = rng.choice(words.REQUEST_TITLES[duty])
        req = RequestRec(
            requester=requester, community=c.ref, grid=rng.choice(c.grids) if c.grids else None, duty=duty,
            title=title, description=f"{title}，麻烦社区帮忙处理。", address=f"{c.address}{rng.randint(1, 40)}栋附近",
            lat=lat, lng=lng, contact_phone=requester.phone, status=R.SUBMITTED, task=None, created_at=created,
        )  # fmt: skip
        self.plan.requests.append(req)
        return req

    def _close(self, req: RequestRec, c: CityCommunity, servers: list[int]) -> None:
        """After resolving: the resident confirms and rates (likes the members who served),
        or confirms only, or lets it close by itself after seven days; the last week's may wait."""
        rng = self.rng
        resolved = req.resolved_at
        roll = rng.random()
        end = utc(self.end - MINUTE)
        if resolved > utc(self.end - 7 * DAY) and roll < 0.5 or roll < 0.22 and resolved + timedelta(days=7) > end:
            req.status = R.RESOLVED
            return
        if roll < 0.22:
            req.status, req.closed_at = R.CLOSED, resolved + timedelta(days=7)
            self._event(req, R.RESOLVED, R.CLOSED, None, "七天未确认，自动关闭", req.closed_at)
            return
        confirmed = min(end, resolved + hours_between(rng, 1, 72))
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

    def _escalations(self, communities: list[CityCommunity], residents: Residents, n: int, n_resolved: int) -> None:
        rng, plan = self.rng, self.plan
        for i in range(n):
            c = rng.choice(communities)
            created = self._past(300) if i < n_resolved else self.end - rng.randint(1, 20) * DAY
            req = self._request(c, residents.pick(), rng.choice(Duty.values), utc(created))
            esc_at = req.created_at + hours_between(rng, 4, 72)
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
            esc.status, esc.assigned_at = E.ASSIGNED, esc_at + hours_between(rng, 2, 48)
            esc.deadline = esc.assigned_at + timedelta(days=7)
            depts = rng.sample(self.departments, min(len(self.departments), rng.randint(1, 3)))
            plan.escalation_departments += [EscalationDeptRec(esc, d) for d in depts]
            self._esc_event(esc, E.OPEN, E.ASSIGNED, c.street_staff, "分派牵头/协办部门", esc.assigned_at)
            if i >= n_resolved:
                esc.overdue = esc.deadline < utc(self.end)
                continue
            for d in depts:
                plan.responses.append(
                    ResponseRec(esc, d, rng.choice(words.DEPARTMENT_RESPONSES), c.street_staff,
                                esc.assigned_at + hours_between(rng, 24, 120))
                )  # fmt: skip
            esc.status, esc.outcome = E.RESOLVED, rng.choice(words.ESCALATION_OUTCOMES)
            esc.resolved_at = esc.assigned_at + hours_between(rng, 130, 160)
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
            date_joined=utc(self.start - rng.randint(0, 400) * DAY),
        )  # fmt: skip
        self.plan.users.append(user)
        return user


class Residents:
    """``n`` residents who make requests, each created on their first request (so every
    generated resident has made one, and ``wipe_activity`` finds them all)."""

    def __init__(self, planner: RequestPlanning, n: int):
        self.planner, self.n = planner, n
        self.made: dict[int, UserRec] = {}

    def pick(self) -> UserRec:
        i = self.planner.rng.randrange(self.n)
        user = self.made.get(i)
        if user is None:
            user = self.made[i] = self.planner._resident()
        return user
