"""Counts and times the queries of each request and says so in response headers.

Outermost in the stack, so it counts everything: session, user, page and session save.
With BENCH_TRACE_DIR set, a request carrying `X-Bench-Trace: <name>` also writes its queries
(SQL and milliseconds) to <dir>/<name>.json, to see where a slow page spends its time.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse


class QueryLog:
    def __init__(self, keep_sql: bool) -> None:
        self.count = 0
        self.seconds = 0.0
        self.keep_sql = keep_sql
        self.queries: list[dict[str, Any]] = []

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - start
            self.count += 1
            self.seconds += elapsed
            if self.keep_sql:
                self.queries.append({"ms": round(elapsed * 1000, 2), "sql": sql})


class QueryCountMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.trace_dir = os.environ.get("BENCH_TRACE_DIR", "")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        trace = request.headers.get("X-Bench-Trace", "") if self.trace_dir else ""
        log = QueryLog(keep_sql=bool(trace))
        start = time.perf_counter()
        with connection.execute_wrapper(log):
            response = self.get_response(request)
        elapsed = time.perf_counter() - start
        response["X-Bench-Queries"] = str(log.count)
        response["X-Bench-Server-Ms"] = f"{elapsed * 1000:.2f}"
        response["X-Bench-Db-Ms"] = f"{log.seconds * 1000:.2f}"
        if trace and trace.isidentifier():
            path = Path(self.trace_dir) / f"{trace}.json"
            path.write_text(json.dumps({"path": request.path, "queries": log.queries}))
        return response
