"""Run callables at the same moment on their own database connections, for race tests.

    results, errors = race(lambda: approve(a), lambda: approve(b))

Each callable runs in its own thread (so its own connection), all released together by a
barrier; what each returned or raised is collected. Only meaningful on PostgreSQL, whose row
locks the services rely on: mark such tests with `needs_row_locks`."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import close_old_connections, connection

needs_row_locks = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a database with row locks (PostgreSQL)"
)


def race(*calls: Callable[[], Any]) -> tuple[list[Any], list[Exception]]:
    start = threading.Barrier(len(calls))
    results: list[Any] = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def run(call: Callable[[], Any]) -> None:
        try:
            start.wait()
            outcome = call()
            with lock:
                results.append(outcome)
        except Exception as exc:  # the loser's refusal is what the test checks
            with lock:
                errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
