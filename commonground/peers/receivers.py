"""PSP-10: when a facilitator records who came to a group's session, look for runs of absences
without news and open a "seek news" action (inside the same transaction)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from commonground.meetings.signals import attendance_recorded


@receiver(attendance_recorded, dispatch_uid="peers-absences-check")
def check_absences(sender: Any, meeting: Any, actor: Any = None, **kwargs: Any) -> None:
    from commonground.peers.services import absences_check

    absences_check(meeting, actor=actor)
