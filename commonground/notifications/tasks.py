"""Background work on huey: what `commonground worker` runs, and when.

`register` puts the periodic jobs on a huey instance. The worker uses the instance configured
by settings.HUEY (SQLite file by default, Redis with REDIS_URL); the tests put the very same
jobs on their own SqliteHuey and RedisHuey to run them for real.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import close_old_connections
from huey import crontab
from huey.api import Huey, TaskWrapper
from huey.contrib.djhuey import HUEY

from commonground.notifications.delivery import outbox_deliver
from commonground.obligations.services import obligations_sweep

logger = logging.getLogger(__name__)


def deliver_outbox() -> int:
    """Deliver every notification that is due; returns how many went."""
    report = outbox_deliver()
    if report.sent or report.failed or report.retrying:
        logger.info(
            "Outbox: %s sent, %s to retry, %s failed, %s digests",
            report.sent,
            report.retrying,
            report.failed,
            report.digests,
        )
    return report.sent


def sweep_obligations() -> int:
    """Move due-soon and overdue obligations on; their reminders go into the outbox."""
    return obligations_sweep()


def recheck_meeting_staffing() -> Any:
    """Recheck the staffing of coming meetings, where the meetings module offers it."""
    try:
        module = importlib.import_module("commonground.meetings.services")
    except ImportError:
        return None
    meetings_staffing_recheck = getattr(module, "meetings_staffing_recheck", None)
    if meetings_staffing_recheck is None:
        return None
    required = [
        p
        for p in inspect.signature(meetings_staffing_recheck).parameters.values()
        if p.default is inspect.Parameter.empty
        and p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    ]
    if required:
        logger.warning("meetings_staffing_recheck needs arguments; not run from the worker.")
        return None
    return meetings_staffing_recheck()


def _fresh_connections(fn: Callable[[], Any]) -> Callable[[], Any]:
    """A long-running worker must not hold a database connection that has gone stale."""

    @wraps(fn)
    def run() -> Any:
        close_old_connections()
        try:
            return fn()
        finally:
            close_old_connections()

    return run


def register(huey: Huey) -> dict[str, TaskWrapper]:
    """Put the periodic jobs on `huey`; each may also be called to queue a run at once."""
    return {
        # Delivery every minute (huey's finest periodic step); claiming is safe with any
        # number of workers, so each consumer's scheduler may queue it.
        "deliver_outbox": huey.periodic_task(crontab(minute="*"), name="deliver_outbox")(
            _fresh_connections(deliver_outbox)
        ),
        "sweep_obligations": huey.periodic_task(crontab(minute="*/5"), name="sweep_obligations")(
            _fresh_connections(sweep_obligations)
        ),
        "recheck_meeting_staffing": huey.periodic_task(
            crontab(minute="*/15"), name="recheck_meeting_staffing"
        )(_fresh_connections(recheck_meeting_staffing)),
    }


TASKS = register(HUEY)
