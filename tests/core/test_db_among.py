"""``among``: a queryset filtered to many values, in one query on PostgreSQL and in chunks elsewhere."""

import pytest
from django.db import connection

from accounts.models import User
from core import db
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_among_finds_the_rows_of_every_value(monkeypatch, django_assert_num_queries):
    phones = [UserFactory(phone=f"1370000000{i}").phone for i in range(5)]
    monkeypatch.setattr(db, "CHUNK", 2)
    wanted = [*phones[1:], "13799999999"]
    queries = 1 if connection.vendor == "postgresql" else 3  # five values, two at a time
    with django_assert_num_queries(queries):
        found = [u.phone for qs in db.among(User.objects.order_by("phone"), "phone", wanted) for u in qs]
    assert sorted(found) == phones[1:]
    assert [list(qs) for qs in db.among(User.objects.all(), "pk", [])] == []
    pks = [
        u.pk
        for qs in db.among(User.objects.filter(phone__in=phones[:2]), "pk", [u.pk for u in User.objects.all()])
        for u in qs
    ]
    assert sorted(pks) == sorted(User.objects.filter(phone__in=phones[:2]).values_list("pk", flat=True))
