"""Pages of the peer support groups: the list of groups one may know, a group's page (its
schedule, venue and upcoming sessions for its members; its members, pool and each session's
staffing for its facilitators and the admin), setting a group up, changing and closing it, the
pool of facilitators, scheduling sessions with the staffing check first (PSP-4, IMHP-1), and
recording that a member left (PSP-10, PSP-11).

Someone in the organisation who may not know a group is answered 404, as if it did not exist;
a member of the group refused a change is answered 403. Views call a service for every change; a
refusal keeps what was typed and writes nothing. GET pages never change anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from commonground.access.policy import standing
from commonground.groups import selectors, services
from commonground.groups.forms import (
    CloseForm,
    FacilitatorAddForm,
    FacilitatorEndForm,
    GroupForm,
    MemberLeaveForm,
    ScheduleForm,
)
from commonground.groups.models import GroupFacilitator, GroupMember, SupportGroup
from commonground.meetings.models import Meeting
from commonground.meetings.staffing import meeting_staffing
from commonground.people.models import Organisation, Person
from commonground.people.selectors import organisation_get
from commonground.policies.registry import rule
from commonground.policies.selectors import organisation_policy
from commonground.web.pages import can, organisation_page, organisation_render, page_renderer

GET = ["GET", "HEAD"]
GET_POST = ["GET", "HEAD", "POST"]
# Upcoming sessions shown on a group's page.
UPCOMING_SHOWN = 8

_page = page_renderer("groups")


def safe_reverse(name: str, **kwargs: Any) -> str | None:
    """The URL of a page another module may add, or None while it does not exist."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


# Pages the other PSP modules add about a group: (label, URL name, the group's id kwarg, for
# whom: "all" who see the group, or "runs" its facilitators and the admin). A page not there
# (yet) is shown as a labelled slot without a link.
GROUP_LINKS = (
    ("The group's guidelines", "peers:group_guidelines", "group_id", "all"),
    ("The group's actions", "groupsessions:group_actions", "pk", "all"),
    ("Absences and keeping in touch", "peers:absences", "group_id", "runs"),
)


def _group_links(
    organisation: Organisation, group: SupportGroup, runs: bool
) -> list[tuple[str, str | None]]:
    return [
        (label, safe_reverse(name, org=organisation.slug, **{kwarg: group.pk}))
        for label, name, kwarg, audience in GROUP_LINKS
        if runs or audience == "all"
    ]


def _session_links(
    organisation: Organisation, group: SupportGroup, session: Meeting, runs: bool, member: bool
) -> dict[str, str | None]:
    """The session's own pages: running it (facilitators), sending apologies (members)."""
    org = organisation.slug
    return {
        "run": safe_reverse("groupsessions:session", org=org, pk=session.pk) if runs else None,
        "apologies": safe_reverse(
            "peers:apologies", org=org, group_id=group.pk, meeting_id=session.pk
        )
        if member
        else None,
    }


def _url(name: str, organisation: Organisation, **kwargs: Any) -> str:
    return reverse(f"groups:{name}", kwargs={"org": organisation.slug, **kwargs})


def _crumbs(
    organisation: Organisation, group: SupportGroup | None = None, *rest: tuple[str, str]
) -> list[tuple[str, str]]:
    crumbs = [(organisation.name, reverse("organisation_home", kwargs={"org": organisation.slug}))]
    crumbs.append(("Groups", _url("group_list", organisation)))
    if group is not None:
        crumbs.append((group.name, _url("group_detail", organisation, pk=group.pk)))
    crumbs.extend(rest)
    crumbs[-1] = (crumbs[-1][0], "")
    return crumbs


def _organisation(request: HttpRequest, org: str) -> Organisation:
    return organisation_get(actor=request.user, slug=org)


def _group(request: HttpRequest, org: str, pk: int) -> tuple[Organisation, SupportGroup]:
    organisation = _organisation(request, org)
    group = selectors.group_get(actor=request.user, organisation=organisation, pk=pk)
    return organisation, group


def _require(request: HttpRequest, perm: str, obj: Any, message: str) -> None:
    if not can(request, perm, obj):
        raise PermissionDenied(message)


def _group_for(
    request: HttpRequest, org: str, pk: int, perm: str, message: str
) -> tuple[Organisation, SupportGroup]:
    """The group (404 if the actor may not know it), then the permission (403 if refused)."""
    organisation, group = _group(request, org, pk)
    _require(request, perm, group, message)
    return organisation, group


def _current_row(model: Any, group: SupportGroup, pk: int, missing: str) -> Any:
    """A current pool or membership row of this group, or 404."""
    row = (
        model.objects.current()
        .filter(group=group, pk=pk)
        .select_related("person", "group__organisation")
        .first()
    )
    if row is None:
        raise Http404(missing)
    return row


def _post(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _form_page(
    request: HttpRequest,
    organisation: Organisation,
    group: SupportGroup | None,
    form: Any,
    act: Callable[[dict[str, Any]], tuple[str, SupportGroup]],
    *,
    title: str,
    submit: str,
    intro: str = "",
) -> HttpResponse:
    """A form page: once the form is valid `act` calls the service and says what it did, then
    the group's page follows; a refusal shows the form again with what was typed."""
    if form.is_bound and form.is_valid():
        try:
            message, group = act(form.cleaned_data)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, message)
            return redirect(_url("group_detail", organisation, pk=group.pk))
    cancel = (
        _url("group_detail", organisation, pk=group.pk)
        if group is not None
        else _url("group_list", organisation)
    )
    return organisation_render(
        request,
        "agreements/form_page.html",
        organisation,
        {
            "title": title,
            "intro": intro,
            "form": form,
            "submit": submit,
            "cancel_url": cancel,
            "breadcrumbs": _crumbs(organisation, group, (title, "")),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# The list and one group --------------------------------------------------------------------------


@organisation_page
@require_http_methods(GET)
def group_list(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _organisation(request, org)
    groups = list(selectors.visible_groups(actor=request.user, organisation=organisation))
    upcoming = selectors.next_sessions(groups)
    return _page(
        request,
        "group_list.html",
        organisation,
        {
            "rows": [(g, upcoming.get(g.pk)) for g in groups],
            "sees_all": can(request, "groups.view_all_groups", organisation),
            "can_add": can(request, "groups.add_group", organisation),
            "breadcrumbs": _crumbs(organisation),
        },
    )


@organisation_page
@require_http_methods(GET)
def group_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, group = _group(request, org, pk)
    in_force = organisation_policy(organisation)
    runs = can(request, "groups.view_members", group)
    member = selectors.is_member(standing(request.user, organisation).person, group)
    sessions = list(selectors.upcoming_sessions(group)[:UPCOMING_SHOWN])
    context: dict[str, Any] = {
        "group": group,
        "facilitators": selectors.current_facilitators(group),
        "sessions": [
            (
                s,
                meeting_staffing(meeting=s, in_force=in_force) if runs else None,
                can(request, "meetings.view_meeting", s),
                _session_links(organisation, group, s, runs, member),
            )
            for s in sessions
        ],
        "links": _group_links(organisation, group, runs),
        "runs": runs,
        "can_change": can(request, "groups.change_group", group),
        "can_pool": can(request, "groups.change_facilitators", group),
        "can_schedule": group.is_open and can(request, "groups.schedule_session", group),
        "can_leave": can(request, "groups.change_members", group),
        "staffing_rules": [rule(r) for r, _ in selectors.staffing_qualifications(in_force)],
        "breadcrumbs": _crumbs(organisation, group),
    }
    if runs:
        context["members"] = selectors.current_members(group)
        context["pool"] = selectors.facilitator_pool(group, in_force)
    return _page(request, "group_detail.html", organisation, context)


# Setting up, changing and closing (the admin) --------------------------------------------------


def _group_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": data["name"],
        "weekday": data["weekday"],
        "start_time": data["start_time"],
        "duration": dt.timedelta(minutes=data["duration_minutes"]),
        "venue": data["venue"],
        "description": data["description"],
    }


@organisation_page
@require_http_methods(GET_POST)
def group_create(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _organisation(request, org)
    _require(request, "groups.add_group", organisation, "Only the admin can set up a group.")

    def act(data: dict[str, Any]) -> tuple[str, SupportGroup]:
        group = services.group_create(
            actor=request.user, organisation=organisation, **_group_fields(data)
        )
        return f"{group.name} is set up. Add its facilitators next.", group

    return _form_page(
        request,
        organisation,
        None,
        GroupForm(_post(request)),
        act,
        title="Set up a group",
        submit="Set up the group",
        intro="A weekly support group: its day, time, length and venue.",
    )


@organisation_page
@require_http_methods(GET_POST)
def group_edit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, group = _group_for(
        request, org, pk, "groups.change_group", "Only the admin can change a group."
    )
    initial = {
        "name": group.name,
        "weekday": group.weekday,
        "start_time": group.start_time,
        "duration_minutes": int(group.duration.total_seconds() // 60),
        "venue": group.venue,
        "description": group.description,
    }

    def act(data: dict[str, Any]) -> tuple[str, SupportGroup]:
        return "The group is changed.", services.group_update(
            actor=request.user, group=group, **_group_fields(data)
        )

    return _form_page(
        request,
        organisation,
        group,
        GroupForm(_post(request), initial=initial),
        act,
        title=f"Change {group.name}",
        submit="Save the changes",
        intro="Sessions already scheduled keep their time and place; change them on each "
        "session's page.",
    )


@organisation_page
@require_http_methods(GET_POST)
def group_close(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, group = _group_for(
        request, org, pk, "groups.change_group", "Only the admin can close a group."
    )

    def act(data: dict[str, Any]) -> tuple[str, SupportGroup]:
        services.group_close(
            actor=request.user, group=group, closed_on=data["closed_on"], reason=data["reason"]
        )
        return f"{group.name} closes on {data['closed_on']:%-d %B %Y}.", group

    return _form_page(
        request,
        organisation,
        group,
        CloseForm(_post(request), initial={"closed_on": timezone.localdate()}),
        act,
        title=f"Close {group.name}",
        submit="Close the group",
        intro="Nobody joins a closed group and no more sessions are scheduled. Sessions already "
        "scheduled stay until they are cancelled on their own pages.",
    )


# The pool of facilitators (the admin) ----------------------------------------------------------


@organisation_page
@require_http_methods(GET_POST)
def facilitator_add(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, group = _group_for(
        request,
        org,
        pk,
        "groups.change_facilitators",
        "Only the admin can change a group's facilitators.",
    )
    candidates = Person.objects.filter(organisation=organisation).exclude(
        pk__in=selectors.facilitator_ids(group.pk)
    )

    def act(data: dict[str, Any]) -> tuple[str, SupportGroup]:
        services.facilitator_add(
            actor=request.user, group=group, person=data["person"], starts_on=data["starts_on"]
        )
        return f"{data['person'].display_name} joins the pool of facilitators.", group

    return _form_page(
        request,
        organisation,
        group,
        FacilitatorAddForm(
            _post(request), initial={"starts_on": timezone.localdate()}, candidates=candidates
        ),
        act,
        title="Add a facilitator to the pool",
        submit="Add to the pool",
        intro="Facilitators are peers too. Each session is co-facilitated by two from the pool "
        "who hold the training the policy names (PSP-4).",
    )


@organisation_page
@require_http_methods(GET_POST)
def facilitator_end(request: HttpRequest, org: str, pk: int, facilitator_pk: int) -> HttpResponse:
    organisation, group = _group_for(
        request,
        org,
        pk,
        "groups.change_facilitators",
        "Only the admin can change a group's facilitators.",
    )
    row = _current_row(
        GroupFacilitator, group, facilitator_pk, "No such facilitator in this group's pool."
    )

    def act(data: dict[str, Any]) -> tuple[str, SupportGroup]:
        services.facilitator_end(
            actor=request.user, facilitator=row, ends_on=data["ends_on"], reason=data["reason"]
        )
        return f"{row.person.display_name} leaves the pool.", group

    return _form_page(
        request,
        organisation,
        group,
        FacilitatorEndForm(_post(request), initial={"ends_on": timezone.localdate()}),
        act,
        title=f"{row.person.display_name} stops facilitating",
        submit="End their place in the pool",
        intro="Sessions they are already down to facilitate keep them until changed on each "
        "session's page; the staffing recheck warns before the day.",
    )


# Scheduling sessions (PSP-4, IMHP-1) -------------------------------------------------------------


@organisation_page
@require_http_methods(GET_POST)
def session_schedule(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, group = _group_for(
        request,
        org,
        pk,
        "groups.schedule_session",
        "Only the group's facilitators or the admin can schedule its sessions.",
    )
    in_force = organisation_policy(organisation)
    pool = selectors.facilitator_pool(group, in_force)
    form = ScheduleForm(_post(request), pool=[m.person for m in pool])
    checked: list[Any] = []
    status = 200
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        facilitators = list(data["facilitators"])
        starts = services.session_starts(group, data["weeks"])
        checked = services.sessions_check(
            group=group, facilitators=facilitators, starts=starts, in_force=in_force
        )
        if request.POST.get("action") != "check":
            try:
                created = services.sessions_schedule(
                    actor=request.user,
                    group=group,
                    facilitators=facilitators,
                    weeks=data["weeks"],
                    confirmed=data["confirm"],
                    in_force=in_force,
                )
            except ValidationError as exc:
                form.add_service_error(exc)
                status = 400
            else:
                count = len(created)
                messages.success(
                    request,
                    f"{count} session{'s' if count != 1 else ''} scheduled; every member is "
                    "invited.",
                )
                return redirect(_url("group_detail", organisation, pk=group.pk))
    elif form.is_bound:
        status = 400
    return _page(
        request,
        "session_schedule.html",
        organisation,
        {
            "group": group,
            "form": form,
            "pool": pool,
            "checked": checked,
            "warn": any(not p.refuses for _, problems in checked for p in problems),
            "refused": any(p.refuses for _, problems in checked for p in problems),
            "starts": services.session_starts(group, 1)[0],
            "staffing_rules": [rule(r) for r, _ in selectors.staffing_qualifications(in_force)],
            "breadcrumbs": _crumbs(organisation, group, ("Schedule sessions", "")),
        },
        status=status,
    )


# A member leaving (PSP-10, PSP-11) ----------------------------------------------------------------


@organisation_page
@require_http_methods(GET_POST)
def member_leave(request: HttpRequest, org: str, pk: int, member_pk: int) -> HttpResponse:
    organisation, group = _group_for(
        request,
        org,
        pk,
        "groups.change_members",
        "Only the group's facilitators or the admin record a member leaving.",
    )
    member = _current_row(GroupMember, group, member_pk, "No such member of this group.")

    def act(data: dict[str, Any]) -> tuple[str, SupportGroup]:
        services.member_leave(
            actor=request.user, member=member, ends_on=data["ends_on"], reason=data["reason"]
        )
        return f"{member.person.display_name} has left the group.", group

    return _form_page(
        request,
        organisation,
        group,
        MemberLeaveForm(_post(request), initial={"ends_on": timezone.localdate()}),
        act,
        title=f"{member.person.display_name} leaves the group",
        submit="Record leaving",
        intro="Peers let the group know when they intend to leave (PSP-10); the relationship is "
        "open-ended until they feel ready to move on (PSP-11). A reason is optional.",
    )
