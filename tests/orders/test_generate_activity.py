"""generate_activity: a year of tasks, acceptances, hours, requests and visits on a generated city."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, Sum

from grids.models import Member
from orders.citygen.bulk import constraints_checked_after
from orders.citygen.planning import scaled_activity
from orders.models import (
    Acceptance,
    Escalation,
    Feedback,
    Like,
    RequestEvent,
    ServiceRequest,
    Task,
    TaskEvent,
)
from reporting.models import CheckIn, LocationConsent, ServiceRecord, Visit
from reporting.worktime import overlaps_working_hours

SCALE = 0.01
LIVE = ["accepted", "checked_in", "completed"]


def _check_deferred() -> None:
    if connection.vendor == "postgresql":
        # Foreign keys are checked at commit, and a test never commits: check them now.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def run(*args: str) -> str:
    out = StringIO()
    call_command("generate_activity", "--scale", str(SCALE), *args, stdout=out)
    _check_deferred()
    return out.getvalue()


@pytest.fixture
def city(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("generate_city", "--scale", str(SCALE), "--seed", "7", "--quiet", stdout=StringIO())
    _check_deferred()


def signature() -> dict:
    return {
        "tasks": sorted(
            Task.objects.values_list(
                "community_id", "duty", "title", "starts_at", "ends_at", "slots", "taken", "status"
            )
        ),
        "acceptances": sorted(
            Acceptance.objects.values_list("member_id", "starts_at", "status", "accepted_at", "record__minutes")
        ),
        "requests": sorted(ServiceRequest.objects.values_list("community_id", "title", "status", "created_at")),
        "visits": sorted(Visit.objects.values_list("member_id", "visited_on", "method")),
    }


@pytest.mark.slow
@pytest.mark.django_db
def test_generates_the_scaled_year(city):
    out = run("--seed", "3")
    target = scaled_activity(SCALE)
    assert "已生成一年的活动数据" in out
    assert Task.objects.count() == target["tasks"]
    assert Task.objects.filter(status="completed").count() > 0.9 * target["tasks"]
    assert Task.objects.filter(status="cancelled").exclude(cancel_reason="").exists()
    assert Task.objects.values("duty").distinct().count() == 8
    assert Task.objects.values("focus").distinct().count() == 3
    assert 0.9 * target["acceptances"] <= Acceptance.objects.count() <= 1.1 * target["acceptances"]
    assert Acceptance.objects.filter(status="completed").count() > 0.85 * Acceptance.objects.count()
    assert Acceptance.objects.filter(status="no_show").exists()
    assert Acceptance.objects.filter(status="cancelled", withdrawn_at__isnull=False).exists()
    minutes = ServiceRecord.objects.aggregate(s=Sum("minutes"))["s"]
    assert 0.85 * target["minutes"] <= minutes <= 1.15 * target["minutes"]
    records = ServiceRecord.objects.count()
    assert ServiceRecord.objects.filter(status="confirmed").count() > 0.9 * records
    resolved = ServiceRequest.objects.filter(status__in=["resolved", "confirmed", "rated", "closed"])
    assert resolved.count() == target["resolved_requests"]
    assert ServiceRequest.objects.filter(status="rejected").exists()
    assert ServiceRequest.objects.filter(status="merged", merged_into__isnull=False).exists()
    assert Feedback.objects.count() > 0.5 * target["resolved_requests"]
    assert Feedback.objects.filter(score__gte=4).count() > 0.8 * Feedback.objects.count()
    assert Like.objects.count() > Feedback.objects.count()
    assert Escalation.objects.count() == target["escalations"]
    assert RequestEvent.objects.count() > 3 * target["resolved_requests"]
    assert TaskEvent.objects.filter(to_status="open").count() == target["tasks"]
    assert TaskEvent.objects.filter(to_status="completed").count() == Task.objects.filter(status="completed").count()


@pytest.mark.slow
@pytest.mark.django_db
def test_acceptances_are_consistent(city):
    run()
    # Every completed acceptance has its check-in and its service record, for the same member.
    done = Acceptance.objects.filter(status="completed")
    assert not done.filter(Q(checkin__isnull=True) | Q(record__isnull=True)).exists()
    assert not done.exclude(checkin__member_id=F("member_id")).exists()
    assert not done.exclude(record__member_id=F("member_id")).exists()
    assert not Acceptance.objects.exclude(status="completed").filter(record__isnull=False).exists()
    # No member holds two overlapping live acceptances.
    by_member: dict[int, list] = {}
    for m, s, e in Acceptance.objects.filter(status__in=LIVE).values_list("member_id", "starts_at", "ends_at"):
        by_member.setdefault(m, []).append((s, e))
    for spans in by_member.values():
        spans.sort()
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    # Taken counts the acceptances that held a slot; slots are never overfilled.
    for task in Task.objects.filter(status="completed").annotate(
        held=Count("acceptances", filter=Q(acceptances__status__in=["completed", "no_show"]))
    ):
        assert task.taken == task.held <= task.slots
        assert 3 <= task.slots <= 20
    # Members came from the task's community or its paired units.
    assert (
        not Acceptance.objects.filter(task__visibility="community")
        .exclude(member__community_id=F("task__community_id"))
        .exists()
    )
    # Members who checked in consented first; old check-ins are coarsened.
    checked = set(CheckIn.objects.values_list("member_id", flat=True))
    assert checked == set(LocationConsent.objects.values_list("member_id", flat=True))
    assert CheckIn.objects.filter(lat__isnull=True, coarsened_at__isnull=False).exists()
    assert CheckIn.objects.filter(lat__isnull=False, coarsened_at__isnull=True).exists()
    # Records: minutes within the task's window, flag consistent with the times.
    for r in ServiceRecord.objects.select_related("checkin")[:300]:
        assert r.minutes <= (r.checkin.closes_at - r.checkin.opens_at).total_seconds() / 60
        served = (max(r.started_at, r.checkin.opens_at), min(r.ended_at, r.checkin.closes_at))
        if served[1] > served[0]:
            assert r.outside_working_hours == (not overlaps_working_hours(*served))
    assert ServiceRecord.objects.filter(outside_working_hours=False).exists()
    assert ServiceRecord.objects.filter(outside_working_hours=True).count() > 0.8 * ServiceRecord.objects.count()
    # Most placed members reported to their community in each full quarter.
    placed = Member.objects.filter(community__isnull=False).count()
    quarters = Visit.objects.values("quarter").annotate(n=Count("member", distinct=True)).order_by("-n")
    assert quarters[0]["n"] > 0.8 * placed
    assert not Visit.objects.exclude(community_id=F("member__community_id")).exists()
    assert Visit.objects.filter(method="location", checkin__purpose="visit").exists()


@pytest.mark.slow
@pytest.mark.django_db
def test_is_deterministic_refuses_to_run_twice_and_resets(city):
    run("--seed", "5")
    first = signature()
    with pytest.raises(CommandError, match="已有任务"):
        run("--seed", "5")
    run("--seed", "5", "--reset")
    assert signature() == first
    run("--seed", "6", "--reset")
    assert signature()["tasks"] != first["tasks"]
    run("--clear")
    assert not Task.objects.exists() and not Acceptance.objects.exists() and not CheckIn.objects.exists()
    assert not ServiceRequest.objects.exists() and not Visit.objects.exists()


@pytest.mark.django_db
def test_refuses_without_a_city():
    with pytest.raises(CommandError, match="generate_city"):
        run()


def _constraints_and_indexes() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE conrelid::regclass::text LIKE ANY(%s) "
            "UNION SELECT tablename, indexname FROM pg_indexes WHERE tablename LIKE ANY(%s)",
            [["orders_%", "reporting_%"], ["orders_%", "reporting_%"]],
        )
        return set(cursor.fetchall())


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db
def test_bulk_load_puts_back_every_constraint_and_index(city):
    before = _constraints_and_indexes()
    assert ("orders_acceptance", "acceptance_no_overlap") in before
    run()
    assert _constraints_and_indexes() == before


@pytest.mark.postgres
@pytest.mark.django_db
def test_bulk_load_fails_when_a_row_breaks_a_dropped_constraint(member):
    sql = "INSERT INTO orders_like (request_id, member_id, created_at) VALUES (987654, %s, now())"
    with pytest.raises(IntegrityError), transaction.atomic(), constraints_checked_after([Like]):
        connection.cursor().execute(sql, [member.pk])  # no such request: the re-added foreign key fails


@pytest.mark.slow
@pytest.mark.django_db
def test_bench_orders_measures_and_leaves_the_data_as_it_was(city):
    run("--seed", "3")
    before = signature()
    out = StringIO()
    call_command("bench_orders", "--calls", "2", "--backlog", "5", stdout=out)
    text = out.getvalue()
    assert "接单大厅 API" in text and "待审核点单页面" in text
    assert text.count("中位数") == 9 and "次查询" in text
    assert signature() == before


@pytest.mark.django_db
def test_bench_orders_needs_a_city():
    with pytest.raises(CommandError, match="没有任务"):
        call_command("bench_orders", stdout=StringIO())


@pytest.mark.slow
@pytest.mark.django_db
def test_demo_activity_fills_the_demo_slice_once(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command("demo_activity", stdout=out)
    assert "已生成一年的演示活动" in out.getvalue()
    upcoming = Task.objects.filter(status="open", created_at__gte=F("starts_at") - dt.timedelta(days=8))
    assert upcoming.count() >= 9
    member = Member.objects.get(user__phone="13800138002")
    assert Acceptance.objects.filter(member=member, status="accepted").count() == 1
    assert ServiceRequest.objects.filter(requester__phone="13800138001", status="submitted").count() == 3
    team_task = Task.objects.get(visibility="team")
    assert team_task.team.memberships.get(role="captain").member.user.phone == "13800138006"
    assert team_task.team.memberships.filter(member=member).exists()
    before = signature()
    out = StringIO()
    call_command("demo_activity", stdout=out)
    assert "跳过" in out.getvalue() and signature() == before
