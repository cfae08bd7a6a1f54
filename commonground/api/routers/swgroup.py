"""The Support & Wellbeing group's own records: its health (ASH-18), attendance at its meetings
(ASH-21), its budget with what each category has spent and the admin's allocation (ASH-23), and
spending requests with each member's own agreement (ASH-22).

Everything here is for the group's members and the organisation admin (403 for anyone else in
the organisation, 404 for other organisations). Reads go through the swgroup selectors and every
change through its services, so the numbers in force and the rules are the ones the pages use.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from commonground.api.pagination import paginate
from commonground.api.routers.casework import _fields, _people
from commonground.api.routers.common import ERRORS, Slug, actor, organisation
from commonground.api.schemas import MAX_ID, Date, Input, PageOut, PageQuery
from commonground.casework.models import Case
from commonground.people.models import Organisation, RoleAssignment
from commonground.people.roles import Role
from commonground.policies.selectors import organisation_policy
from commonground.swgroup import selectors, services
from commonground.swgroup.health import sw_group_health, sw_member_ids
from commonground.swgroup.models import Budget, SpendingApproval, SpendingRequest

router = Router()

RequestId = Annotated[int, Path(ge=1, le=MAX_ID, description="The spending request's id.")]
MemberId = Annotated[
    int, Path(ge=1, le=MAX_ID, description="The person id of a member of the S&W group.")
]


# Schemas


class GroupMemberOut(Schema):
    person_id: int
    display_name: str


class HealthOut(Schema):
    rule_id: str = Field(description="ASH-18.")
    on: dt.date
    healthy: bool = Field(description="Enough members and enough women.")
    count: int
    minimum: int = Field(description="The fewest members the group may have, as in force here.")
    target: int = Field(description="The size to aim for, around which the group should be.")
    enough_members: bool
    women: int
    women_share: str = Field(description="The share of women needed, such as 50%.")
    women_needed: int = Field(description="The fewest women a group of this size needs.")
    women_percent: int
    enough_women: bool
    problems: list[str] = Field(description="Each way the group falls short, as a sentence.")
    target_note: str
    changed_here: list[str] = Field(
        description="The rule's numbers this organisation changed from the policy's own."
    )
    members: list[GroupMemberOut]


class CategoryOut(Schema):
    category: str
    label: str
    allocated_pence: int
    spent_pence: int
    balance_pence: int


class BudgetOut(Schema):
    starts_on: dt.date | None = Field(description="Null when no budget covers today yet.")
    ends_on: dt.date | None
    allocated_pence: int
    spent_pence: int
    balance_pence: int
    categories: list[CategoryOut] = Field(description="The policy's categories (ASH-23).")


class ApprovalOut(Schema):
    person_id: int
    display_name: str
    on_the_case: bool = Field(description="Whether they supported the case when they agreed.")
    approved_at: dt.datetime
    counted: bool = Field(
        description="False once they have left the S&W group: their agreement no longer counts "
        "toward ASH-22."
    )


class SpendingOut(Schema):
    id: int
    category: str
    category_label: str
    amount_pence: int
    case_id: int | None
    case_reference: str | None
    reason: str
    emergency: bool
    requested_by: GroupMemberOut
    status: SpendingRequest.Status
    status_label: str
    created_at: dt.datetime
    decided_at: dt.datetime | None
    approvals: list[ApprovalOut]
    approvals_needed: int = Field(description="How many members must agree (ASH-22).")
    outside_case_needed: int = Field(
        description="How many of them must not be assigned to the case (ASH-22)."
    )


class SpendingPageOut(PageOut):
    items: list[SpendingOut]


class SpendingIn(Input):
    amount_pence: int = Field(ge=1, le=MAX_ID, strict=True, description="In pence: 1250 is £12.50.")
    category: str = Field(max_length=60, description="One of the budget's categories (ASH-23).")
    case_id: int | None = Field(
        None, ge=1, le=MAX_ID, strict=True, description="The case the money supports, if any."
    )
    reason: str = Field(max_length=services.REASON_MAX, description="What the money is for.")
    urgency: Literal["ordinary", "emergency"] = Field(
        "ordinary",
        description="emergency: an emergency decision; it needs the same agreement (ASH-22).",
    )


class ApproveIn(Input):
    agree: Literal["yes"] = Field(
        description="Your own agreement; each member agrees for themselves and counts once."
    )


Pence = Annotated[int, Field(ge=0, le=MAX_ID, strict=True)]


class BudgetIn(Input):
    starts_on: Date = Field(
        description="The first day of the period, which is one budget period long (ASH-23). "
        "Setting the budget for the same day again changes its amounts."
    )
    amounts_pence: dict[Annotated[str, Field(max_length=60)], Pence] = Field(
        max_length=50,
        description="An amount in pence for each of the policy's categories, such as "
        '{"training": 50000}; a category left out is allocated nothing. Never less than it has '
        "spent already.",
    )


class MissedOut(Schema):
    meeting_id: int
    on: dt.date


class AttendanceRowOut(Schema):
    person_id: int
    display_name: str
    missed: list[MissedOut] = Field(
        description="Their latest run of missed group meetings, most recent first."
    )
    flagged: bool = Field(
        description="May be asked to step back: the run reached the number in force (ASH-21). "
        "Nothing happens automatically."
    )


class AttendanceOut(Schema):
    rule_id: str = Field(description="ASH-21.")
    consecutive_misses: int = Field(description="The run of misses that flags a member.")
    items: list[AttendanceRowOut]


# Helpers


def _group(request: HttpRequest, slug: str) -> Organisation:
    org = organisation(request, slug)
    selectors.group_require(actor(request), org)
    return org


def _with_approvals(queryset: Any) -> Any:
    return queryset.prefetch_related(
        Prefetch("approvals", queryset=SpendingApproval.objects.select_related("approver"))
    )


def _spending_out(item: SpendingRequest, needed: tuple[int, int], members: set[int]) -> SpendingOut:
    return SpendingOut(
        id=item.pk,
        category=item.category,
        category_label=services.category_label(item.category),
        amount_pence=item.amount_pence,
        case_id=item.case_id,
        case_reference=item.case.reference if item.case is not None else None,
        reason=item.reason,
        emergency=item.emergency,
        requested_by=GroupMemberOut(
            person_id=item.requested_by_id, display_name=item.requested_by.display_name
        ),
        status=SpendingRequest.Status(item.status),
        status_label=item.get_status_display(),
        created_at=item.created_at,
        decided_at=item.decided_at,
        approvals=[
            ApprovalOut(
                person_id=a.approver_id,
                display_name=a.approver.display_name,
                on_the_case=a.on_the_case,
                approved_at=a.approved_at,
                counted=a.approver_id in members,
            )
            for a in item.approvals.all()
        ],
        approvals_needed=needed[0],
        outside_case_needed=needed[1],
    )


def _budget_out(org: Organisation, budget: Budget | None) -> BudgetOut:
    if budget is None:
        return BudgetOut(
            starts_on=None,
            ends_on=None,
            allocated_pence=0,
            spent_pence=0,
            balance_pence=0,
            categories=[],
        )
    summary = selectors.budget_summary(budget, organisation_policy(org))
    return BudgetOut(
        starts_on=budget.starts_on,
        ends_on=budget.ends_on,
        allocated_pence=summary.allocated,
        spent_pence=summary.spent,
        balance_pence=summary.balance,
        categories=[
            CategoryOut(
                category=line.category,
                label=line.label,
                allocated_pence=line.allocated,
                spent_pence=line.spent,
                balance_pence=line.balance,
            )
            for line in summary.lines
        ],
    )


def _found_out(org: Organisation, found: SpendingRequest) -> SpendingOut:
    needed = services.approvals_needed(organisation_policy(org))
    return _spending_out(found, needed, sw_member_ids(org))


def _request(request: HttpRequest, org: Organisation, request_id: int) -> SpendingRequest:
    return selectors.spending_request_get(actor=actor(request), organisation=org, pk=request_id)


# Endpoints


@router.get(
    "/organisations/{slug}/sw-group/health",
    response={200: HealthOut, **ERRORS},
    summary="The S&W group's composition against ASH-18 (the group and the admin)",
    description="At least the minimum number of members, at least the share of women, around "
    "the target size, with the numbers in force here.",
)
def sw_health(request: HttpRequest, slug: Slug) -> HealthOut:
    return _health_out(_group(request, slug))


def _health_out(org: Organisation) -> HealthOut:
    health = sw_group_health(org)
    return HealthOut(
        rule_id=health.rule.id,
        on=health.on,
        healthy=health.healthy,
        count=health.count,
        minimum=health.minimum,
        target=health.target,
        enough_members=health.enough_members,
        women=health.women,
        women_share=str(health.women_share),
        women_needed=health.women_needed,
        women_percent=health.women_percent,
        enough_women=health.enough_women,
        problems=health.problems,
        target_note=health.target_note,
        changed_here=list(health.changed_here),
        members=[
            GroupMemberOut(person_id=p.pk, display_name=p.display_name) for p in health.members
        ],
    )


@router.get(
    "/organisations/{slug}/sw-group/budget",
    response={200: BudgetOut, **ERRORS},
    summary="This period's S&W budget: each category's allocation, spending and balance",
    description="ASH-23: the annual budget by the policy's categories; the ledger's spending "
    "is taken from each.",
)
def sw_budget(request: HttpRequest, slug: Slug) -> BudgetOut:
    org = _group(request, slug)
    return _budget_out(org, selectors.budget_current(org))


@router.get(
    "/organisations/{slug}/sw-group/spending",
    response={200: SpendingPageOut, **ERRORS},
    summary="Spending requests, newest first, with who agreed (the group and the admin)",
)
def sw_spending_list(request: HttpRequest, slug: Slug, paging: Query[PageQuery]) -> dict[str, Any]:
    org = _group(request, slug)
    needed = services.approvals_needed(organisation_policy(org))
    page = paginate(_with_approvals(selectors.spending_requests(org)), paging)
    members = sw_member_ids(org)
    page["items"] = [_spending_out(item, needed, members) for item in page["items"]]
    return page


@router.post(
    "/organisations/{slug}/sw-group/spending",
    response={201: SpendingOut, **ERRORS},
    summary="Ask the group for money from one category (S&W members)",
    description="Asking is not agreeing: the request is spent once enough members agree, at "
    "least one of them not assigned to its case (ASH-22). More than the category has left is "
    "refused (ASH-23).",
)
def sw_spending_create(
    request: HttpRequest, slug: Slug, payload: SpendingIn
) -> Status[SpendingOut]:
    org = _group(request, slug)
    case = None
    if payload.case_id is not None:
        case = Case.objects.filter(organisation=org, pk=payload.case_id).first()
        if case is None:
            raise ValidationError(
                {
                    "case_id": ValidationError(
                        "There is no case with the id %(id)s here.",
                        code="not_found",
                        params={"id": payload.case_id},
                    )
                }
            )
    with _fields(amount="amount_pence", case="case_id"):
        created = services.spending_request_create(
            actor=actor(request),
            organisation=org,
            category=payload.category,
            amount_pence=payload.amount_pence,
            reason=payload.reason,
            case=case,
            emergency=payload.urgency == "emergency",
        )
    found = _request(request, org, created.pk)
    return Status(201, _found_out(org, found))


@router.post(
    "/organisations/{slug}/sw-group/spending/{request_id}/approve",
    response={200: SpendingOut, **ERRORS},
    summary="Agree, for yourself, to a spending request (S&W members)",
    description="With enough agreement (ASH-22) the money is spent in the same step; agreement "
    "that would take its category below zero is refused, naming the category, and nothing is "
    "written.",
)
def sw_spending_approve(
    request: HttpRequest, slug: Slug, request_id: RequestId, payload: ApproveIn
) -> SpendingOut:
    org = _group(request, slug)
    found = _request(request, org, request_id)
    with _fields(amount="amount_pence"):
        services.spending_approve(actor=actor(request), request=found)
    return _found_out(org, _request(request, org, request_id))


class SpendingWithdrawIn(Input):
    reason: str = Field(
        min_length=1, max_length=services.REASON_MAX, description="Why it is withdrawn."
    )


@router.post(
    "/organisations/{slug}/sw-group/spending/{request_id}/withdraw",
    response={200: SpendingOut, **ERRORS},
    summary="Withdraw a pending spending request (whoever asked, or an S&W member)",
    description="A withdrawn request can no longer be agreed to (ASH-22) and nothing is spent.",
)
def sw_spending_withdraw(
    request: HttpRequest, slug: Slug, request_id: RequestId, payload: SpendingWithdrawIn
) -> SpendingOut:
    org = _group(request, slug)
    found = _request(request, org, request_id)
    services.spending_withdraw(actor=actor(request), request=found, reason=payload.reason)
    return _found_out(org, _request(request, org, request_id))


@router.put(
    "/organisations/{slug}/sw-group/budget",
    response={200: BudgetOut, **ERRORS},
    summary="Allocate the S&W budget for a period, by category (the admin)",
    description="ASH-23: an amount for each of the policy's categories. A category the policy "
    "does not have, an allocation below what a category has spent, or a period overlapping "
    "another budget is refused by name, and nothing is written.",
)
def sw_budget_set(request: HttpRequest, slug: Slug, payload: BudgetIn) -> BudgetOut:
    org = _group(request, slug)
    if not actor(request).has_perm("swgroup.set_budget", org):
        raise PermissionDenied("Only the organisation admin allocates the S&W group's budget.")
    in_force = organisation_policy(org)
    names = services.categories(in_force)
    unknown = sorted(set(payload.amounts_pence) - set(names))
    if unknown:
        raise ValidationError(
            {
                f"amounts_pence.{unknown[0]}": ValidationError(
                    "%(name)s is not a budget category in the policy; choose from %(names)s.",
                    code="ASH-23",
                    params={"name": unknown[0], "names": ", ".join(names)},
                )
            }
        )
    with _fields(**{name: f"amounts_pence.{name}" for name in names}):
        budget = services.budget_set(
            actor=actor(request),
            organisation=org,
            starts_on=payload.starts_on,
            amounts=payload.amounts_pence,
            in_force=in_force,
        )
    return _budget_out(org, budget)


@router.get(
    "/organisations/{slug}/sw-group/attendance",
    response={200: AttendanceOut, **ERRORS},
    summary="Each member's missed group meetings, and who may be asked to step back",
    description="ASH-21: a member whose latest run of missed S&W group meetings reaches the "
    "number in force is flagged, with the dates they missed. Nothing happens automatically.",
)
def sw_attendance(request: HttpRequest, slug: Slug) -> AttendanceOut:
    org = _group(request, slug)
    in_force = organisation_policy(org)
    rows = selectors.attendance(org, in_force)
    return AttendanceOut(
        rule_id="ASH-21",
        consecutive_misses=in_force.value("ASH-21", "consecutive_misses").value,
        items=[
            AttendanceRowOut(
                person_id=row.person.pk,
                display_name=row.person.display_name,
                missed=[MissedOut(meeting_id=m.pk, on=m.local_day) for m in row.misses],
                flagged=row.flagged,
            )
            for row in rows
        ],
    )


# ASH-18: joining and leaving the group ----------------------------------------------------------


Confirm = Literal["yes", "no"]
CONFIRM_HELP = (
    "yes: go ahead although the group would then fall short of ASH-18. Without it such a change "
    "is refused with the warning (rule ASH-18, field confirm), and nothing is written."
)


class SwMemberAddIn(Input):
    person_id: int = Field(ge=1, le=MAX_ID, strict=True, description="Who joins the group.")
    starts_on: Date = Field(description="The day they join.")
    note: str = Field("", max_length=300, description="For example “helping with admin” (ASH-20).")
    confirm: Confirm = Field("no", description=CONFIRM_HELP)


class SwMemberEndIn(Input):
    ends_on: Date = Field(description="Their last day in the group.")
    reason: str = Field("", max_length=300, description="Kept on the role's history.")
    confirm: Confirm = Field("no", description=CONFIRM_HELP)


class SwMemberChangeOut(Schema):
    person_id: int
    display_name: str
    role_id: int
    starts_on: dt.date
    ends_on: dt.date | None
    health: HealthOut = Field(description="The group's health today, after the change (ASH-18).")


def _require_membership(request: HttpRequest, org: Organisation) -> None:
    if not actor(request).has_perm("swgroup.change_membership", org):
        raise PermissionDenied("Only the organisation admin can change who is in the S&W group.")


def _member_change_out(org: Organisation, assignment: RoleAssignment) -> SwMemberChangeOut:
    return SwMemberChangeOut(
        person_id=assignment.person_id,
        display_name=assignment.person.display_name,
        role_id=assignment.pk,
        starts_on=assignment.starts_on,
        ends_on=assignment.ends_on,
        health=_health_out(org),
    )


@router.post(
    "/organisations/{slug}/sw-group/members",
    response={201: SwMemberChangeOut, **ERRORS},
    summary="Give someone the S&W member role (the organisation admin)",
    description="If the group would then break ASH-18 (fewer than the minimum, or too few "
    "women) the change is refused with the warning until it is confirmed.",
)
def sw_member_add(
    request: HttpRequest, slug: Slug, payload: SwMemberAddIn
) -> Status[SwMemberChangeOut]:
    org = _group(request, slug)
    _require_membership(request, org)
    person = _people(org, [payload.person_id], "person_id")[0]
    if person.pk in sw_member_ids(org, payload.starts_on):
        raise ValidationError(
            {
                "person_id": ValidationError(
                    "%(name)s is in the S&W group already.",
                    code="sw_member_once",
                    params={"name": person.display_name},
                )
            }
        )
    with _fields(person="person_id", role="starts_on"):
        assignment = services.sw_role_give(
            actor=actor(request),
            organisation=org,
            person=person,
            starts_on=payload.starts_on,
            note=payload.note,
            confirmed=payload.confirm == "yes",
        )
    return Status(201, _member_change_out(org, assignment))


@router.post(
    "/organisations/{slug}/sw-group/members/{member_id}/end",
    response={200: SwMemberChangeOut, **ERRORS},
    summary="End someone's S&W member role (the organisation admin)",
    description="Warned first, as on the group page: if the group would then break ASH-18 the "
    "change is refused with the warning until it is confirmed.",
)
def sw_member_end(
    request: HttpRequest, slug: Slug, member_id: MemberId, payload: SwMemberEndIn
) -> SwMemberChangeOut:
    org = _group(request, slug)
    _require_membership(request, org)
    assignment = (
        RoleAssignment.objects.current()
        .filter(organisation=org, person_id=member_id, role=Role.SW_MEMBER)
        .select_related("person", "organisation")
        .first()
    )
    if assignment is None:
        raise Http404("This person is not in the S&W group.")
    with _fields(role="ends_on"):
        assignment = services.sw_role_end(
            actor=actor(request),
            organisation=org,
            assignment=assignment,
            ends_on=payload.ends_on,
            reason=payload.reason,
            confirmed=payload.confirm == "yes",
        )
    return _member_change_out(org, assignment)
