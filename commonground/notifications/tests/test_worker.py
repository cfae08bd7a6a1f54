"""Background work on huey, for real: a SQLite queue in a file, and Redis when it is there."""

from __future__ import annotations

import datetime as dt
import os
import threading
import uuid
from collections.abc import Iterator

import pytest
import redis
from django.core import mail
from huey import RedisHuey, SqliteHuey
from huey.api import Huey
from huey.consumer import Worker

from commonground.notifications.models import Notification
from commonground.notifications.tasks import register
from commonground.notifications.tests.helpers import person, queue
from commonground.testing.factories import OrganisationFactory, UserFactory

# The tasks open and close their own database connections, as in a real worker.
pytestmark = pytest.mark.django_db(transaction=True)

REDIS_TEST_URL = "redis://127.0.0.1:6379/13"


def _run_worker_until_empty(huey: Huey) -> int:
    """A huey worker loop in this process, as the consumer runs it, until the queue is empty."""
    worker = Worker(huey, threading.Event(), 0.01, 0.05, 1.15)
    worker.initialize()
    ran = 0
    while huey.pending_count():
        worker.loop()
        ran += 1
        assert ran < 20, "the queue never emptied"
    return ran


def _queue_some() -> list[Notification]:
    org = OrganisationFactory()
    return queue(
        org,
        [
            person(org, ["email"]),
            person(org, ["sms"]),
            person(org, ["post"], postal_address="1 Mill Lane"),
            person(org, [], user=UserFactory()),
        ],
    )


def _assert_delivery_through(huey: Huey) -> None:
    tasks = register(huey)
    rows = _queue_some()
    tasks["deliver_outbox"]()  # queues a run now
    assert huey.pending_count() == 1
    assert _run_worker_until_empty(huey) == 1
    assert {n.state for n in Notification.objects.filter(pk__in=[r.pk for r in rows])} == {"sent"}
    assert len(mail.outbox) == 1
    # A second run finds nothing more to send.
    tasks["deliver_outbox"]()
    _run_worker_until_empty(huey)
    assert len(mail.outbox) == 1


def test_the_worker_delivers_from_a_sqlite_queue_in_a_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    huey = SqliteHuey("cg-test", filename=str(tmp_path / "queue.sqlite3"), utc=True)
    _assert_delivery_through(huey)


def test_the_schedule_delivers_every_minute_and_sweeps_every_five(tmp_path) -> None:  # type: ignore[no-untyped-def]
    huey = SqliteHuey("cg-test", filename=str(tmp_path / "queue.sqlite3"), utc=True)
    register(huey)

    def due_at(minute: int) -> set[str]:
        return {t.name for t in huey.read_periodic(dt.datetime(2027, 3, 1, 9, minute))}

    assert due_at(1) == {"deliver_outbox"}
    assert due_at(5) == {"deliver_outbox", "sweep_obligations"}
    assert due_at(15) == {"deliver_outbox", "sweep_obligations", "recheck_meeting_staffing"}


@pytest.fixture
def redis_huey() -> Iterator[RedisHuey]:
    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CG_REQUIRE_REDIS"):
            raise
        pytest.skip("Redis is not reachable at 127.0.0.1:6379.")
    name = f"cg-test-{uuid.uuid4().hex[:8]}"
    huey = RedisHuey(name, url=REDIS_TEST_URL, utc=True, blocking=False)
    try:
        yield huey
    finally:
        huey.flush()
        for key in client.scan_iter(match=f"*{name}*"):
            client.delete(key)
        client.close()


@pytest.mark.redis
def test_the_worker_delivers_from_a_redis_queue(redis_huey: RedisHuey) -> None:
    _assert_delivery_through(redis_huey)
