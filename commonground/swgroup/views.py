"""Pages of the S&W group: its health (ASH-18), membership changes with a warning first, its
meetings and step-back flags (ASH-21), the policy review (ASH-27), the budget and ledger (ASH-23)
and spending requests with their approvals (ASH-22).

Every page is for the group's members and the organisation admin (403 for anyone else in the
organisation, 404 for other organisations). Views call a service for every change; a refusal
keeps what was typed and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from commonground.access.policy import standing
from commonground.casework.models import Case
from commonground.casework.selectors_core import current_supporter_ids
from commonground.people.models import Organisation, Person, RoleAssignment
from commonground.people.roles import Role
from commonground.people.selectors import organisation_get
from commonground.policies.registry import rule
from commonground.policies.selectors import OrganisationPolicy, organisation_policy
from commonground.policies.services import policy_review_record
from commonground.swgroup import selectors, services
from commonground.swgroup.forms import (
    BudgetForm,
    GroupMeetingForm,
    ReviewForm,
    RoleEndForm,
    RoleGiveForm,
    SpendingRequestForm,
)
from commonground.swgroup.health import GroupHealth, sw_group_health, sw_member_ids
from commonground.swgroup.models import LedgerEntry, SpendingRequest
from commonground.web.pages import can, organisation_page, page_renderer

PAGE_SIZE = 50


def _group(request: HttpRequest, org: str) -> Organisation:
    organisation = organisation_get(actor=request.user, slug=org)
    selectors.group_require(request.user, organisation)
    return organisation


def _url(name: str, organisation: Organisation, **kwargs: Any) -> str:
    return reverse(f"swgroup:{name}", kwargs={"org": organisation.slug, **kwargs})


def _crumbs(organisation: Organisation, *rest: tuple[str, str]) -> list[tuple[str, str]]:
    home = (organisation.name, reverse("organisation_home", kwargs={"org": organisation.slug}))
    if not rest:
        return [home, ("Support & Wellbeing group", "")]
    return [home, ("Support & Wellbeing group", _url("group", organisation)), *rest]


_page = page_renderer("swgroup")


def _why(in_force: OrganisationPolicy, rule_id: str, *params: str) -> dict[str, Any]:
    """The "why" of a page: the rule, the numbers in force (and whether changed here), the clause."""
    numbers = []
    for name in params:
        override = in_force.override(rule_id, name)
        numbers.append(
            {
                "name": name.replace("_", " "),
                "value": in_force.value(rule_id, name),
                "changed": override is not None and override.value is not None,
            }
        )
    return {"rule": rule(rule_id), "numbers": numbers}


def _health_why(in_force: OrganisationPolicy) -> dict[str, Any]:
    return _why(in_force, "ASH-18", "minimum_members", "target_members", "women_share_at_least")


# ASH-18: the group and its health --------------------------------------------------------------


@organisation_page
@require_http_methods(["GET", "HEAD"])
def group(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _group(request, org)
    in_force = organisation_policy(organisation)
    health = sw_group_health(organisation, in_force=in_force)
    assignments = {
        a.person_id: a
        for a in RoleAssignment.objects.current()
        .filter(organisation=organisation, role=Role.SW_MEMBER)
        .order_by("starts_on")
    }
    flags = [a for a in selectors.attendance(organisation, in_force) if a.flagged]
    review = selectors.review_obligation(organisation)
    return _page(
        request,
        "group.html",
        organisation,
        {
            "health": health,
            "why": _health_why(in_force),
            "members": [(p, assignments.get(p.pk)) for p in health.members],
            "flags": flags,
            "review": review,
            "can_change": can(request, "swgroup.change_membership", organisation),
            "breadcrumbs": _crumbs(organisation),
        },
    )


def _warning_context(after: GroupHealth, before: GroupHealth) -> dict[str, Any]:
    return {"after": after, "before": before, "warn": not after.healthy}


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def member_end(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation = _group(request, org)
    if not can(request, "swgroup.change_membership", organisation):
        raise PermissionDenied("Only the organisation admin can change who is in the S&W group.")
    person = Person.objects.filter(organisation=organisation, pk=pk).first()
    assignment = (
        RoleAssignment.objects.current()
        .filter(organisation=organisation, person_id=pk, role=Role.SW_MEMBER)
        .select_related("person", "organisation")
        .first()
    )
    if person is None or assignment is None:
        raise Http404("This person is not in the S&W group.")
    in_force = organisation_policy(organisation)
    today = timezone.localdate()
    form = RoleEndForm(
        request.POST if request.method == "POST" else None, initial={"ends_on": today}
    )
    ends_on = today
    if form.is_bound and form.is_valid():
        ends_on = form.cleaned_data["ends_on"]
    after = sw_group_health(
        organisation, without=person, on=ends_on + dt.timedelta(days=1), in_force=in_force
    )
    if form.is_bound and form.is_valid():
        try:
            services.sw_role_end(
                actor=request.user,
                organisation=organisation,
                assignment=assignment,
                ends_on=ends_on,
                reason=form.cleaned_data["reason"],
                confirmed=form.cleaned_data["confirm"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request, f"{person.display_name}'s S&W role ends on {ends_on:%-d %B %Y}."
            )
            return redirect(_url("group", organisation))
    return _page(
        request,
        "member_change.html",
        organisation,
        {
            "title": f"End {person.display_name}'s place in the group",
            "form": form,
            "submit": "End the role",
            **_warning_context(after, sw_group_health(organisation, in_force=in_force)),
            "why": _health_why(in_force),
            "breadcrumbs": _crumbs(organisation, ("End a member's role", "")),
        },
    )


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def member_add(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _group(request, org)
    if not can(request, "swgroup.change_membership", organisation):
        raise PermissionDenied("Only the organisation admin can change who is in the S&W group.")
    in_force = organisation_policy(organisation)
    today = timezone.localdate()
    members = sw_member_ids(organisation)
    candidates = Person.objects.filter(organisation=organisation).exclude(pk__in=members)
    form = RoleGiveForm(
        request.POST if request.method == "POST" else None,
        initial={"starts_on": today},
        candidates=candidates,
    )
    after = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        after = sw_group_health(
            organisation, adding=data["person"], on=data["starts_on"], in_force=in_force
        )
        try:
            services.sw_role_give(
                actor=request.user,
                organisation=organisation,
                person=data["person"],
                starts_on=data["starts_on"],
                note=data["note"],
                confirmed=data["confirm"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"{data['person'].display_name} joins the S&W group.")
            return redirect(_url("group", organisation))
    before = sw_group_health(organisation, in_force=in_force)
    return _page(
        request,
        "member_change.html",
        organisation,
        {
            "title": "Add someone to the group",
            "form": form,
            "submit": "Give the S&W role",
            "after": after,
            "before": before,
            "warn": after is not None and not after.healthy,
            "why": _health_why(in_force),
            "breadcrumbs": _crumbs(organisation, ("Add a member", "")),
        },
    )


# ASH-21: meetings and attendance ----------------------------------------------------------------


@organisation_page
@require_http_methods(["GET", "HEAD"])
def attendance(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _group(request, org)
    in_force = organisation_policy(organisation)
    meetings = selectors.group_meetings(organisation)
    page_obj = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    return _page(
        request,
        "attendance.html",
        organisation,
        {
            "rows": selectors.attendance(organisation, in_force),
            "meetings": page_obj.object_list,
            "page_obj": page_obj,
            "why": _why(in_force, "ASH-21", "consecutive_misses"),
            "can_schedule": can(request, "swgroup.schedule_meeting", organisation),
            "breadcrumbs": _crumbs(organisation, ("Meetings and attendance", "")),
        },
    )


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def meeting_create(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _group(request, org)
    if not can(request, "swgroup.schedule_meeting", organisation):
        raise PermissionDenied("Only S&W group members or the admin can schedule its meetings.")
    members = Person.objects.filter(pk__in=sw_member_ids(organisation))
    own = standing(request.user, organisation).person
    form = GroupMeetingForm(
        request.POST if request.method == "POST" else None,
        members=members,
        initial={"convenor": own.pk if own else None},
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.group_meeting_schedule(
                actor=request.user,
                organisation=organisation,
                starts_at=data["starts_at"],
                duration=dt.timedelta(minutes=data["duration_minutes"]),
                convenor=data["convenor"],
                place=data["place"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "The meeting is scheduled and every member is invited.")
            return redirect(
                reverse(
                    "meetings:meeting_detail", kwargs={"org": organisation.slug, "pk": meeting.pk}
                )
            )
    return _page(
        request,
        "form_page.html",
        organisation,
        {
            "title": "Schedule a group meeting",
            "intro": "Every current member of the S&W group is invited. Attendance is recorded "
            "on the meeting's page afterwards.",
            "form": form,
            "submit": "Schedule the meeting",
            "cancel_url": _url("attendance", organisation),
            "breadcrumbs": _crumbs(
                organisation,
                ("Meetings and attendance", _url("attendance", organisation)),
                ("Schedule a meeting", ""),
            ),
        },
    )


# ASH-27: the annual policy review ---------------------------------------------------------------


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def review(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _group(request, org)
    if not can(request, "policies.change_policy", organisation):
        raise PermissionDenied("Only the organisation admin records a policy review.")
    in_force = organisation_policy(organisation)
    open_review = selectors.review_obligation(organisation)
    form = ReviewForm(
        request.POST if request.method == "POST" else None,
        initial={"reviewed_on": timezone.localdate()},
    )
    if form.is_bound and form.is_valid():
        try:
            policy_review_record(
                actor=request.user,
                organisation=organisation,
                policy="ASH",
                reviewed_on=form.cleaned_data["reviewed_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "The review is recorded and the next one is scheduled.")
            return redirect(_url("group", organisation))
    return _page(
        request,
        "review.html",
        organisation,
        {
            "form": form,
            "review": open_review,
            "last": selectors.last_review(organisation),
            "why": _why(in_force, "ASH-27", "review_every"),
            "breadcrumbs": _crumbs(organisation, ("Policy review", "")),
        },
    )


# ASH-23: the budget and its ledger ---------------------------------------------------------------


def _chosen_budget(request: HttpRequest, organisation: Organisation) -> Any:
    chosen = request.GET.get("budget", "")
    if chosen.isdigit():
        found = next((b for b in selectors.budgets(organisation) if str(b.pk) == chosen), None)
        if found is None:
            raise Http404("No such budget.")
        return found
    return selectors.budget_current(organisation) or next(
        iter(selectors.budgets(organisation)), None
    )


@organisation_page
@require_http_methods(["GET", "HEAD"])
def budget(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _group(request, org)
    in_force = organisation_policy(organisation)
    chosen = _chosen_budget(request, organisation)
    return _page(
        request,
        "budget.html",
        organisation,
        {
            "summary": selectors.budget_summary(chosen, in_force) if chosen else None,
            "budgets": selectors.budgets(organisation),
            "why": _why(in_force, "ASH-23", "budget_period", "categories"),
            "can_set": can(request, "swgroup.set_budget", organisation),
            "breadcrumbs": _crumbs(organisation, ("Budget", "")),
        },
    )


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def budget_set(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _group(request, org)
    if not can(request, "swgroup.set_budget", organisation):
        raise PermissionDenied("Only the organisation admin allocates the S&W group's budget.")
    in_force = organisation_policy(organisation)
    names = services.categories(in_force)
    current = selectors.budget_current(organisation)
    initial: dict[str, Any] = {"starts_on": current.starts_on if current else timezone.localdate()}
    if current is not None:
        for line in current.lines.all():
            initial[line.category] = f"{line.allocated_pence / 100:.2f}"
    form = BudgetForm(
        request.POST if request.method == "POST" else None, initial=initial, categories=names
    )
    if form.is_bound and form.is_valid():
        try:
            services.budget_set(
                actor=request.user,
                organisation=organisation,
                starts_on=form.cleaned_data["starts_on"],
                amounts=form.amounts(),
                in_force=in_force,
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "The budget is saved.")
            return redirect(_url("budget", organisation))
    return _page(
        request,
        "form_page.html",
        organisation,
        {
            "title": "Set the annual budget",
            "intro": "An amount for each of the policy's categories (ASH-23). Setting the budget "
            "for the same start date again changes its amounts.",
            "form": form,
            "submit": "Save the budget",
            "cancel_url": _url("budget", organisation),
            "breadcrumbs": _crumbs(
                organisation, ("Budget", _url("budget", organisation)), ("Set the budget", "")
            ),
        },
    )


@organisation_page
@require_http_methods(["GET", "HEAD"])
def ledger(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _group(request, org)
    in_force = organisation_policy(organisation)
    chosen = _chosen_budget(request, organisation)
    entries = selectors.ledger(chosen) if chosen else LedgerEntry.objects.none()
    page_obj = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return _page(
        request,
        "ledger.html",
        organisation,
        {
            "summary": selectors.budget_summary(chosen, in_force) if chosen else None,
            "entries": page_obj.object_list,
            "page_obj": page_obj,
            "querystring_without_page": f"budget={chosen.pk}&" if chosen else "",
            "breadcrumbs": _crumbs(
                organisation, ("Budget", _url("budget", organisation)), ("Ledger", "")
            ),
        },
    )


# ASH-22: spending requests --------------------------------------------------------------------


@organisation_page
@require_http_methods(["GET", "HEAD"])
def spending_list(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _group(request, org)
    in_force = organisation_policy(organisation)
    page_obj = Paginator(selectors.spending_requests(organisation), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    needed, outside = services.approvals_needed(in_force)
    return _page(
        request,
        "spending_list.html",
        organisation,
        {
            "requests": page_obj.object_list,
            "page_obj": page_obj,
            "needed": needed,
            "outside": outside,
            "why": _why(in_force, "ASH-22", "approvers_min", "approvers_outside_case_min"),
            "can_request": can(request, "swgroup.request_spending", organisation),
            "breadcrumbs": _crumbs(organisation, ("Spending requests", "")),
        },
    )


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def spending_create(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _group(request, org)
    if not can(request, "swgroup.request_spending", organisation):
        raise PermissionDenied("Only members of the S&W group can ask for the group's money.")
    in_force = organisation_policy(organisation)
    form = SpendingRequestForm(
        request.POST if request.method == "POST" else None,
        categories=services.categories(in_force),
        cases=Case.objects.filter(organisation=organisation).exclude(stage=Case.Stage.CLOSED),
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.spending_request_create(
                actor=request.user,
                organisation=organisation,
                category=data["category"],
                amount_pence=data["amount"],
                reason=data["reason"],
                case=data["case"],
                emergency=data["emergency"],
                in_force=in_force,
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "The request is made. Other members are asked to agree.")
            return redirect(_url("spending_detail", organisation, pk=created.pk))
    return _page(
        request,
        "form_page.html",
        organisation,
        {
            "title": "Ask for money from the budget",
            "intro": "Spending needs the agreement of group members, at least one of them not "
            "supporting the case (ASH-22). Asking is not agreeing: agree on the request's page.",
            "form": form,
            "submit": "Make the request",
            "cancel_url": _url("spending_list", organisation),
            "breadcrumbs": _crumbs(
                organisation,
                ("Spending requests", _url("spending_list", organisation)),
                ("New request", ""),
            ),
        },
    )


@organisation_page
@require_http_methods(["GET", "HEAD"])
def spending_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    found = selectors.spending_request_get(actor=request.user, organisation=organisation, pk=pk)
    return _spending_detail_page(request, organisation, found)


def _spending_detail_page(
    request: HttpRequest, organisation: Organisation, found: SpendingRequest, error: str = ""
) -> HttpResponse:
    in_force = organisation_policy(organisation)
    needed, outside_needed = services.approvals_needed(in_force)
    own = standing(request.user, organisation).person
    approvals = list(found.approvals.all())
    members = sw_member_ids(organisation)
    supporters = current_supporter_ids(found.case_id) if found.case_id else set()
    counted = [a for a in approvals if a.approver_id in members]
    outside = [a for a in counted if a.approver_id not in supporters]
    mine = own is not None and any(a.approver_id == own.pk for a in approvals)
    return _page(
        request,
        "spending_detail.html",
        organisation,
        {
            "item": found,
            "approvals": approvals,
            "counted": len(counted),
            "outside": len(outside),
            "needed": needed,
            "outside_needed": outside_needed,
            "supporters": supporters,
            # ASH-22: only current members' agreement counts; the rest are shown as having left.
            "members": members,
            "mine": mine,
            "error": error,
            "can_approve": found.status == SpendingRequest.Status.PENDING
            and not mine
            and can(request, "swgroup.approve_spending", organisation),
            "can_withdraw": found.status == SpendingRequest.Status.PENDING
            and can(request, "swgroup.withdraw_spending", found),
            "why": _why(in_force, "ASH-22", "approvers_min", "approvers_outside_case_min"),
            "breadcrumbs": _crumbs(
                organisation,
                ("Spending requests", _url("spending_list", organisation)),
                (f"Request {found.pk}", ""),
            ),
        },
    )


@organisation_page
@require_POST
def spending_withdraw(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    found = selectors.spending_request_get(actor=request.user, organisation=organisation, pk=pk)
    try:
        services.spending_withdraw(
            actor=request.user, request=found, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        response = _spending_detail_page(request, organisation, found, " ".join(exc.messages))
        response.status_code = 400
        return response
    messages.success(request, "The request is withdrawn; it can no longer be agreed to.")
    return redirect(_url("spending_detail", organisation, pk=pk))


@organisation_page
@require_POST
def spending_approve(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    found = selectors.spending_request_get(actor=request.user, organisation=organisation, pk=pk)
    try:
        result = services.spending_approve(actor=request.user, request=found)
    except ValidationError as exc:
        found = selectors.spending_request_get(actor=request.user, organisation=organisation, pk=pk)
        response = _spending_detail_page(request, organisation, found, " ".join(exc.messages))
        response.status_code = 400
        return response
    if result.status == SpendingRequest.Status.APPROVED:
        messages.success(request, "You agreed. That is enough agreement: the money is spent.")
    else:
        messages.success(request, "You agreed. The request waits for more agreement.")
    return redirect(_url("spending_detail", organisation, pk=pk))
