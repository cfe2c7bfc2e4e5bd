"""Schemathesis against the live OpenAPI schema (what ``/api/schema/`` serves), as five callers:
anonymous, a resident, a member placed in a community, that community's secretary and its street's
officer.

One test per caller, so pytest-xdist spreads them over its workers. Each runs on a fresh database
(the test's transaction, rolled back at its end) holding the permission matrix's world (two
communities in two districts, each with a member, a resident's requests, tasks, acceptances,
escalations, records, visits and notifications) and a device token minted for the caller, sent as
``Authorization: Token …``. Every throttle is raised for the run; WeChat's sign-in talks to a
stand-in on 127.0.0.1 that answers as WeChat does. For every operation of the schema Schemathesis
runs its examples, its coverage cases (the schema's boundaries and wrong values, a fixed set) and
``MAX_EXAMPLES`` fuzzed cases, with a fixed seed, and five checks: no 5xx, only documented status
codes, bodies that match their schema, the documented content type, and authentication enforced
wherever the schema asks for it. Path ids name one of the world's objects half the time, so the
operations answer more than 404.

The figures per caller (operations, cases, failures, seconds) go to the terminal summary.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import load_all_checks
from schemathesis.core.result import Ok
from schemathesis.pytest.lazy import get_all_tests

from accounts.device_tokens import device_token_issue
from accounts.models import DeviceToken
from rankings.models import Board
from tests.accounts.conftest import wechat_server  # noqa: F401 (the fixture)
from tests.test_permission_matrix import _build

pytestmark = [pytest.mark.schemathesis, pytest.mark.usefixtures("wechat_server")]

ROLES = ("anonymous", "resident", "member", "secretary", "street")
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.ignored_auth,
]
MAX_EXAMPLES = 10
SEED = 20261201
# Hypothesis's side: no example database written anywhere, no deadline (a request takes what it
# takes on a loaded machine), no shrinking (a failure is reported as found, and a run with one stays
# bounded), and no health checks (the coverage cases are many and slow by design).
SETTINGS = hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
)
THROTTLED = (
    "REQUESTS_PER_DAY",
    "ACCEPTS_PER_HOUR",
    "WITHDRAWALS_PER_HOUR",
    "LIKES_PER_DAY",
    "NEARBY_LOOKUPS_PER_HOUR",
    "JOINS_PER_DAY",
)

# The first word of a path, and the kind of the world's object its ``{id}`` names.
PATH_KINDS = {
    "acceptances": "acceptance",
    "communities": "community",
    "districts": "district",
    "escalations": "escalation",
    "grids": "grid",
    "members": "member",
    "notifications": "notification",
    "registrations": "registration",
    "requests": "request",
    "service-records": "record",
    "streets": "street",
    "tasks": "task",
    "teams": "team",
    "units": "unit",
    "visits": "visit",
}
# More objects of a kind, in the states some actions need.
MORE = {"request": ("twin", "resolved"), "escalation": ("assigned",), "acceptance": ("running",)}


@dataclass
class Caller:
    role: str
    world: dict
    token_id: int | None = None
    token: str = ""
    cases: dict[str, int] = field(default_factory=dict)
    failures: dict[str, BaseException] = field(default_factory=dict)
    broken: dict[str, int] = field(default_factory=dict)  # operations that left the transaction unusable

    def known_ids(self, path: str) -> list[int]:
        """The world's objects a path's ``{id}`` may name: the caller's own node's and the other's."""
        world = self.world
        word = path.removeprefix("/api/v1/").split("/", 1)[0]
        if path.startswith("/api/v1/auth/devices/"):
            return [i for i in (self.token_id, world["own"]["device"], world["other"]["device"]) if i]
        if word == "departments":
            return [world["department"], world["own"]["assigned_department"]]
        kind = PATH_KINDS.get(word)
        if kind is None:
            return []
        return [world["own"][kind], world["other"][kind], *(world["own"][name] for name in MORE.get(kind, ()))]


@pytest.fixture(params=ROLES)
def caller(request, db, settings, monkeypatch, tmp_path_factory):
    # Hypothesis keeps caches (constants, unicode tables) under .hypothesis/ in the working
    # directory; the run's temporary directory takes them instead.
    set_hypothesis_home_dir(tmp_path_factory.getbasetemp() / "hypothesis")
    for name in THROTTLED:
        setattr(settings, name, 1_000_000)
    settings.SIGNIN_CODE_RESEND_SECONDS = 0
    rates = {scope: "1000000/hour" for scope in SimpleRateThrottle.THROTTLE_RATES}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    # Requests go through the WSGI handler, whose signals would close the test's connection (and its
    # transaction) after each one; Django's test client disconnects them the same way.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    logging.getLogger("django.request").setLevel(logging.ERROR)  # thousands of 4xx warnings
    try:
        world = _build()
        caller = Caller(role=request.param, world=world)
        user = world["users"][request.param]
        if user is not None:
            issued = device_token_issue(user=user, device_name="Schemathesis")
            caller.token_id, caller.token = issued.token.pk, issued.plain
        yield caller
    finally:
        set_hypothesis_home_dir(None)
        logging.getLogger("django.request").setLevel(logging.NOTSET)
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def load_schema(caller: Caller) -> schemathesis.BaseSchema:
    from shaoguan.wsgi import application

    config = {
        "seed": SEED,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
    }
    if caller.token:
        # As configured auth, so ``ignored_auth`` retries each operation without it and with a wrong one.
        config["auth"] = {"openapi": {"tokenAuth": {"api_key": f"Token {caller.token}"}}}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=schemathesis.Config.from_dict(config))

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        ids = caller.known_ids(context.operation.path)
        if "board" in (path_parameters or {}):
            return st.one_of(st.just(path_parameters), st.sampled_from(Board.values).map(lambda b: {"board": b}))
        if not ids or "id" not in (path_parameters or {}):
            return st.just(path_parameters)
        return st.one_of(st.just(path_parameters), st.sampled_from(ids).map(lambda i: {**path_parameters, "id": i}))

    return schema


def check_case(case, caller: Caller) -> None:
    label = case.operation.label
    caller.cases[label] = caller.cases.get(label, 0) + 1
    try:
        # Each case in a savepoint of its own, as each request stands alone in production: a case
        # that leaves the test's transaction unusable (a database error caught without a savepoint
        # inside an atomic block) is counted against its operation and rolled back, instead of
        # failing every case after it.
        with transaction.atomic():
            try:
                case.call_and_validate(checks=CHECKS)
            finally:
                if transaction.get_connection().needs_rollback:
                    caller.broken[label] = caller.broken.get(label, 0) + 1
    finally:
        if caller.token_id is not None:
            # Signing out and revoking devices are operations like any other: the caller stays signed in.
            DeviceToken.objects.filter(pk=caller.token_id).update(revoked_at=None)


def test_schemathesis(caller, record_property):
    load_all_checks()
    cpu, wall = time.process_time(), time.perf_counter()
    operations = 0
    for result in get_all_tests(schema=load_schema(caller), test_func=check_case, settings=SETTINGS, given_kwargs=None):
        operations += 1
        if not isinstance(result, Ok):  # an operation the schema describes so that nothing can be generated
            caller.failures[str(result.err().label)] = result.err()
            continue
        operation, test = result.ok()
        try:
            test(caller=caller)
        except Exception as exc:
            caller.failures[operation.label] = exc
    figures = {
        "role": caller.role,
        "operations": operations,
        "cases": sum(caller.cases.values()),
        "failures": sum(len(getattr(exc, "exceptions", [exc])) for exc in caller.failures.values()),
        "broken": dict(sorted(caller.broken.items())),
        "cpu_s": round(time.process_time() - cpu, 1),
        "wall_s": round(time.perf_counter() - wall, 1),
    }
    record_property("schemathesis", figures)
    report = "\n\n".join(f"== {label}\n{exc}" for label, exc in caller.failures.items())
    assert not caller.failures, f"{figures}\n\n{report}"
