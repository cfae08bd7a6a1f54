"""The S&W group's rules, each test named after the rule it proves (ASH-18, 21, 22, 23, 27)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commonground.audit.models import AuditEntry
from commonground.meetings.models import Meeting, Participant
from commonground.meetings.services import meeting_record_attendance
from commonground.obligations.models import Obligation
from commonground.people.models import RoleAssignment
from commonground.people.roles import Role
from commonground.policies.selectors import organisation_policy
from commonground.swgroup import selectors, services
from commonground.swgroup.health import sw_group_health
from commonground.swgroup.models import LedgerEntry, SpendingApproval, SpendingRequest
from commonground.swgroup.tests.conftest import (
    CATEGORIES,
    Group,
    change_number,
    make_budget,
    make_case,
)
from commonground.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


# ASH-18 ----------------------------------------------------------------------------------------


def test_ASH_18_the_group_needs_six_members_and_half_women(group: Group) -> None:
    health = sw_group_health(group.org)
    assert (health.count, health.women, health.minimum, health.target) == (6, 3, 6, 10)
    assert health.healthy and health.problems == []
    assert health.rule.id == "ASH-18" and "at least 50% women" in health.rule.clause

    # One woman fewer: five members, two of them women.
    after = sw_group_health(group.org, without=group.w1)
    assert not after.enough_members and not after.enough_women
    assert "it needs at least 6" in after.problems[0]
    # A man more: seven members, three women (43%).
    assert not sw_group_health(
        group.org, adding=PersonFactory(organisation=group.org, gender="man")
    ).enough_women
    # A woman more keeps it healthy.
    assert sw_group_health(
        group.org, adding=PersonFactory(organisation=group.org, gender="woman")
    ).healthy
    # The nominal health did not change: nothing was written.
    assert sw_group_health(group.org).count == 6


def test_ASH_18_the_numbers_come_from_the_organisations_policy(group: Group) -> None:
    change_number(group, "ASH-18", "minimum_members", "5")
    health = sw_group_health(group.org, without=group.m1)
    assert health.minimum == 5 and health.healthy
    assert health.changed_here == ("minimum_members",)


def test_ASH_18_a_change_that_would_break_it_is_warned_first(group: Group, client: Client) -> None:
    role = RoleAssignment.objects.get(person=group.w1, role=Role.SW_MEMBER)
    today = timezone.localdate()
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.sw_role_end(
            actor=group.admin, organisation=group.org, assignment=role, ends_on=today
        )
    assert "confirm" in refused.value.message_dict
    assert AuditEntry.objects.count() == before

    url = reverse("swgroup:member_end", kwargs={"org": group.org.slug, "pk": group.w1.pk})
    client.force_login(group.admin)
    page = client.get(url).content.decode()
    assert "Warning: the group would not meet its rule" in page
    assert "it needs at least 6" in page and "ASH-18" in page
    # Sent without confirming: the warning again, what was typed kept, nothing written.
    response = client.post(url, {"ends_on": today.isoformat(), "reason": "Taking a break"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Taking a break" in body and "Confirm that you want to go ahead" in body
    assert AuditEntry.objects.count() == before
    role.refresh_from_db()
    assert role.ends_on is None
    # Confirmed: the role ends through people.services.role_end.
    response = client.post(
        url, {"ends_on": today.isoformat(), "reason": "Taking a break", "confirm": "on"}
    )
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.ends_on == today
    assert AuditEntry.objects.filter(summary__startswith="Role Support").exists()


def test_ASH_18_giving_the_role_to_a_man_warns_about_the_share_of_women(
    group: Group, client: Client
) -> None:
    newcomer = PersonFactory(organisation=group.org, full_name="Ned New", gender="man")
    url = reverse("swgroup:member_add", kwargs={"org": group.org.slug})
    client.force_login(group.admin)
    data = {"person": newcomer.pk, "starts_on": timezone.localdate().isoformat()}
    body = client.post(url, data).content.decode()
    assert "Warning: the group would not meet its rule" in body
    assert not RoleAssignment.objects.filter(person=newcomer).exists()
    assert client.post(url, {**data, "confirm": "on"}).status_code == 302
    assert RoleAssignment.objects.filter(person=newcomer, role=Role.SW_MEMBER).exists()


def test_a_change_that_keeps_the_group_healthy_needs_no_confirmation(group: Group) -> None:
    woman = PersonFactory(organisation=group.org, gender="woman")
    services.sw_role_give(
        actor=group.admin, organisation=group.org, person=woman, starts_on=timezone.localdate()
    )
    assert sw_group_health(group.org).count == 7


def test_only_the_admin_changes_who_is_in_the_group(group: Group) -> None:
    role = RoleAssignment.objects.get(person=group.w1, role=Role.SW_MEMBER)
    with pytest.raises(PermissionDenied):
        services.sw_role_end(
            actor=group.w2.user,
            organisation=group.org,
            assignment=role,
            ends_on=timezone.localdate(),
            confirmed=True,
        )


# ASH-21 ----------------------------------------------------------------------------------------


def _held_meeting(group: Group, days_ago: int, statuses: dict[int, str]) -> Meeting:
    meeting = services.group_meeting_schedule(
        actor=group.admin,
        organisation=group.org,
        starts_at=timezone.now() - dt.timedelta(days=days_ago),
        duration=dt.timedelta(hours=1),
        convenor=group.w1,
    )
    attendance = {p.pk: Participant.Status.ATTENDED for p in group.members}
    attendance.update(statuses)
    meeting_record_attendance(actor=group.admin, meeting=meeting, attendance=attendance)
    return meeting


def _history(group: Group) -> list[Meeting]:
    # m1: came, then absent, apologies, absent. m2: absent, absent, came, absent.
    return [
        _held_meeting(group, 40, {}),
        _held_meeting(group, 30, {group.m1.pk: "absent", group.m2.pk: "absent"}),
        _held_meeting(group, 20, {group.m1.pk: "apologies"}),
        _held_meeting(group, 10, {group.m1.pk: "absent", group.m2.pk: "absent"}),
    ]


def test_ASH_21_a_member_who_misses_three_in_a_row_is_flagged(group: Group, client: Client) -> None:
    meetings = _history(group)
    rows = {r.person.pk: r for r in selectors.attendance(group.org, organisation_policy(group.org))}
    assert rows[group.m1.pk].flagged
    assert [m.pk for m in rows[group.m1.pk].misses] == [m.pk for m in reversed(meetings[1:])]
    assert not rows[group.m2.pk].flagged and len(rows[group.m2.pk].misses) == 1
    assert not rows[group.w1.pk].flagged
    client.force_login(group.w2.user)
    body = client.get(reverse("swgroup:group", kwargs={"org": group.org.slug})).content.decode()
    assert "Mo One</strong> missed the last 3 group meetings" in body
    assert "Milo Two</strong>" not in body
    # Nothing happens automatically: m1 is still in the group.
    assert RoleAssignment.objects.current().filter(person=group.m1, role=Role.SW_MEMBER).exists()


def test_ASH_21_the_number_of_misses_comes_from_the_policy(group: Group) -> None:
    _history(group)
    change_number(group, "ASH-21", "consecutive_misses", "4")
    rows = selectors.attendance(group.org, organisation_policy(group.org))
    assert not any(r.flagged for r in rows)


# ASH-22 ----------------------------------------------------------------------------------------


def _request(group: Group, *, case=None, amount: int = 5_000, **kwargs) -> SpendingRequest:  # type: ignore[no-untyped-def]
    return services.spending_request_create(
        actor=kwargs.pop("by", group.w1).user,
        organisation=group.org,
        category=kwargs.pop("category", "meeting_spaces"),
        amount_pence=amount,
        reason="Hire of the community hall for the Group Meeting",
        case=case,
        **kwargs,
    )


def _approve(group_member, request: SpendingRequest) -> SpendingRequest:  # type: ignore[no-untyped-def]
    return services.spending_approve(actor=group_member.user, request=request)


def test_ASH_22_spending_needs_three_members_one_outside_the_case(group: Group) -> None:
    make_budget(group)
    case = make_case(group, group.w1, group.w2, group.m1)
    request = _request(group, case=case)
    # Three members agree, but all three support the case: not yet.
    for member in (group.w1, group.w2, group.m1):
        assert _approve(member, request).status == SpendingRequest.Status.PENDING
    assert not LedgerEntry.objects.exists()
    # A fourth, outside the case: approved, and the money is spent against the category.
    assert _approve(group.m2, request).status == SpendingRequest.Status.APPROVED
    entry = LedgerEntry.objects.get()
    assert (entry.category, entry.amount_pence, entry.request_id) == (
        "meeting_spaces",
        5_000,
        request.pk,
    )
    assert SpendingApproval.objects.get(request=request, approver=group.w1).on_the_case


def test_ASH_22_three_members_are_enough_when_one_is_outside_the_case(group: Group) -> None:
    make_budget(group)
    case = make_case(group, group.w1, group.w2)
    request = _request(group, case=case)
    _approve(group.w1, request)
    _approve(group.w2, request)
    assert _approve(group.m3, request).status == SpendingRequest.Status.APPROVED


def test_ASH_22_emergency_decisions_follow_the_same_rule(group: Group) -> None:
    make_budget(group)
    request = _request(group, emergency=True)
    _approve(group.w1, request)
    assert _approve(group.w2, request).status == SpendingRequest.Status.PENDING
    assert _approve(group.w3, request).status == SpendingRequest.Status.APPROVED


def test_ASH_22_the_number_of_approvers_comes_from_the_policy(group: Group) -> None:
    change_number(group, "ASH-22", "approvers_min", "4")
    make_budget(group)
    request = _request(group)
    for member in (group.w1, group.w2, group.w3):
        assert _approve(member, request).status == SpendingRequest.Status.PENDING
    assert _approve(group.m1, request).status == SpendingRequest.Status.APPROVED


def test_ASH_22_only_group_members_agree_each_for_themselves(group: Group) -> None:
    make_budget(group)
    request = _request(group)
    with pytest.raises(PermissionDenied):
        services.spending_approve(actor=group.admin, request=request)
    with pytest.raises(PermissionDenied):
        services.spending_approve(actor=group.personas.supporter.user, request=request)
    assert not SpendingApproval.objects.exists()


def test_ASH_22_concurrent_approvals_count_once(group: Group) -> None:
    make_budget(group)
    request = _request(group)
    _approve(group.w1, request)
    before = AuditEntry.objects.count()
    # The same member again (a double click, a second tab): refused, counted once.
    with pytest.raises(ValidationError, match="counts once"):
        _approve(group.w1, request)
    assert AuditEntry.objects.count() == before
    # The database itself refuses a second row, whatever the code path.
    with pytest.raises(IntegrityError), transaction.atomic():
        SpendingApproval.objects.create(request=request, approver=group.w1)
    _approve(group.w2, request)
    assert _approve(group.w3, request).status == SpendingRequest.Status.APPROVED
    # A late fourth approval finds it decided and writes nothing: one ledger entry only.
    with pytest.raises(ValidationError, match="approved and spent already"):
        _approve(group.m1, request)
    assert LedgerEntry.objects.count() == 1
    assert SpendingApproval.objects.filter(request=request).count() == 3


# ASH-23 ----------------------------------------------------------------------------------------


def test_ASH_23_the_budget_covers_the_five_categories_and_refuses_overspend(
    group: Group,
) -> None:
    budget = make_budget(group, 10_000)
    assert sorted(budget.lines.values_list("category", flat=True)) == sorted(CATEGORIES)
    assert budget.ends_on == budget.starts_on.replace(
        year=budget.starts_on.year + 1
    ) - dt.timedelta(days=1)
    # More than the category holds cannot even be asked for.
    with pytest.raises(
        ValidationError, match=r"Training and support for the group has £100.00 left"
    ):
        _request(group, category="training", amount=10_001)
    first = _request(group, category="training", amount=6_000)
    second = _request(group, category="training", amount=6_000)
    for member in (group.w1, group.w2, group.w3):
        _approve(member, first)
    _approve(group.w1, second)
    _approve(group.w2, second)
    before = (AuditEntry.objects.count(), SpendingApproval.objects.count())
    with pytest.raises(ValidationError) as refused:
        _approve(group.w3, second)
    assert refused.value.messages == [
        "Training and support for the group has £40.00 left, so £60.00 cannot be spent from it."
    ]
    assert (AuditEntry.objects.count(), SpendingApproval.objects.count()) == before
    second.refresh_from_db()
    assert second.status == SpendingRequest.Status.PENDING
    summary = selectors.budget_summary(budget, organisation_policy(group.org))
    training = next(line for line in summary.lines if line.category == "training")
    assert (training.allocated, training.spent, training.balance) == (10_000, 6_000, 4_000)


def test_ASH_23_an_allocation_cannot_fall_below_what_was_spent(group: Group) -> None:
    make_budget(group, 10_000)
    request = _request(group, category="training", amount=6_000)
    for member in (group.w1, group.w2, group.w3):
        _approve(member, request)
    with pytest.raises(ValidationError, match=r"spent £60\.00 already"):
        make_budget(group, 10_000, training=5_000)


def test_ASH_23_only_the_admin_sets_the_budget(group: Group) -> None:
    with pytest.raises(PermissionDenied):
        services.budget_set(
            actor=group.w1.user,
            organisation=group.org,
            starts_on=timezone.localdate(),
            amounts={name: 1 for name in CATEGORIES},
        )


# ASH-27 ----------------------------------------------------------------------------------------


def test_ASH_27_the_admin_records_the_annual_review(group: Group, client: Client) -> None:
    open_review = selectors.review_obligation(group.org)
    assert open_review is not None and open_review.rule_id == "ASH-27"
    client.force_login(group.w1.user)
    group_page = client.get(reverse("swgroup:group", kwargs={"org": group.org.slug}))
    assert (
        f"due for review by <strong>{open_review.due_on:%-d %B %Y}" in group_page.content.decode()
    )
    url = reverse("swgroup:review", kwargs={"org": group.org.slug})
    assert client.post(url, {"reviewed_on": timezone.localdate().isoformat()}).status_code == 403
    client.force_login(group.admin)
    response = client.post(
        url, {"reviewed_on": timezone.localdate().isoformat(), "note": "No changes"}
    )
    assert response.status_code == 302
    open_review.refresh_from_db()
    assert open_review.state == Obligation.State.MET
    following = selectors.review_obligation(group.org)
    assert following is not None and following.pk != open_review.pk
    assert following.trigger_event == "the last review"
    assert following.due_on.year == timezone.localdate().year + 1


def test_ASH_27_a_review_in_the_future_is_refused_and_keeps_the_note(
    group: Group, client: Client
) -> None:
    client.force_login(group.admin)
    url = reverse("swgroup:review", kwargs={"org": group.org.slug})
    before = AuditEntry.objects.count()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    body = client.post(url, {"reviewed_on": tomorrow.isoformat(), "note": "Typed note"}).content
    assert b"cannot be in the future" in body and b"Typed note" in body
    assert AuditEntry.objects.count() == before
