"""The S&W group's pages: who may open them, what they show, bad input, and query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commonground.audit.models import AuditEntry
from commonground.swgroup import services
from commonground.swgroup.models import SpendingRequest
from commonground.swgroup.tests.conftest import Group, make_budget

pytestmark = pytest.mark.django_db

PAGES = [
    "group",
    "attendance",
    "meeting_create",
    "budget",
    "ledger",
    "spending_list",
    "spending_create",
]
ADMIN_PAGES = ["member_add", "review", "budget_set"]


def _url(group: Group, name: str, **kwargs: int) -> str:
    return reverse(f"swgroup:{name}", kwargs={"org": group.org.slug, **kwargs})


def _statuses(client: Client, group: Group, url: str) -> dict[str, int]:
    people = {"sw_member": group.w1, **group.personas.all()}
    out = {}
    for name, person in people.items():
        client.force_login(person.user)
        out[name] = client.get(url).status_code
    return out


@pytest.mark.parametrize("name", PAGES)
def test_the_group_pages_are_for_its_members_and_the_admin(
    client: Client, group: Group, name: str
) -> None:
    make_budget(group)
    expected = {
        "sw_member": 200,
        "party": 403,
        "supporter": 403,
        "admin": 200,
        "unrelated": 403,
        "other_org": 404,
    }
    if name == "spending_create":
        expected["admin"] = 403  # asking for money is for the group's members
    assert _statuses(client, group, _url(group, name)) == expected


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_changing_the_group_setting_the_budget_and_the_review_are_the_admins(
    client: Client, group: Group, name: str
) -> None:
    assert _statuses(client, group, _url(group, name)) == {
        "sw_member": 403,
        "party": 403,
        "supporter": 403,
        "admin": 200,
        "unrelated": 403,
        "other_org": 404,
    }


def test_a_spending_request_is_for_members_and_the_admin_and_others_cannot_agree(
    client: Client, group: Group
) -> None:
    make_budget(group)
    request = services.spending_request_create(
        actor=group.w1.user,
        organisation=group.org,
        category="training",
        amount_pence=12_345,
        reason="Course fees",
    )
    url = _url(group, "spending_detail", pk=request.pk)
    statuses = _statuses(client, group, url)
    assert statuses == {
        "sw_member": 200,
        "party": 403,
        "supporter": 403,
        "admin": 200,
        "unrelated": 403,
        "other_org": 404,
    }
    client.force_login(group.w2.user)
    assert "£123.45" in client.get(url).content.decode()
    approve = _url(group, "spending_approve", pk=request.pk)
    for person in (group.personas.admin, group.personas.unrelated):
        client.force_login(person.user)
        assert client.post(approve).status_code == 403
    assert not request.approvals.exists()
    client.force_login(group.w2.user)
    assert client.post(approve).status_code == 302
    assert request.approvals.get().approver == group.w2
    # Agreeing twice shows the reason and counts once.
    response = client.post(approve)
    assert response.status_code == 400 and b"counts once" in response.content
    assert client.get(_url(group, "spending_detail", pk=10**6)).status_code == 404


def test_the_member_end_page_is_404_for_someone_not_in_the_group(
    client: Client, group: Group
) -> None:
    client.force_login(group.admin)
    url = _url(group, "member_end", pk=group.personas.unrelated.pk)
    assert client.get(url).status_code == 404


def test_a_bad_spending_request_keeps_what_was_typed_and_writes_nothing(
    client: Client, group: Group
) -> None:
    make_budget(group, 1_000)
    client.force_login(group.w1.user)
    before = AuditEntry.objects.count()
    url = _url(group, "spending_create")
    data = {"amount": "twelve", "category": "training", "reason": "Books for the group"}
    body = client.post(url, data).content.decode()
    assert "Give an amount in pounds and pence" in body and "Books for the group" in body
    # Over the balance: refused by the service, with the category and balance named.
    body = client.post(url, {**data, "amount": "10.01"}).content.decode()
    assert "has £10.00 left" in body and 'value="10.01"' in body
    assert AuditEntry.objects.count() == before
    assert not SpendingRequest.objects.exists()
    response = client.post(url, {**data, "amount": "£9.50", "emergency": "on"})
    assert response.status_code == 302
    made = SpendingRequest.objects.get()
    assert (made.amount_pence, made.emergency) == (950, True)


def test_the_budget_page_shows_each_category_in_pounds(client: Client, group: Group) -> None:
    make_budget(group, 123_456)
    client.force_login(group.w1.user)
    body = client.get(_url(group, "budget")).content.decode()
    for label in (
        "Meeting spaces",
        "External facilitators",
        "Training and support for the group",
        "Support-to-move-on pot",
        "Temporary accommodation",
    ):
        assert label in body
    assert "£1,234.56" in body and "£6,172.80" in body


def _spend(group: Group, n: int) -> None:
    for _ in range(n):
        request = services.spending_request_create(
            actor=group.w1.user,
            organisation=group.org,
            category="meeting_spaces",
            amount_pence=100,
            reason="Room hire",
        )
        for member in (group.w1, group.w2, group.w3):
            services.spending_approve(actor=member.user, request=request)
        services.spending_request_create(
            actor=group.m1.user,
            organisation=group.org,
            category="training",
            amount_pence=100,
            reason="Pending",
        )


@pytest.mark.parametrize("name", ["spending_list", "ledger", "budget", "group", "attendance"])
def test_list_pages_do_not_grow_queries_with_rows(
    client: Client, group: Group, name: str, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    make_budget(group)
    _spend(group, 2)
    client.force_login(group.w1.user)
    url = _url(group, name)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _spend(group, 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def _request(group: Group) -> SpendingRequest:
    make_budget(group)
    return services.spending_request_create(
        actor=group.w1.user,
        organisation=group.org,
        category="training",
        amount_pence=5_000,
        reason="Course fees",
    )


def test_ASH_22_a_pending_request_is_withdrawn_by_whoever_asked_and_can_no_longer_be_agreed(
    client: Client, group: Group
) -> None:
    request = _request(group)
    withdraw = _url(group, "spending_withdraw", pk=request.pk)
    before = AuditEntry.objects.count()
    for name, status in {
        "party": 403,
        "supporter": 403,
        "admin": 403,
        "unrelated": 403,
        "other_org": 404,
    }.items():
        client.force_login(getattr(group.personas, name).user)
        assert client.post(withdraw).status_code == status, name
    assert AuditEntry.objects.count() == before
    client.force_login(group.w1.user)
    assert (
        b"Withdraw this request"
        in client.get(_url(group, "spending_detail", pk=request.pk)).content
    )
    assert client.post(withdraw, {"reason": "Found a free course."}).status_code == 302
    request.refresh_from_db()
    assert request.status == SpendingRequest.Status.WITHDRAWN and request.decided_at
    entry = AuditEntry.objects.latest("pk")
    assert entry.reason == "Found a free course." and entry.changes["status"][1] == "withdrawn"
    # Withdrawn: nobody can agree to it, nor withdraw it again, and nothing is written.
    before = AuditEntry.objects.count()
    client.force_login(group.w2.user)
    response = client.post(_url(group, "spending_approve", pk=request.pk))
    assert response.status_code == 400 and b"withdrawn already" in response.content
    assert client.post(withdraw, {"reason": "Again"}).status_code == 400
    assert not request.approvals.exists() and AuditEntry.objects.count() == before
    assert (
        b"Withdraw this request"
        not in client.get(_url(group, "spending_detail", pk=request.pk)).content
    )


def test_ASH_22_any_member_of_the_group_may_withdraw_a_pending_request(
    client: Client, group: Group
) -> None:
    request = _request(group)
    services.spending_withdraw(actor=group.m3.user, request=request, reason="Duplicate")
    request.refresh_from_db()
    assert request.status == SpendingRequest.Status.WITHDRAWN


def test_ASH_22_agreement_from_someone_who_has_left_the_group_no_longer_counts(
    client: Client, group: Group
) -> None:
    request = _request(group)
    for member in (group.w2, group.w3):
        services.spending_approve(actor=member.user, request=request)
    # w2 leaves the group: their agreement stays on the record but is no longer counted.
    services.sw_role_end(
        actor=group.admin,
        organisation=group.org,
        assignment=group.w2.roles.get(role="sw_member"),
        ends_on=timezone.localdate() - dt.timedelta(days=1),
        confirmed=True,
    )
    result = services.spending_approve(actor=group.m1.user, request=request)
    assert result.status == SpendingRequest.Status.PENDING
    client.force_login(group.m2.user)
    page = client.get(_url(group, "spending_detail", pk=request.pk)).content.decode()
    assert "2 of at least 3 members have agreed" in page
    assert page.count("Left the group: no longer counted") == 1
    assert "Wanda Two" in page
    result = services.spending_approve(actor=group.m2.user, request=request)
    assert result.status == SpendingRequest.Status.APPROVED
