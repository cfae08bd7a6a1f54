"""The machine, and the results as Markdown and JSON under bench/results/."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import socket
import sqlite3
from pathlib import Path
from typing import Any

import django

# What the pages and the sweep should manage at full scale (docs/developers/benchmarks.md).
PAGE_P95_TARGET_MS = 300.0
EMPTY_SWEEP_TARGET_MS = 50.0


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        match = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        cpu = match.group(1).strip() if match else ""
    except OSError:
        pass
    memory_gib = 0.0
    try:
        match = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
        memory_gib = int(match.group(1)) / 1024 / 1024 if match else 0.0
    except OSError:
        pass
    return {
        "hostname": socket.gethostname(),
        "cpu": cpu or platform.processor() or "unknown",
        "cores": os.cpu_count(),
        "memory_gib": round(memory_gib, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite_library": sqlite3.sqlite_version,
    }


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "machine"


def write(
    *, results_dir: Path, scale: float, requests: int, runs: dict[str, Any], seconds: float
) -> list[Path]:
    info = machine()
    today = dt.date.today().isoformat()
    stem = f"{today}-{_slug(info['hostname'])}"
    if scale != 1.0:
        stem += f"-scale-{scale:g}"
    results_dir.mkdir(parents=True, exist_ok=True)
    data = {
        "date": today,
        "machine": info,
        "scale": scale,
        "requests_per_page": requests,
        "run_minutes": round(seconds / 60, 1),
        "databases": runs,
    }
    json_path = results_dir / f"{stem}.json"
    json_path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    md_path = results_dir / f"{stem}.md"
    md_path.write_text(markdown(data))
    return [md_path, json_path]


def short_sql(sql: str) -> str:
    """The column list shortened to …, so the FROM, WHERE and ORDER BY are what shows."""
    sql = re.sub(r"^SELECT (DISTINCT )?.*? FROM ", r"SELECT \1… FROM ", sql, count=1, flags=re.S)
    return sql if len(sql) < 1500 else sql[:1500] + " …"


def _ms(value: float) -> str:
    return f"{value:.1f}"


def markdown(data: dict[str, Any]) -> str:
    info = data["machine"]
    runs = data["databases"]
    lines = [
        f"# Bench results, {data['date']}, {info['hostname']}",
        "",
        "Made by `make bench` (`python -m bench.run`); see docs/developers/benchmarks.md.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        f"| CPU | {info['cpu']} |",
        f"| Cores | {info['cores']} |",
        f"| Memory | {info['memory_gib']} GiB |",
        f"| OS | {info['os']} |",
        f"| Python | {info['python']} |",
        f"| Django | {info['django']} |",
        f"| SQLite (Python's library) | {info['sqlite_library']} |",
    ]
    for name, run in runs.items():
        if "server_version" in run:
            lines.append(f"| {name} server | {run['server_version']} |")
    lines += [
        "",
        "## Dataset",
        "",
        f"Scale **{data['scale']:g}** (1 = 50 organisations, 100,000 people, 1,000,000 obligations). "
        f"Whole run: {data['run_minutes']} minutes.",
        "",
    ]
    built = [(name, run) for name, run in runs.items() if "build" in run]
    if built:
        rows = built[0][1]["build"]["rows"]
        lines += ["| rows | count |", "|---|---:|"]
        lines += [f"| {k.replace('_', ' ')} | {v:,} |" for k, v in rows.items()]
        lines += ["", "Obligations by what they are today:", "", "| state | count |", "|---|---:|"]
        lines += [f"| {k} | {v:,} |" for k, v in built[0][1]["build"]["states"].items()]
        loader = built[0][1]["build"].get("loader", "fast")
        how = (
            "everything with bulk_create"
            if loader == "bulk_create"
            else "bulk_create; obligations and assignees with the fast loader"
        )
        lines += ["", f"Build time ({how}):", ""]
        steps = list(built[0][1]["build"]["seconds"])
        lines.append("| step | " + " | ".join(name for name, _ in built) + " |")
        lines.append("|---|" + "---:|" * len(built))
        lines.append(
            "| migrate | " + " | ".join(f"{r['migrate_seconds']:.1f} s" for _, r in built) + " |"
        )
        for step in steps:
            lines.append(
                f"| {step} | "
                + " | ".join(f"{r['build']['seconds'][step]:.1f} s" for _, r in built)
                + " |"
            )
        lines.append(
            "| **total build** | "
            + " | ".join(f"**{r['build']['total_seconds']:.1f} s**" for _, r in built)
            + " |"
        )
        lines.append(
            "| statistics (PostgreSQL: VACUUM ANALYZE) | "
            + " | ".join(f"{r['build']['analyse_seconds']:.1f} s" for _, r in built)
            + " |"
        )
    for name, run in runs.items():
        if "skipped" in run:
            lines += ["", f"**{name}: skipped** ({run['skipped']})."]

    lines += ["", "## The sweep", ""]
    lines += [
        "`obligations_sweep` for today, on the dataset as the daily sweep would have left it "
        "yesterday; then once more, with nothing left due.",
        "",
        "| database | due | run | reminders | time | queries | per reminder | load |",
        "|---|---:|---|---:|---:|---:|---:|---|",
    ]
    for name, run in built:
        sweep = run["sweep"]
        for item in sweep["runs"]:
            per = f"{item['seconds'] * 1000 / item['sent']:.2f} ms" if item["sent"] else "–"
            lines.append(
                f"| {name} | {sweep['due']:,} | {item['run']} | {item['sent']:,} | "
                f"{item['seconds'] * 1000:.0f} ms | {item['queries']:,} | {per} | "
                f"{sweep.get('load_average', '')} |"
            )
    for name, run in built:
        plan = run["sweep_plan"]
        lines += [
            "",
            f"**{name}**: the sweep's query "
            + ("uses" if plan["uses_index"] else "does **not** use")
            + " the `obligation_sweep` partial index.",
            "",
            "```sql",
            plan["sql"],
            "```",
            "",
            "```",
            plan["plan"],
            "```",
        ]
        analysed = run.get("sweep_plan_analyze")
        if analysed:
            when = (
                "before the sweep ran"
                if analysed.get("before_sweep")
                else "after the sweep ran, so with nothing left due"
            )
            lines += ["", f"With EXPLAIN (ANALYZE, BUFFERS), {when}:", "", "```"]
            lines += [analysed["plan"], "```"]

    lines += [
        "",
        "## Pages",
        "",
        f"{data['requests_per_page']} timed requests per page and user after "
        "5 warm-up requests, one at a time, through gunicorn (1 sync worker, "
        "`DATABASE_CONN_MAX_AGE=60`) on 127.0.0.1, signed in through the real sign-in form "
        "(`MFA_REQUIRED=false`). Wall time is measured by the client (connect, request, whole "
        "response); server and database time come from a bench-only middleware. Load is the "
        "machine's 1/5/15-minute load average when each row finished: other work on the same "
        "2 cores is in these figures.",
        "",
        "| database | user | page | p50 | p95 | server p50 | db p50 | queries | target p95 | load |",
        "|---|---|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for name, run in built:
        for row in run["pages"]:
            floor = row["page"].startswith("floor")
            verdict = (
                "(floor)"
                if floor
                else "met"
                if row["wall_ms"]["p95"] < PAGE_P95_TARGET_MS
                else f"**missed** (< {PAGE_P95_TARGET_MS:.0f} ms)"
            )
            lines.append(
                f"| {name} | {row['user']} | {row['page']} | {_ms(row['wall_ms']['p50'])} ms | "
                f"{_ms(row['wall_ms']['p95'])} ms | {_ms(row['server_ms']['p50'])} ms | "
                f"{_ms(row['db_ms']['p50'])} ms | {row['queries']} | {verdict} | "
                f"{row.get('load_average', '')} |"
            )
    lines += ["", "### Slowest queries per page (one traced request)", ""]
    for name, run in built:
        for row in run["pages"]:
            if row["page"].startswith("floor") or not row["slowest_queries"]:
                continue
            lines.append(f"<details><summary>{name}, {row['user']}, {row['page']}</summary>")
            lines.append("")
            for query in row["slowest_queries"]:
                sql = short_sql(query["sql"])
                lines += [f"- {query['ms']} ms", "", "  ```sql", f"  {sql}", "  ```"]
            lines += ["", "</details>", ""]
    return "\n".join(lines).rstrip() + "\n"
