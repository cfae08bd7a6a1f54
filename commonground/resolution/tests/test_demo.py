from __future__ import annotations

from commonground.people.models import MembershipStatus
from commonground.resolution import demo
from commonground.resolution.models import NoticeToQuit
from commonground.resolution.tests.setup import CaseWorld


def test_the_demo_puts_one_case_to_a_notice_to_quit_and_another_to_reinstatement(
    cw: CaseWorld,
) -> None:
    demo.load(cw.org)
    running = NoticeToQuit.objects.get(state=NoticeToQuit.State.RUNNING)
    restored = NoticeToQuit.objects.get(state=NoticeToQuit.State.REINSTATED)
    assert running.person.membership_status == MembershipStatus.REMOVED
    assert restored.person.membership_status == MembershipStatus.REINSTATED
    assert running.decision.action_plan is not None
