"""Benchmark a 调剂 round on the current database: times, peak memory, cost and its lower bound.

    manage.py bench_adjustment [--district CODE] [--highs] [--keep]

Runs a real round (city-wide by default) as the first superuser, solved in this process as
the job solves it, prints the phases' times,
the process's max RSS, the total cost beside the LP-dual lower bound certified from the
flow, and (``--highs``) the LP relaxation of the same graph solved again by HiGHS. The round
is cancelled afterwards unless ``--keep``. Run twice on the same data: the costs and moves
are the same (the solver is deterministic).
"""

import hashlib
import resource
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from grids import adjustment_solver as solver
from grids.models import District
from grids.selectors.adjustment import adjustment_moves, adjustment_round_input
from grids.services.adjustment import (
    adjustment_cancel,
    adjustment_open,
    adjustment_solve,
    adjustment_weights,
    build_problem,
)


class Command(BaseCommand):
    help = "Run a 调剂 round on the current database and print its times, peak memory, cost and lower bound."

    def add_arguments(self, parser):
        parser.add_argument("--district", help="a district's code (GB/T 2260); the whole city when omitted")
        parser.add_argument("--highs", action="store_true", help="also solve the LP relaxation with HiGHS")
        parser.add_argument("--keep", action="store_true", help="leave the round open instead of cancelling it")

    def handle(self, *args, district=None, highs=False, keep=False, **options):
        actor = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
        if actor is None:
            raise CommandError("需要一个超级用户来发起调剂（manage.py createsuperuser）。")
        node = None
        if district:
            node = District.objects.filter(code=district).first()
            if node is None:
                raise CommandError(f"区划代码 {district} 不存在。")
        # The round as the job runs it (grids.tasks.solve_adjustment_round), here in this process
        # so that its time and memory are measured.
        started = time.perf_counter()
        round_ = adjustment_open(actor=actor, district=node)
        done = False
        try:
            round_ = adjustment_solve(round_id=round_.pk)
            total = time.perf_counter() - started
            self._report(round_, total, node, highs)
            done = True
        finally:
            # A failed run never leaves its round holding the city (or the district).
            if not (keep and done):
                adjustment_cancel(round_=round_, actor=actor)

    def _report(self, round_, total: float, node, highs: bool) -> None:
        t = round_.timings
        moves = list(
            adjustment_moves(round_).order_by("registration_id").values_list("registration_id", "to_community_id")
        )
        digest = hashlib.sha256(repr(moves).encode()).hexdigest()[:16]
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out = self.stdout.write
        out(
            f"scope: {round_.scope_label}; members {round_.members_count}, communities {len(round_.communities)}, "
            f"arcs {t['arcs']}"
        )
        phases = " · ".join(
            f"{k} {t[k]:.2f} s (CPU {t[k + '_cpu']:.2f})" for k in ("read", "build", "solve", "bound", "write")
        )
        out(f"{phases} · whole round {total:.2f} s")
        out(f"max RSS {rss_mb:.0f} MB")
        out(f"moves {round_.moves_count}, unplaced {round_.unplaced_count}; proposal digest {digest}")
        gap = round_.total_cost - round_.lower_bound
        out(
            f"total cost {round_.total_cost} · LP-dual lower bound {round_.lower_bound} · gap {gap}"
            + (" (optimal)" if gap == 0 else "")
        )
        if highs:
            problem, _ = build_problem(adjustment_round_input(node))
            weights = adjustment_weights()
            started = time.perf_counter()
            solution = solver.solve(problem, weights)
            bound = solver.lp_bound(solution)
            out(
                f"HiGHS LP relaxation {bound:.1f} ({time.perf_counter() - started:.1f} s); "
                f"max RSS now {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
            )
