"""core's one transition machinery: the tables it accepts, the rows it locks and the events it writes."""

import pytest
from django.db import transaction

from core.errors import Conflict
from core.transitions import (
    ALLOWED,
    MACHINES,
    StateMachine,
    can_transition,
    record_created,
    record_event,
    table,
    transition,
)
from orders.models import Task, TaskEvent
from tests.orders.factories import TaskFactory

T = Task.Status


def test_every_machine_lists_every_status_of_its_model():
    assert MACHINES, "no machine registered: an app's ready() did not run"
    for model, machine in MACHINES.items():
        assert set(machine.allowed) == set(model.Status.values), model.__name__
        assert ALLOWED[model] is machine.allowed


def test_a_table_missing_a_status_is_refused_at_start_up():
    with pytest.raises(ValueError, match="every status"):
        StateMachine(model=Task, event_model=TaskEvent, event_fk="task", allowed=table({T.OPEN: [T.FULL]}))


def test_a_table_leading_to_an_unknown_status_is_refused():
    rows = {status: [] for status in T.values} | {T.OPEN: ["archived"]}
    with pytest.raises(ValueError, match="unknown status"):
        StateMachine(model=Task, event_model=TaskEvent, event_fk="task", allowed=table(rows))


@pytest.mark.django_db
def test_transition_saves_the_change_and_writes_one_event_with_its_reason(secretary):
    task = TaskFactory(status=T.OPEN)
    with transaction.atomic():
        row = transition(task, T.CANCELLED, actor=secretary, note="天气原因", cancel_reason="天气原因")
    task.refresh_from_db()
    assert (task.status, task.cancel_reason) == (T.CANCELLED, "天气原因")
    assert row.status == T.CANCELLED
    event = TaskEvent.objects.get(task=task)
    assert (event.from_status, event.to_status, event.actor, event.kind, event.note) == (
        T.OPEN,
        T.CANCELLED,
        secretary,
        "",
        "天气原因",
    )


@pytest.mark.django_db
def test_an_illegal_transition_changes_nothing_and_writes_nothing():
    task = TaskFactory(status=T.COMPLETED)
    assert not can_transition(task, T.OPEN)
    with pytest.raises(Conflict) as caught, transaction.atomic():
        transition(task, T.OPEN)
    assert caught.value.code == "illegal_transition"
    assert "已完成" in caught.value.message
    task.refresh_from_db()
    assert task.status == T.COMPLETED
    assert not TaskEvent.objects.filter(task=task).exists()


@pytest.mark.django_db(transaction=True)  # the usual test transaction would hide the mistake
def test_transition_outside_a_transaction_is_a_programming_error():
    with pytest.raises(RuntimeError, match="atomic"):
        transition(TaskFactory(status=T.OPEN), T.CANCELLED)


@pytest.mark.django_db
def test_record_event_keeps_the_status_and_names_the_kind(secretary):
    task = TaskFactory(status=T.OPEN)
    record_event(task, actor=secretary, kind="whistled", note="吹哨通知 3 名党员")
    event = TaskEvent.objects.get(task=task)
    assert (event.from_status, event.to_status, event.kind) == (T.OPEN, T.OPEN, "whistled")


@pytest.mark.django_db
def test_record_created_writes_the_first_event_from_no_status(secretary):
    task = TaskFactory(status=T.OPEN)
    record_created(task, actor=secretary, note="发布任务", at=task.created_at)
    event = TaskEvent.objects.get(task=task)
    assert (event.from_status, event.to_status, event.actor, event.created_at) == (
        "",
        T.OPEN,
        secretary,
        task.created_at,
    )


@pytest.mark.django_db
def test_a_kind_the_event_model_does_not_declare_is_a_programming_error():
    task = TaskFactory(status=T.OPEN)
    with pytest.raises(ValueError, match="KIND_LABELS"):
        record_event(task, kind="no_such_kind")
    assert not TaskEvent.objects.filter(task=task).exists()


def test_every_kind_has_a_chinese_label():
    for machine in MACHINES.values():
        for kind, label in machine.event_model.KIND_LABELS.items():
            assert kind and any("\u4e00" <= ch <= "\u9fff" for ch in label), (machine.event_model, kind)
