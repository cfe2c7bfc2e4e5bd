"""Planning tasks and their acceptances, check-ins and service records (``Planner``'s share).

Every draw comes from the planner's one ``random.Random``, in a fixed order, so a seed gives the
same year. Times are Unix seconds."""

from __future__ import annotations

from bisect import bisect

from grids.vocab import Focus
from orders.citygen import words
from orders.citygen.city import CityCommunity
from orders.citygen.draw import DAY, HOUR, MINUTE, at_distance, near, utc
from orders.citygen.records import (
    AcceptanceRec,
    CheckInRec,
    RecordRec,
    TaskEventRec,
    TaskRec,
)
from orders.models import (
    Acceptance,
    Escalation,
    ServiceRequest,
    Task,
)
from reporting.models import CheckIn, ServiceRecord
from reporting.worktime import overlaps_working_hours

COARSEN_AFTER_DAYS = 180

T, A, R, E = Task.Status, Acceptance.Status, ServiceRequest.Status, Escalation.Status
RS, V = ServiceRecord.Status, Task.Visibility

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


class TaskPlanning:
    """Tasks, acceptances, check-ins and service records; mixed into ``Planner``, whose
    ``__init__`` sets the state used here (rng, plan, busy, members, first_checkin …)."""

    def _day(self, weekend: bool) -> int:
        """A random day of the year (its local midnight), a weekend day or a weekday as asked."""
        rng = self.rng
        while True:
            d = rng.randrange(365)
            if ((self.start_weekday + d) % 7 >= 5) == weekend:
                return self.start + d * DAY

    def _task(self, c: CityCommunity, duty: str, session, pool: list[int], cw: list[float], own: int) -> None:
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
        lat, lng = near(rng, c.lat, c.lng, 900)
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
            starts_at=utc(starts),
            ends_at=utc(ends),
            slots=slots,
            taken=0,
            visibility=V.COMMUNITY,
            status=T.CANCELLED if cancelled else T.COMPLETED,
            created_by=c.secretary,
            created_at=utc(created),
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
            plan.task_events.append(TaskEventRec(task, T.OPEN, T.FULL, None, "名额已满", utc(last_accept)))
        before = T.FULL if task.taken == slots else T.OPEN
        if cancelled:
            task.cancel_reason = rng.choice(words.CANCEL_REASONS)
            when = utc(cancel_at)
            for a in plan.acceptances[len(plan.acceptances) - len(chosen) :]:
                a.withdrawn_at = when
                a.late_withdrawal = False
            plan.task_events.append(TaskEventRec(task, before, T.CANCELLED, actor, task.cancel_reason, when))
        else:
            task.completed_at = utc(min(self.end - MINUTE, ends + rng.randint(10 * MINUTE, 3 * HOUR)))
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

    def _acceptance(self, task: TaskRec, c: CityCommunity, m: int, status: str, accepted: int, starts: int, ends: int):
        rng, plan = self.rng, self.plan
        member = self.members[m]
        a = AcceptanceRec(
            task=task, member=member, status=status, starts_at=task.starts_at, ends_at=task.ends_at,
            accepted_at=utc(accepted), withdrawn_at=None, late_withdrawal=False, notified_at=None,
            checkin=None, record=None,
        )  # fmt: skip
        plan.acceptances.append(a)
        if status == A.CANCELLED:
            withdrawn = accepted + rng.randint(MINUTE, max(MINUTE + 1, starts - accepted - MINUTE))
            a.withdrawn_at = utc(withdrawn)
            a.late_withdrawal = starts - withdrawn < 2 * HOUR
            return
        a.notified_at = utc(starts - 2 * HOUR) if starts - 2 * HOUR > accepted else None
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
        outside = not overlaps_working_hours(utc(flag[0]), utc(flag[1]))
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
            record.rejected_at = utc(min(self.end - MINUTE, cout + rng.randint(HOUR, 3 * DAY)))
            record.reject_reason = rng.choice(words.RECORD_REJECT_REASONS)
        elif roll < 0.035:
            pass  # still pending
        else:
            record.status = RS.CONFIRMED
            record.confirmed_at = utc(min(self.end - MINUTE, cout + rng.randint(HOUR, 3 * DAY)))
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
        self, m, c: CityCommunity, grid, purpose, place_lat, place_lng, radius, opens, closes, distance, cin, cout, auto
    ) -> CheckInRec:
        rng = self.rng
        lat, lng = at_distance(rng, place_lat, place_lng, distance)
        coarsened = None
        if cin < self.coarsen_before:
            lat = lng = None
            coarsened = utc(min(self.end - HOUR, cin + (COARSEN_AFTER_DAYS + 1) * DAY + 3 * HOUR))
        checkin = CheckInRec(
            member=self.members[m], community=c.ref, grid=grid, purpose=purpose, place_lat=place_lat,
            place_lng=place_lng, radius_m=radius, opens_at=utc(opens), closes_at=utc(closes), lat=lat, lng=lng,
            distance_m=distance, checked_in_at=utc(cin), checked_out_at=None if cout is None else utc(cout),
            auto_checked_out=auto, coarsened_at=coarsened,
        )  # fmt: skip
        self.plan.checkins.append(checkin)
        if cin < self.first_checkin.get(m, cin + 1):
            self.first_checkin[m] = cin
        return checkin
