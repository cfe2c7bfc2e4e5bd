"""调剂 rounds: who may run them, one round at a time, the proposal, accepting all, some or edited
moves, stale proposals, cancelling; the API and the staff pages."""

import threading

import pytest
from django.db import connection
from django.test import TestCase
from django.urls import reverse

from core.errors import Conflict, PermissionDenied, ValidationFailed
from grids.models import AdjustmentMove, AdjustmentRound, Registration, RegistrationEvent
from grids.services.adjustment import adjustment_accept, adjustment_cancel, adjustment_run
from grids.services.registration import registration_withdraw
from notifications.models import Notification
from tests.conftest import client_for
from tests.grids.conftest import run
from tests.grids.factories import (
    CommunityFactory,
    Level2GridFactory,
    StreetFactory,
)

S = Registration.Status


def test_district_round_proposes_moves_with_reasons(crowded, district, district_officer, community, other_community):
    round_ = run(actor=district_officer, district=district)
    assert round_.status == AdjustmentRound.Status.OPEN
    assert round_.members_count == 4
    assert round_.total_cost == round_.lower_bound
    counts = {c["id"]: (c["needed"], c["before"], c["after"]) for c in round_.communities}
    assert counts[community.pk] == (1, 3, 1)
    assert counts[other_community.pk] == (3, 0, 3)
    moves = list(round_.moves.all())
    assert sorted(m.reason for m in moves) == ["overflow", "overflow", "unplaced"]
    assert all(m.to_community_id == other_community.pk and m.distance_m is not None for m in moves)
    # nothing changed yet
    assert Registration.objects.filter(status=S.PLACED, community=community).count() == 3


def test_accept_all_goes_through_the_state_machine_and_tells_members(
    crowded, district, district_officer, other_community, django_capture_on_commit_callbacks
):
    round_ = run(actor=district_officer, district=district)
    with django_capture_on_commit_callbacks(execute=True):
        adjustment_accept(round_=round_, actor=district_officer)
    round_.refresh_from_db()
    assert round_.status == AdjustmentRound.Status.ACCEPTED and round_.decided_by == district_officer
    assert round_.accepted_count == 3
    new = Registration.objects.filter(source=Registration.Source.ADJUSTED, community=other_community)
    assert new.count() == 3 and all(r.decided_by == district_officer for r in new)
    ended = RegistrationEvent.objects.filter(kind=RegistrationEvent.Kind.ADJUSTED, to_status=S.ENDED)
    assert ended.count() == 3 and all(e.actor == district_officer for e in ended)
    moved_users = {m.member.user_id for m in round_.moves.all()}
    assert (
        set(Notification.objects.filter(kind="registration_adjusted").values_list("user_id", flat=True)) == moved_users
    )


def test_accept_some_with_an_edit(crowded, district, district_officer, community, other_community):
    round_ = run(actor=district_officer, district=district)
    unplaced = round_.moves.get(reason="unplaced")
    adjustment_accept(round_=round_, actor=district_officer, selections=[(unplaced.pk, community.pk)])
    unplaced.refresh_from_db()
    assert unplaced.status == "accepted" and unplaced.to_community_id == community.pk
    assert unplaced.proposed_community_id == other_community.pk
    assert round_.moves.filter(status="rejected").count() == 2
    assert Registration.objects.filter(status=S.PLACED, community=community).count() == 3


def test_edit_to_a_community_that_is_not_a_candidate_is_refused(crowded, district, district_officer):
    round_ = run(actor=district_officer, district=district)
    elsewhere = CommunityFactory(street=StreetFactory(district=district), lat=25.3, lng=114.2)
    move = round_.moves.first()
    with pytest.raises(ValidationFailed, match="候选社区"):
        adjustment_accept(round_=round_, actor=district_officer, selections=[(move.pk, elsewhere.pk)])


def test_stale_proposal_is_refused_and_changes_nothing(crowded, district, district_officer):
    round_ = run(actor=district_officer, district=district)
    moved = round_.moves.filter(reason="overflow").first()
    registration_withdraw(registration=moved.registration, actor=moved.member.user)
    before = list(Registration.objects.order_by("pk").values_list("pk", "status", "community_id"))
    with pytest.raises(Conflict, match="方案已过期") as exc:
        adjustment_accept(round_=round_, actor=district_officer)
    assert exc.value.code == "stale_proposal"
    assert list(Registration.objects.order_by("pk").values_list("pk", "status", "community_id")) == before
    round_.refresh_from_db()
    assert round_.status == AdjustmentRound.Status.OPEN


def test_one_round_at_a_time_district_and_city_exclude_each_other(crowded, district, district_officer, city_officer):
    first = run(actor=district_officer, district=district)
    with pytest.raises(Conflict, match="已有进行中的调剂方案") as exc:
        run(actor=district_officer, district=district)
    assert exc.value.code == "adjustment_busy"
    with pytest.raises(Conflict, match="已有进行中的调剂方案"):
        run(actor=city_officer, district=None)
    adjustment_cancel(round_=first, actor=district_officer)
    city = run(actor=city_officer, district=None)
    with pytest.raises(Conflict, match="全市"):
        run(actor=district_officer, district=district)
    assert AdjustmentRound.objects.filter(status="open").get() == city


def test_who_may_run(crowded, district, street_officer, secretary, far_officer, district_officer):
    for actor in (street_officer, secretary, far_officer):
        with pytest.raises(PermissionDenied, match="无权调剂武江区"):
            run(actor=actor, district=district)
    with pytest.raises(PermissionDenied, match="全市"):
        run(actor=district_officer, district=None)
    assert not AdjustmentRound.objects.exists()


def test_neighbouring_district_officer_cannot_accept(crowded, district, district_officer, far_officer):
    round_ = run(actor=district_officer, district=district)
    with pytest.raises(PermissionDenied):
        adjustment_accept(round_=round_, actor=far_officer)
    with pytest.raises(PermissionDenied):
        adjustment_cancel(round_=round_, actor=far_officer)


# --- API ---------------------------------------------------------------------------------------


def test_api_run_accept_and_conflicts(crowded, district, district_officer):
    api = client_for(district_officer)
    with TestCase.captureOnCommitCallbacks(execute=True):
        r = api.post("/api/v1/adjustments/", {"district": district.pk}, format="json")
    assert r.status_code == 202, r.content
    assert r.json()["status"] == "solving" and r["Location"].endswith(f"/api/v1/adjustments/{r.json()['id']}/")
    body = api.get(r["Location"]).json()
    assert body["status"] == "open" and body["phase"] == "done"
    assert body["moves_count"] == 3 and body["total_cost"] == body["lower_bound"]
    again = api.post("/api/v1/adjustments/", {"district": district.pk}, format="json")
    assert again.status_code == 409 and "已有进行中" in again.json()["detail"]
    moves = api.get(f"/api/v1/adjustments/{body['id']}/moves/").json()["results"]
    pick = moves[0]["id"]
    r = api.post(f"/api/v1/adjustments/{body['id']}/accept/", {"moves": [{"id": pick}]}, format="json")
    assert r.status_code == 200 and r.json()["accepted_count"] == 1


def test_api_outsiders(crowded, district, district_officer, far_officer, secretary):
    round_ = run(actor=district_officer, district=district)
    for user in (far_officer, secretary):
        api = client_for(user)
        assert api.post("/api/v1/adjustments/", {"district": district.pk}, format="json").status_code == 403
        assert api.get(f"/api/v1/adjustments/{round_.pk}/").status_code == 404
        assert api.post(f"/api/v1/adjustments/{round_.pk}/accept/", {}, format="json").status_code == 403
        assert api.get("/api/v1/adjustments/").json()["count"] == 0
    assert round_.moves.filter(status="proposed").count() == 3


def test_api_lists_within_query_budget(
    crowded, district, district_officer, city_officer, django_assert_max_num_queries
):
    round_ = run(actor=district_officer, district=district)
    api = client_for(city_officer)
    with django_assert_max_num_queries(8):
        assert api.get("/api/v1/adjustments/").json()["count"] == 1
    with django_assert_max_num_queries(8):
        assert len(api.get(f"/api/v1/adjustments/{round_.pk}/moves/").json()["results"]) == 3


# --- pages -------------------------------------------------------------------------------------


def test_pages_run_and_accept_some(crowded, district, district_officer, client, django_capture_on_commit_callbacks):
    client.force_login(district_officer)
    assert "生成调剂方案" in client.get(reverse("grids:adjustments")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("grids:adjustment_run"), {"district": district.pk})
    round_ = AdjustmentRound.objects.get()
    assert r.status_code == 302 and r.url == reverse("grids:adjustment", args=[round_.pk])
    page = client.get(r.url).content.decode()
    assert "超额调出" in page and "调整前" in page
    move = round_.moves.get(reason="unplaced")
    client.post(reverse("grids:adjustment_accept", args=[round_.pk]), {"move": [move.pk]})
    move.refresh_from_db()
    assert move.status == AdjustmentMove.Status.ACCEPTED


def test_pages_refuse_outsiders(crowded, district, district_officer, secretary, client, django_assert_max_num_queries):
    round_ = run(actor=district_officer, district=district)
    client.force_login(secretary)
    denied = client.get(reverse("grids:adjustments"))
    assert denied.status_code == 403 and "只有区/县组织部门和市委组织部可以调剂" in denied.content.decode()
    assert client.get(reverse("grids:adjustment", args=[round_.pk])).status_code == 403
    client.force_login(district_officer)
    Level2GridFactory()
    with django_assert_max_num_queries(12):
        assert client.get(reverse("grids:adjustment", args=[round_.pk])).status_code == 200


# --- concurrency -------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_city_round_and_a_district_round_started_together_make_exactly_one(
    crowded, district, district_officer, city_officer
):
    barrier = threading.Barrier(2)
    results: list = []

    def attempt(actor, node):
        try:
            barrier.wait(timeout=10)
            results.append(("ok", adjustment_run(actor=actor, district=node).pk))
        except Conflict as exc:
            results.append(("conflict", exc.code))
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            results.append(("error", repr(exc)))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=args) for args in ((district_officer, district), (city_officer, None))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(r[0] for r in results) == ["conflict", "ok"], results
    assert ("conflict", "adjustment_busy") in results
    assert AdjustmentRound.objects.filter(status__in=["solving", "open"]).count() == 1
