"""Done when: killing the worker mid-delivery and starting it again delivers every
notification exactly once.

In-app and letter rows are delivered by the database, in the transaction that marks them sent,
so a killed worker delivers them once or not at all: exactly once, always. Email and text
messages leave the building before the row can be marked; a worker killed in between means the
message goes again after the lease, with the same Message-ID / idempotency key, so the provider
can drop it. These tests measure both: no row lost, none doubled in the database, and at most one
repeat per kill for email and text messages, always under the same id.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone

from commonground.notifications import delivery
from commonground.notifications.delivery import idempotency_key, message_id, outbox_deliver
from commonground.notifications.models import Notification
from commonground.notifications.tests.crash_scenario import seed

pytestmark = pytest.mark.django_db(transaction=True)


class WorkerKilled(BaseException):
    """Not an Exception: like SIGKILL, nothing in the worker catches it."""


class Provider:
    """Accepts messages (recording their ids) and kills the worker after `kill_every` of them,
    either just before accepting the next one or just after accepting it."""

    def __init__(self, *, kill_every: int, after_accepting: bool) -> None:
        self.kill_every = kill_every
        self.after_accepting = after_accepting
        self.accepted: list[str] = []
        self.kills = 0
        self._since_kill = 0

    def accept(self, message_key: str) -> None:
        if not self.after_accepting and self._since_kill >= self.kill_every:
            self._kill()
        self.accepted.append(message_key)
        self._since_kill += 1
        if self.after_accepting and self._since_kill >= self.kill_every:
            self._kill()

    def _kill(self) -> None:
        self._since_kill = 0
        self.kills += 1
        raise WorkerKilled()


def _install(monkeypatch: pytest.MonkeyPatch, provider: Provider) -> dict[int, int]:
    """Route email and text messages to `provider`; count in-app and letter deliveries, and
    kill the worker inside the delivery transaction of every third one."""

    class Mail:
        def __init__(self, **kwargs: Any) -> None:
            pass

        def send_messages(self, messages: list[Any]) -> int:
            for message in messages:
                provider.accept(message.extra_headers["Message-ID"])
            return len(messages)

        def close(self) -> None:
            pass

    class Texts:
        def send(self, *, to: str, body: str, idempotency_key: str) -> str:
            provider.accept(idempotency_key)
            return idempotency_key

    database_deliveries: Counter[int] = Counter()
    real_mark_sent = delivery._mark_sent
    calls = {"n": 0}

    def mark_sent(notification: Notification, provider_message_id: str = "") -> bool:
        done = real_mark_sent(notification, provider_message_id)
        if notification.channel in delivery.DATABASE_CHANNELS:
            calls["n"] += 1
            if calls["n"] % 3 == 0:
                # Killed after the UPDATE, before the commit: it must roll back.
                provider.kills += 1
                raise WorkerKilled()
            if done:
                database_deliveries[notification.pk] += 1
        return done

    monkeypatch.setattr(delivery, "get_connection", Mail)
    monkeypatch.setattr(delivery, "get_sms_backend", Texts)
    monkeypatch.setattr(delivery, "_mark_sent", mark_sent)
    return database_deliveries


def _run_until_done(provider: Provider) -> None:
    moment = timezone.now()
    for _ in range(200):
        with time_machine.travel(moment):
            try:
                outbox_deliver(batch=4)
            except WorkerKilled:
                pass
            else:
                if not Notification.objects.exclude(state="sent").exists():
                    return
        # Restart after the dead worker's lease has run out.
        moment += delivery.dt.timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS + 1)
    raise AssertionError("The outbox never emptied.")


def _expected_keys() -> tuple[set[str], dict[str, str]]:
    keys = {}
    for row in Notification.objects.filter(channel__in=["email", "sms"]):
        keys[message_id(row) if row.channel == "email" else idempotency_key(row)] = row.channel
    return set(keys), keys


@pytest.mark.parametrize("after_accepting", [False, True], ids=["before", "after"])
def test_killing_the_worker_mid_delivery_then_restarting_delivers_each_exactly_once(
    monkeypatch: pytest.MonkeyPatch, settings: Any, after_accepting: bool
) -> None:
    settings.NOTIFICATION_MAX_ATTEMPTS = 50  # kills are not failures; let every row get there
    seed(people=24)
    provider = Provider(kill_every=5, after_accepting=after_accepting)
    database_deliveries = _install(monkeypatch, provider)

    _run_until_done(provider)

    rows = list(Notification.objects.all())
    assert len(rows) == 2 * 24 + 2 * 6  # email, email+app, sms, letter: 24 people, 2 events
    assert {r.state for r in rows} == {"sent"}
    assert provider.kills >= 8
    # One row per (dedupe_key, recipient, channel): the constraint holds the dedupe.
    assert len({(r.dedupe_key, r.recipient_id, r.channel) for r in rows}) == len(rows)
    # In the database: each in-app and letter row delivered exactly once, whatever the kills.
    in_db = [r.pk for r in rows if r.channel in ("in_app", "letter")]
    assert dict(database_deliveries) == dict.fromkeys(in_db, 1)
    # At the provider: every message arrived, under the id made from its row.
    expected, _ = _expected_keys()
    counts = Counter(provider.accepted)
    assert set(counts) == expected
    repeats = sum(n - 1 for n in counts.values())
    if after_accepting:
        # Killed between "accepted" and "marked sent": it goes again, once, with the same id.
        assert 0 < repeats <= provider.kills
        assert max(counts.values()) == 2
    else:
        assert repeats == 0


# The same with real processes: `commonground deliver`, killed with SIGKILL, then run again.


def _database_url() -> str:
    """Where the subprocesses work: the test database on PostgreSQL (its rows are committed),
    a fresh SQLite file otherwise (the SQLite test database lives in this process's memory)."""
    if connection.vendor == "postgresql":
        d = connection.settings_dict
        auth = quote(d["USER"] or "")
        if d.get("PASSWORD"):
            auth += ":" + quote(d["PASSWORD"])
        return f"postgres://{auth}@{d['HOST'] or '127.0.0.1'}:{d['PORT'] or 5432}/{d['NAME']}"
    return ""


def _environment(tmp_path: Path, database_url: str, journal: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "commonground.notifications.tests.subprocess_settings",
            "DATABASE_URL": database_url,
            "COMMONGROUND_VAR_DIR": str(tmp_path / "var"),
            "SITE_URL": "https://crash.example.org",
            "SECRET_KEY": settings.SECRET_KEY,
            "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
            "AUDIT_HMAC_KEY": settings.AUDIT_HMAC_KEY,
            "NOTIFICATION_LEASE_SECONDS": "2",
            "NOTIFICATION_SEND_TIMEOUT": "1",
            "NOTIFICATION_MAX_ATTEMPTS": "10",
            "CG_TEST_JOURNAL": str(journal),
            "CG_TEST_SEND_DELAY": "0.04",
        }
    )
    return env


COMMONGROUND = [sys.executable, "-m", "commonground.cli"]


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, made once and copied by each test that needs one."""
    folder = tmp_path_factory.mktemp("migrated")
    template = folder / "template.sqlite3"
    env = _environment(folder, f"sqlite:///{template}", folder / "unused")
    migrate = subprocess.run(  # noqa: S603 (the test builds these commands)
        [*COMMONGROUND, "migrate", "--no-input", "-v0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrate.returncode == 0, migrate.stderr
    return template


@pytest.fixture
def worker_env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """The environment for worker subprocesses, with 40 people's notifications queued."""
    database_url = _database_url()
    if not database_url:
        copy = tmp_path / "crash.sqlite3"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), copy)
        database_url = f"sqlite:///{copy}"
    env = _environment(tmp_path, database_url, tmp_path / "provider-journal.txt")
    _python(env, "from commonground.notifications.tests.crash_scenario import seed; seed(40)")
    return env


def _python(env: dict[str, str], code: str) -> str:
    script = f"import django; django.setup(); {code}"
    result = subprocess.run(  # noqa: S603 (the test builds these commands)
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _journal_lines(journal: Path) -> list[str]:
    if not journal.exists():
        return []
    return [line for line in journal.read_text().splitlines() if line.strip()]


def _final_rows(env: dict[str, str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(
        _python(env, "from commonground.notifications.tests.crash_scenario import report; report()")
    )
    assert len(rows) == 2 * 40 + 2 * 10
    assert Counter(r["state"] for r in rows) == {"sent": len(rows)}
    assert len({(r["dedupe_key"], r["recipient_id"], r["channel"]) for r in rows}) == len(rows)
    return rows


def _provider_saw(env: dict[str, str], rows: list[dict[str, Any]]) -> Counter[str]:
    accepted = Counter(_journal_lines(Path(env["CG_TEST_JOURNAL"])))
    expected = {
        f"email <notification-{r['pk']}@crash.example.org>" for r in rows if r["channel"] == "email"
    } | {f"sms commonground-notification-{r['pk']}" for r in rows if r["channel"] == "sms"}
    assert set(accepted) == expected
    return accepted


def test_a_worker_killed_with_sigkill_and_started_again_delivers_each_exactly_once(
    worker_env: dict[str, str],
) -> None:
    journal = Path(worker_env["CG_TEST_JOURNAL"])
    kills = 0
    for kill_at in (8, 24):
        worker = subprocess.Popen(  # noqa: S603 (the test builds these commands)
            [*COMMONGROUND, "deliver", "--batch", "6"],
            env=worker_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while len(_journal_lines(journal)) < kill_at and worker.poll() is None:
            assert time.monotonic() < deadline, "the worker made no progress"
            time.sleep(0.01)
        assert worker.poll() is None, "the worker finished before it could be killed"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        assert worker.returncode == -signal.SIGKILL
        kills += 1
        time.sleep(2.2)  # the dead worker's lease runs out

    finish = subprocess.run(  # noqa: S603 (the test builds these commands)
        [*COMMONGROUND, "deliver"], env=worker_env, capture_output=True, text=True, timeout=120
    )
    assert finish.returncode == 0, finish.stderr
    assert not finish.stdout.startswith("0 sent"), "nothing was left for the restarted worker"

    accepted = _provider_saw(worker_env, _final_rows(worker_env))
    # At most one repeat per kill, and a repeat always carries the row's own id.
    assert sum(n - 1 for n in accepted.values()) <= kills


def test_three_workers_at_once_never_deliver_a_row_twice(worker_env: dict[str, str]) -> None:
    workers = [
        subprocess.Popen(  # noqa: S603 (the test builds these commands)
            [*COMMONGROUND, "deliver", "--batch", "3"],
            env=worker_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [w.communicate(timeout=120) for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0], [err for _, err in outputs]
    accepted = _provider_saw(worker_env, _final_rows(worker_env))
    assert set(accepted.values()) == {1}
    # They shared the work rather than queueing behind one another.
    assert sum(1 for out, _ in outputs if not out.startswith("0 sent")) >= 2
