"""`python -m bench.run` (or `make bench`): build, measure and report, on SQLite and PostgreSQL.

For each database the runner makes a fresh, separate database, migrates it and starts a child
process (`python -m bench.run --worker <database>`) that fills it, times the sweep, serves the app
with gunicorn on 127.0.0.1 and times the pages through HTTP. The results go to
bench/results/<date>-<machine>.md and .json.

Environment (all optional):
  BENCH_SCALE         1.0 = 50 organisations, 100,000 people, 1,000,000 obligations; 0.01 for a quick run
  BENCH_REQUESTS      timed requests per page and user (default 50)
  BENCH_DATABASES     sqlite,postgres (default both)
  BENCH_SQLITE_PATH   default var/bench.sqlite3
  BENCH_POSTGRES_URL  default postgres://postgres@127.0.0.1:5432/cg_bench (loopback only)
  BENCH_RESULTS_DIR   default bench/results
  BENCH_KEEP          1 keeps the bench databases afterwards (default: dropped)
  BENCH_LOADER        fast (default) or bulk_create, for the obligations and their assignees
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = ROOT / "var" / "bench.sqlite3"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/cg_bench"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# The development database is never the bench's.
PROTECTED = {ROOT / "var" / "commonground.sqlite3"}


def log(message: str) -> None:
    print(message, flush=True)


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# Databases -----------------------------------------------------------------------------------


def sqlite_path() -> Path:
    path = Path(os.environ.get("BENCH_SQLITE_PATH") or DEFAULT_SQLITE).resolve()
    if path in PROTECTED:
        raise SystemExit(f"Refusing to use {path}: that is the development database.")
    return path


def sqlite_prepare() -> str:
    path = sqlite_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    sqlite_drop()
    return f"sqlite:///{path}"


def sqlite_drop() -> None:
    path = sqlite_path()
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def postgres_url() -> tuple[str, str]:
    """The bench database's URL and the maintenance database's, refusing anything not local."""
    url = os.environ.get("BENCH_POSTGRES_URL") or DEFAULT_POSTGRES
    parts = urlsplit(url)
    if parts.hostname not in LOOPBACK:
        raise SystemExit(f"Refusing {parts.hostname}: the bench uses loopback databases only.")
    name = parts.path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"Unexpected database name {name!r}.")
    maintenance = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    return url, maintenance


def postgres_prepare() -> str:
    postgres_drop()
    url, maintenance = postgres_url()
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(maintenance.replace("postgres://", "postgresql://", 1)) as conn:
        conn.autocommit = True
        conn.execute(f'CREATE DATABASE "{name}"')
    return url


def postgres_drop() -> None:
    url, maintenance = postgres_url()
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(maintenance.replace("postgres://", "postgresql://", 1)) as conn:
        conn.autocommit = True
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


PREPARE = {"sqlite": sqlite_prepare, "postgres": postgres_prepare}
DROP = {"sqlite": sqlite_drop, "postgres": postgres_drop}


# The orchestrator ----------------------------------------------------------------------------


def orchestrate() -> int:
    from bench import report

    scale = env_float("BENCH_SCALE", 1.0)
    requests = env_int("BENCH_REQUESTS", 50)
    databases = [
        d.strip() for d in os.environ.get("BENCH_DATABASES", "sqlite,postgres").split(",") if d
    ]
    results_dir = Path(os.environ.get("BENCH_RESULTS_DIR") or ROOT / "bench" / "results")
    keep = os.environ.get("BENCH_KEEP", "") in {"1", "true", "yes"}
    started = time.perf_counter()
    log(f"Bench at scale {scale} ({requests} requests per page and user) on {', '.join(databases)}")
    runs: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="cg-bench-") as scratch:
        for database in databases:
            if database not in PREPARE:
                raise SystemExit(f"Unknown database {database!r}: sqlite or postgres.")
            log(f"\n== {database}")
            try:
                url = PREPARE[database]()
            except Exception as exc:  # a missing server is reported, not fatal
                log(f"  skipped: {exc}")
                runs[database] = {"skipped": str(exc)}
                continue
            var_dir = Path(scratch) / database
            var_dir.mkdir()
            out = var_dir / "result.json"
            child_env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "bench.settings",
                "DATABASE_URL": url,
                "DATABASE_CONN_MAX_AGE": "60",
                "MFA_REQUIRED": "false",
                "COMMONGROUND_VAR_DIR": str(var_dir),
                "REDIS_URL": "",
                "LOG_LEVEL": "WARNING",
                "PYTHONPATH": os.pathsep.join(
                    p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p
                ),
            }
            command = [sys.executable, "-m", "bench.run", "--worker", database, "--out", str(out)]
            completed = subprocess.run(command, env=child_env, cwd=ROOT, check=False)  # noqa: S603
            if completed.returncode != 0 or not out.exists():
                log(f"  {database} failed (exit {completed.returncode})")
                if not keep:
                    DROP[database]()
                return completed.returncode or 1
            runs[database] = json.loads(out.read_text())
            if not keep:
                DROP[database]()
    elapsed = time.perf_counter() - started
    paths = report.write(
        results_dir=results_dir, scale=scale, requests=requests, runs=runs, seconds=elapsed
    )
    log(f"\nWhole run: {elapsed / 60:.1f} minutes. Results: {', '.join(str(p) for p in paths)}")
    return 0


# The worker: one database ---------------------------------------------------------------------


def work(database: str, out: Path) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench import dataset, measure

    scale = env_float("BENCH_SCALE", 1.0)
    requests = env_int("BENCH_REQUESTS", 50)
    result: dict[str, Any] = {"database": database, "vendor": connection.vendor}
    start = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    result["migrate_seconds"] = time.perf_counter() - start
    log(f"  migrate: {result['migrate_seconds']:.1f}s")

    sizes = dataset.Sizes.for_scale(scale)
    log(
        f"  building {sizes.organisations} organisations, {sizes.people:,} people, "
        f"{sizes.obligations:,} obligations"
    )
    loader = os.environ.get("BENCH_LOADER", "fast")
    built = dataset.build(scale, loader=loader, log=log)
    log(f"  build took {built.total_seconds:.1f}s")
    start = time.perf_counter()
    measure.analyse(connection)
    analyse_seconds = time.perf_counter() - start
    result["build"] = {
        "sizes": built.sizes.__dict__,
        "rows": built.rows,
        "states": built.states,
        "seconds": built.seconds,
        "total_seconds": built.total_seconds,
        "analyse_seconds": analyse_seconds,
        "loader": loader,
    }
    result["server_version"] = measure.server_version(connection)
    result["sweep_plan"] = measure.sweep_plan()
    log(f"  sweep uses its index: {result['sweep_plan']['uses_index']}")
    if database == "postgres":
        # Run inside a transaction that is rolled back: the rows are locked, not changed.
        result["sweep_plan_analyze"] = measure.sweep_plan(analyze=True)
        result["sweep_plan_analyze"]["before_sweep"] = True
    connection.close()

    result["pages"] = measure.pages(org_slug=built.admin_org_slug, requests=requests, log=log)
    result["sweep"] = measure.sweep(log=log)
    out.write_text(json.dumps(result, indent=2, default=str))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--worker", choices=sorted(PREPARE), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--report", type=Path, metavar="JSON", help="rewrite the Markdown of an earlier run's JSON"
    )
    args = parser.parse_args(argv)
    if args.report:
        from bench import report

        data = json.loads(args.report.read_text())
        args.report.with_suffix(".md").write_text(report.markdown(data))
        return 0
    if args.worker:
        return work(args.worker, args.out)
    return orchestrate()


if __name__ == "__main__":
    sys.exit(main())
