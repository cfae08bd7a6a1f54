"""The bench builds and measures at a tiny scale. Not part of `make test` (testpaths is
commonground/); run it with `.venv/bin/pytest bench/test_bench_smoke.py`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHECKSUM = """
import hashlib, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from bench import dataset
from commonground.obligations.models import Obligation
dataset.build(0.001, loader=sys.argv[1], log=lambda message: None)
digest = hashlib.sha256()
names = [f.attname for f in Obligation._meta.concrete_fields if f.attname != "updated_at"]
for row in Obligation.objects.order_by("pk").values_list(*names):
    digest.update(repr(row).encode())
links = Obligation.assignees.through.objects.order_by("obligation_id", "person_id")
for row in links.values_list("obligation_id", "person_id"):
    digest.update(repr(row).encode())
print(digest.hexdigest())
"""


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "COMMONGROUND_VAR_DIR": str(tmp_path / "var"),
        **extra,
    }


def test_it_builds_and_measures_at_a_tiny_scale(tmp_path: Path) -> None:
    env = _env(
        tmp_path,
        BENCH_SCALE="0.001",
        BENCH_REQUESTS="2",
        BENCH_DATABASES="sqlite",
        BENCH_SQLITE_PATH=str(tmp_path / "bench.sqlite3"),
        BENCH_RESULTS_DIR=str(tmp_path / "results"),
    )
    subprocess.run([sys.executable, "-m", "bench.run"], cwd=ROOT, env=env, check=True, timeout=300)
    (json_path,) = (tmp_path / "results").glob("*.json")
    result = json.loads(json_path.read_text())
    run = result["databases"]["sqlite"]
    assert result["scale"] == 0.001
    assert run["build"]["rows"]["obligations"] == 1_000
    assert run["sweep_plan"]["uses_index"]
    assert run["sweep"]["runs"][0]["sent"] == run["sweep"]["due"]
    assert run["sweep"]["runs"][1]["sent"] == 0
    pages = {(row["user"], row["page"]) for row in run["pages"]}
    assert len(pages) == 8
    assert all(row["wall_ms"]["p95"] > 0 for row in run["pages"])
    assert "obligation_sweep" in json_path.with_suffix(".md").read_text()
    assert not (tmp_path / "bench.sqlite3").exists()


def test_the_fast_loader_writes_what_bulk_create_writes(tmp_path: Path) -> None:
    digests = []
    for loader in ("fast", "bulk_create"):
        env = _env(
            tmp_path,
            DJANGO_SETTINGS_MODULE="bench.settings",
            DATABASE_URL=f"sqlite:///{tmp_path / loader}.sqlite3",
        )
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-c", CHECKSUM, loader],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
        digests.append(done.stdout.strip().splitlines()[-1])
    assert digests[0] == digests[1]
