"""Run the same call in many threads at once, each on its own database connection."""

import threading

from django.db import connection


def run_together(n: int, fn) -> list:
    """Run ``fn(i)`` in ``n`` threads released at once by a barrier; return what each returned or raised."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def worker(i):
        try:
            barrier.wait()
            results[i] = fn(i)
        except Exception as exc:  # collected and asserted on by the caller
            results[i] = exc
        finally:
            connection.close()  # each thread has its own connection; do not leak it

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results
