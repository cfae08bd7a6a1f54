"""What the bench measures: the sweep (with its query plan) and pages served over HTTP."""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from bench.dataset import ADMIN_EMAIL, PASSWORD, WORKER_EMAIL
from commonground.obligations.models import Obligation
from commonground.obligations.services import obligations_sweep

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
WARM_UP = 5


def analyse(conn: Any) -> None:
    """PostgreSQL's autovacuum would soon gather statistics after a bulk load; do it now.

    SQLite is left as the app leaves it: nothing in the app runs ANALYZE there."""
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def server_version(conn: Any) -> str:
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        return str(cursor.fetchone()[0])


def _sweep_queryset(day: Any) -> Any:
    # The query obligations_sweep runs for each batch (same filter, order and limit).
    return (
        Obligation.objects.select_for_update(skip_locked=True)
        .filter(state=Obligation.State.OPEN, next_reminder_on__lte=day)
        .order_by("next_reminder_on", "pk")[:500]
    )


def sweep_plan(*, analyze: bool = False) -> dict[str, Any]:
    """EXPLAIN (SQLite: EXPLAIN QUERY PLAN) of the sweep's query, inside a transaction as it runs."""
    day = timezone.localdate()
    options = {"analyze": True, "buffers": True} if analyze else {}
    with transaction.atomic():
        queryset = _sweep_queryset(day)
        sql, params = queryset.query.sql_with_params()
        plan = queryset.explain(**options)
        transaction.set_rollback(True)
    return {
        "sql": sql % tuple(repr(str(p)) for p in params),
        "plan": plan,
        "uses_index": "obligation_sweep" in plan,
        "analyze": analyze,
    }


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def sweep(*, log: Callable[[str], None]) -> dict[str, Any]:
    """The sweep for today (what the dataset leaves due), then again with nothing left due."""
    day = timezone.localdate()
    # A running worker has its URLs loaded already (reminders link to the deadline page).
    reverse("healthz")
    due_now = Obligation.objects.filter(
        state=Obligation.State.OPEN, next_reminder_on__lte=day
    ).count()
    runs = []
    for label in ("today", "again, nothing due"):
        counter = QueryCounter()
        start = time.perf_counter()
        with connection.execute_wrapper(counter):
            sent = obligations_sweep(today=day)
        seconds = time.perf_counter() - start
        runs.append({"run": label, "sent": sent, "seconds": seconds, "queries": counter.count})
        log(
            f"  sweep {label}: {sent} reminders in {seconds * 1000:.0f} ms, {counter.count} queries"
        )
    first = runs[0]
    return {
        "load_average": load_average(),
        "day": day.isoformat(),
        "due": due_now,
        "runs": runs,
        "ms_per_due": (first["seconds"] * 1000 / first["sent"]) if first["sent"] else None,
    }


# HTTP ----------------------------------------------------------------------------------------


class Browser:
    """A signed-in visitor: cookies kept between requests, one connection per request."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        body: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[http.client.HTTPResponse, bytes, float]:
        sent = {"Host": f"{HOST}:{self.port}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        conn = http.client.HTTPConnection(HOST, self.port, timeout=120)
        try:
            conn.request(method, path, body=data, headers=sent)
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        elapsed = time.perf_counter() - start
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response, content, elapsed

    def sign_in(self, email: str) -> None:
        response, content, _ = self.request("GET", "/accounts/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        if response.status != 200 or match is None:
            raise RuntimeError(f"The sign-in page did not load ({response.status}).")
        response, _, _ = self.request(
            "POST",
            "/accounts/login/",
            body={
                "csrfmiddlewaretoken": match.group(1).decode(),
                "login": email,
                "password": PASSWORD,
            },
            headers={"Referer": f"http://{HOST}:{self.port}/accounts/login/"},
        )
        if response.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"Signing in as {email} failed ({response.status}).")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_server(port: int, trace_dir: str) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "commonground.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        "1",
        "--timeout",
        "300",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(  # noqa: S603  (our own interpreter, fixed arguments)
        command, cwd=ROOT, env={**os.environ, "BENCH_TRACE_DIR": trace_dir}
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited before it served a request.")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start within a minute.")


def load_average() -> str:
    """The 1, 5 and 15 minute load averages: other work on the machine shows here."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def summarise(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def rank(q: float) -> float:
        # Nearest rank: the value at or above q of the requests.
        index = max(0, min(len(ordered) - 1, int(-(-q * len(ordered) // 1)) - 1))
        return ordered[index]

    return {
        "p50": rank(0.50),
        "p95": rank(0.95),
        "mean": statistics.fmean(ordered),
        "min": ordered[0],
        "max": ordered[-1],
    }


def page_list(org_slug: str) -> list[tuple[str, str]]:
    return [
        ("floor (bare view)", "/bench/floor"),
        ("dashboard", "/"),
        ("deadlines I oversee", f"/o/{org_slug}/deadlines/?show=overseen"),
        ("people list", f"/o/{org_slug}/people/"),
    ]


USERS = [("org admin", ADMIN_EMAIL), ("worker (facilitator)", WORKER_EMAIL)]


def pages(*, org_slug: str, requests: int, log: Callable[[str], None]) -> list[dict[str, Any]]:
    """p50/p95 wall time and query count of each page for each user, through gunicorn."""
    port = free_port()
    results = []
    with tempfile.TemporaryDirectory(prefix="cg-bench-trace-") as trace_dir:
        server = start_server(port, trace_dir)
        try:
            for user_label, email in USERS:
                browser = Browser(port)
                browser.sign_in(email)
                for n, (page_label, path) in enumerate(page_list(org_slug)):
                    results.append(
                        _measure_page(browser, user_label, page_label, path, requests, n, trace_dir)
                    )
                    row = results[-1]
                    log(
                        f"  {user_label:22} {page_label:20} p50 {row['wall_ms']['p50']:7.1f} ms  "
                        f"p95 {row['wall_ms']['p95']:7.1f} ms  {row['queries']} queries"
                    )
        finally:
            server.terminate()
            server.wait(timeout=30)
    return results


def _measure_page(
    browser: Browser,
    user_label: str,
    page_label: str,
    path: str,
    requests: int,
    n: int,
    trace_dir: str,
) -> dict[str, Any]:
    for _ in range(WARM_UP):
        browser.request("GET", path)
    wall, server, db, queries = [], [], [], set()
    size = 0
    for _ in range(requests):
        response, content, elapsed = browser.request("GET", path)
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status} for {user_label}.")
        wall.append(elapsed * 1000)
        server.append(float(response.headers["X-Bench-Server-Ms"]))
        db.append(float(response.headers["X-Bench-Db-Ms"]))
        queries.add(int(response.headers["X-Bench-Queries"]))
        size = len(content)
    # One more, traced: the slowest queries say where the time goes.
    name = f"trace{n}_{abs(hash(user_label)) % 10_000}"
    browser.request("GET", path, headers={"X-Bench-Trace": name})
    trace_file = Path(trace_dir) / f"{name}.json"
    slowest: list[dict[str, Any]] = []
    if trace_file.exists():
        traced = json.loads(trace_file.read_text())["queries"]
        slowest = sorted(traced, key=lambda q: -q["ms"])[:3]
    return {
        "load_average": load_average(),
        "user": user_label,
        "page": page_label,
        "path": path,
        "requests": requests,
        "wall_ms": summarise(wall),
        "server_ms": summarise(server),
        "db_ms": summarise(db),
        "queries": min(queries) if len(queries) == 1 else f"{min(queries)}–{max(queries)}",
        "bytes": size,
        "slowest_queries": slowest,
    }
