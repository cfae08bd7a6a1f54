from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from commonground.policies.selectors import organisation_policy
from commonground.swgroup import demo, selectors, services
from commonground.swgroup.models import LedgerEntry, SpendingApproval, SpendingRequest
from commonground.swgroup.tests.conftest import Group, make_budget


@pytest.mark.django_db
def test_the_demo_gives_the_group_a_budget_spending_and_a_member_to_talk_to(group: Group) -> None:
    demo.load(group.org)
    demo.load(group.org)  # a second load adds nothing
    assert LedgerEntry.objects.count() == 3
    approved = SpendingRequest.objects.filter(status=SpendingRequest.Status.APPROVED)
    assert approved.count() == 3
    assert all(r.approvals.count() == 3 for r in approved)
    assert SpendingRequest.objects.filter(status=SpendingRequest.Status.PENDING).count() == 1
    rows = selectors.attendance(group.org, organisation_policy(group.org))
    flagged = [r for r in rows if r.flagged]
    assert len(flagged) == 1 and len(flagged[0].misses) == 3


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a database with row locks (PostgreSQL)"
)
@pytest.mark.django_db(transaction=True)
def test_ASH_22_two_members_agreeing_at_once_spend_the_money_once(group: Group) -> None:
    make_budget(group)
    request = services.spending_request_create(
        actor=group.w1.user,
        organisation=group.org,
        category="training",
        amount_pence=1_000,
        reason="Course",
    )
    services.spending_approve(actor=group.w1.user, request=request)
    services.spending_approve(actor=group.w2.user, request=request)
    errors: list[Exception] = []
    start = threading.Barrier(2)

    def agree(member) -> None:  # type: ignore[no-untyped-def]
        try:
            start.wait()
            services.spending_approve(actor=member.user, request=request)
        except Exception as exc:  # the loser's refusal is what is checked
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=agree, args=(m,)) for m in (group.w3, group.m1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert LedgerEntry.objects.filter(request=request).count() == 1
    assert SpendingApproval.objects.filter(request=request).count() == 3
    assert len(errors) == 1 and "approved and spent already" in str(errors[0])
