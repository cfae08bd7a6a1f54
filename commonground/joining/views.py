"""The way-in pages: the list of everyone on the way in (facilitators and the admin), a journey
with each step, its date and the rule's "why", a form for each step, and a peer's own page.

The peer's own view never shows other people's details: not the group's members, not whether a
declared name matched. Views call a service for every change; a refusal keeps what was typed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from commonground.access.policy import standing
from commonground.groups.models import GroupFacilitator, SupportGroup
from commonground.groups.selectors import current_members
from commonground.joining import selectors, services
from commonground.joining.forms import (
    AgreeForm,
    ConversationForm,
    DeclareForm,
    EnquiryForm,
    JoinForm,
    NameCheckForm,
    OutcomeForm,
    WorkshopForm,
    WorkshopInviteForm,
)
from commonground.joining.models import GroupAttempt, PeerJourney
from commonground.joining.selectors import STAGE_LABELS, WAY_IN_RULES, Progress
from commonground.people.models import Organisation, Person, RoleAssignment
from commonground.people.roles import Role
from commonground.people.selectors import organisation_get
from commonground.policies.selectors import OrganisationPolicy, organisation_policy
from commonground.web.pages import can, organisation_page, page_renderer

_page = page_renderer("joining")
GET = ["GET", "HEAD"]
FORM = ["GET", "HEAD", "POST"]


def _url(name: str, organisation: Organisation, **kwargs: Any) -> str:
    return reverse(f"joining:{name}", kwargs={"org": organisation.slug, **kwargs})


def _crumbs(organisation: Organisation, *rest: tuple[str, str]) -> list[tuple[str, str]]:
    home = (organisation.name, reverse("organisation_home", kwargs={"org": organisation.slug}))
    if not rest:
        return [home, ("The way into a group", "")]
    return [home, ("The way into a group", _url("way_in", organisation)), *rest]


def _journey_crumbs(journey: PeerJourney, label: str) -> list[tuple[str, str]]:
    org = journey.organisation
    return _crumbs(
        org,
        (journey.person.display_name, _url("journey", org, pk=journey.pk)),
        (label, ""),
    )


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _require(request: HttpRequest, perm: str, obj: Any, message: str) -> None:
    if not can(request, perm, obj):
        raise PermissionDenied(message)


def _whys(in_force: OrganisationPolicy) -> dict[str, dict[str, Any]]:
    return {rule_id: selectors.why(in_force, rule_id) for rule_id in WAY_IN_RULES}


def _form_page(
    request: HttpRequest,
    organisation: Organisation,
    *,
    title: str,
    form: Any,
    submit: str,
    cancel_url: str,
    crumbs: list[tuple[str, str]],
    intro: str = "",
    why: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    context = {
        "title": title,
        "form": form,
        "submit": submit,
        "cancel_url": cancel_url,
        "breadcrumbs": crumbs,
        "intro": intro,
        "why": why,
    }
    return _page(request, "form_page.html", organisation, context | (extra or {}))


def _changeable_groups(request: HttpRequest, organisation: Organisation) -> Any:
    """The open groups whose members the actor may change (their own groups; all for the admin)."""
    groups = SupportGroup.objects.filter(organisation=organisation, closed_on__isnull=True)
    if standing(request.user, organisation).is_admin:
        return groups
    mine = standing(request.user, organisation).person
    own = (
        GroupFacilitator.objects.current()
        .filter(person=mine, group__organisation=organisation)
        .values_list("group_id", flat=True)
        if mine is not None
        else []
    )
    return groups.filter(pk__in=list(own))


# The way-in list and the journey --------------------------------------------------------------


@organisation_page
@require_http_methods(GET)
def way_in(request: HttpRequest, org: str) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    in_force = organisation_policy(organisation)
    rows = selectors.way_in(actor=request.user, organisation=organisation, in_force=in_force)
    by_stage: dict[str, list[Progress]] = {key: [] for key in STAGE_LABELS}
    for row in rows:
        by_stage[row.stage].append(row)
    return _page(
        request,
        "way_in.html",
        organisation,
        {
            "stages": [(STAGE_LABELS[k], k, v) for k, v in by_stage.items()],
            "count": len(rows),
            "whys": _whys(in_force),
            "breadcrumbs": _crumbs(organisation),
        },
    )


def _journey_page(
    request: HttpRequest, organisation: Organisation, journey: PeerJourney, *, own_view: bool
) -> HttpResponse:
    in_force = organisation_policy(organisation)
    whys = _whys(in_force)
    progress = selectors.progress_get(journey, in_force)
    attempt = progress.attempt
    can_change_group = attempt is not None and can(request, "groups.change_members", attempt.group)
    if can_change_group and attempt is not None and attempt.outcome_note:
        from commonground.audit.services import audit_read

        audit_read(
            actor=request.user,
            organisation=organisation,
            instance=attempt,
            fields=["outcome_note"],
        )
    return _page(
        request,
        "journey.html",
        organisation,
        {
            "journey": journey,
            "progress": progress,
            "steps": [
                step | {"why": whys.get(step["rule"])}
                for step in selectors.journey_steps(progress, own_view=own_view)
            ],
            "own_view": own_view,
            "attempt": attempt,
            "can_manage": not own_view and can(request, "joining.manage_journey", journey),
            "can_change_group": can_change_group and not own_view,
            "can_declare": attempt is not None
            and attempt.is_open
            and can(request, "joining.declare_names", journey),
            "breadcrumbs": _crumbs(
                organisation,
                ("My way into a group" if own_view else journey.person.display_name, ""),
            ),
        },
    )


@organisation_page
@require_http_methods(GET)
def journey(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    found = selectors.journey_get(actor=request.user, organisation=organisation, pk=pk)
    own = standing(request.user, organisation).person
    own_view = (
        own is not None
        and own.pk == found.person_id
        and not can(request, "joining.manage_journey", found)
    )
    return _journey_page(request, organisation, found, own_view=own_view)


@organisation_page
@require_http_methods(GET)
def mine(request: HttpRequest, org: str) -> HttpResponse:
    """Where am I on the way in: the peer's own journey, with nobody else's details."""
    organisation = organisation_get(actor=request.user, slug=org)
    found = selectors.own_journey(actor=request.user, organisation=organisation)
    if found is None:
        return _page(
            request,
            "mine_none.html",
            organisation,
            {"breadcrumbs": _crumbs(organisation, ("My way into a group", ""))},
        )
    return _journey_page(request, organisation, found, own_view=True)


# Enquiry --------------------------------------------------------------------------------------


@organisation_page
@require_http_methods(FORM)
def enquiry(request: HttpRequest, org: str) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    _require(
        request,
        "joining.record_enquiry",
        organisation,
        "Only facilitators and the admin record enquiries.",
    )
    candidates = Person.objects.filter(organisation=organisation).exclude(
        pk__in=PeerJourney.objects.filter(organisation=organisation).values("person_id")
    )
    form = EnquiryForm(
        _data(request), candidates=candidates, initial={"enquired_on": timezone.localdate()}
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.journey_enquire(
                actor=request.user,
                organisation=organisation,
                person=data["person"],
                full_name=data["full_name"],
                preferred_name=data["preferred_name"],
                email=data["email"],
                phone=data["phone"],
                enquired_on=data["enquired_on"],
                note=data["note"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"{created.person.display_name} is on the way in.")
            return redirect(_url("journey", organisation, pk=created.pk))
    return _form_page(
        request,
        organisation,
        title="Record an enquiry",
        intro="Someone would like to join a group. Choose them if they are known already, or "
        "give a new person's name and how to reach them.",
        form=form,
        submit="Record the enquiry",
        cancel_url=_url("way_in", organisation),
        crumbs=_crumbs(organisation, ("Record an enquiry", "")),
    )


# PSP-1: workshops -----------------------------------------------------------------------------


def _workshop_facilitators(organisation: Organisation) -> list[Person]:
    role_people = RoleAssignment.objects.current().filter(
        organisation=organisation, role=Role.FACILITATOR
    )
    pool = GroupFacilitator.objects.current().filter(group__organisation=organisation)
    ids = set(role_people.values_list("person_id", flat=True)) | set(
        pool.values_list("person_id", flat=True)
    )
    return list(Person.objects.filter(pk__in=ids).order_by("full_name", "pk"))


@organisation_page
@require_http_methods(GET)
def workshops(request: HttpRequest, org: str) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    _require(
        request, "joining.manage_journey", organisation, "Only facilitators and the admin see this."
    )
    in_force = organisation_policy(organisation)
    return _page(
        request,
        "workshops.html",
        organisation,
        {
            "workshops": list(selectors.workshops(organisation)[:50]),
            "why": selectors.why(in_force, "PSP-1"),
            "breadcrumbs": _crumbs(organisation, ("Workshops", "")),
        },
    )


@organisation_page
@require_http_methods(FORM)
def workshop_create(request: HttpRequest, org: str) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    _require(
        request,
        "joining.manage_journey",
        organisation,
        "Only facilitators and the admin schedule workshops.",
    )
    in_force = organisation_policy(organisation)
    form = WorkshopForm(_data(request), facilitators=_workshop_facilitators(organisation))
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.workshop_schedule(
                actor=request.user,
                organisation=organisation,
                starts_at=data["starts_at"],
                facilitators=list(data["facilitators"]),
                place=data["place"],
                in_force=in_force,
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request, "The workshop is scheduled. Invite people from their journey."
            )
            return redirect(
                reverse("meetings:meeting_detail", kwargs={"org": org, "pk": meeting.pk})
            )
    length = services.workshop_length(in_force)
    return _form_page(
        request,
        organisation,
        title="Schedule an Introduction to Group Work workshop",
        intro=f"The workshop lasts {int(length.total_seconds() // 3600)} hours (PSP-1) and is "
        "co-facilitated by two trained facilitators (PSP-4).",
        form=form,
        submit="Schedule the workshop",
        cancel_url=_url("workshops", organisation),
        crumbs=_crumbs(
            organisation, ("Workshops", _url("workshops", organisation)), ("Schedule", "")
        ),
        why=selectors.why(in_force, "PSP-1"),
    )


def _managed_journey(request: HttpRequest, org: str, pk: int) -> tuple[Organisation, PeerJourney]:
    organisation = organisation_get(actor=request.user, slug=org)
    found = selectors.journey_get(actor=request.user, organisation=organisation, pk=pk)
    _require(
        request,
        "joining.manage_journey",
        found,
        "Only facilitators and the admin move someone along the way in.",
    )
    return organisation, found


@organisation_page
@require_http_methods(FORM)
def workshop_invite(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, found = _managed_journey(request, org, pk)
    form = WorkshopInviteForm(_data(request), workshops=selectors.upcoming_workshops(organisation))
    if form.is_bound and form.is_valid():
        try:
            services.workshop_invite(
                actor=request.user, journey=found, workshop=form.cleaned_data["workshop"]
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"{found.person.display_name} is invited to the workshop.")
            return redirect(_url("journey", organisation, pk=found.pk))
    return _form_page(
        request,
        organisation,
        title=f"Invite {found.person.display_name} to a workshop",
        intro="Attendance is recorded on the workshop's meeting page afterwards; "
        "“attended” there is what PSP-1 counts.",
        form=form,
        submit="Invite",
        cancel_url=_url("journey", organisation, pk=found.pk),
        crumbs=_journey_crumbs(found, "Invite to a workshop"),
        why=selectors.why(organisation_policy(organisation), "PSP-1"),
    )


# PSP-2: the initial conversation --------------------------------------------------------------


@organisation_page
@require_http_methods(FORM)
def conversation(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, found = _managed_journey(request, org, pk)
    groups = _changeable_groups(request, organisation)
    if not groups.exists() and not standing(request.user, organisation).is_admin:
        raise PermissionDenied(
            "Only the group's facilitators or the admin arrange its initial conversations."
        )
    in_force = organisation_policy(organisation)
    pool = GroupFacilitator.objects.current().filter(group__in=groups).select_related("person")
    facilitators = {row.person_id: row.person for row in pool}.values()
    shortest, longest = services.conversation_lengths(in_force)
    form = ConversationForm(
        _data(request),
        groups=groups,
        facilitators=facilitators,
        initial={"duration_minutes": int(longest.total_seconds() // 60), "mode": "in_person"},
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            attempt, warnings = services.conversation_arrange(
                actor=request.user,
                journey=found,
                group=data["group"],
                starts_at=data["starts_at"],
                duration=dt.timedelta(minutes=data["duration_minutes"]),
                mode=data["mode"],
                facilitators=list(data["facilitators"]),
                place=data["place"],
                in_force=in_force,
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            for warning in warnings:
                messages.warning(request, warning)
            messages.success(
                request, f"The initial conversation with {attempt.group.name} is arranged."
            )
            return redirect(_url("journey", organisation, pk=found.pk))
    return _form_page(
        request,
        organisation,
        title=f"Arrange {found.person.display_name}'s initial conversation",
        intro=f"With the group's own facilitators, in person, by video or by telephone; usually "
        f"{int(shortest.total_seconds() // 60)} to {int(longest.total_seconds() // 60)} minutes. "
        "It is not an interview: it helps them decide whether joining is right for them now.",
        form=form,
        submit="Arrange the conversation",
        cancel_url=_url("journey", organisation, pk=found.pk),
        crumbs=_journey_crumbs(found, "Arrange the initial conversation"),
        why=selectors.why(in_force, "PSP-2"),
    )


def _group_attempt(request: HttpRequest, org: str, pk: int) -> tuple[Organisation, GroupAttempt]:
    organisation = organisation_get(actor=request.user, slug=org)
    attempt = selectors.attempt_get(actor=request.user, organisation=organisation, pk=pk)
    _require(
        request,
        "groups.change_members",
        attempt.group,
        "Only the group's facilitators or the admin do this step.",
    )
    return organisation, attempt


@organisation_page
@require_http_methods(FORM)
def outcome(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, attempt = _group_attempt(request, org, pk)
    form = OutcomeForm(_data(request))
    if form.is_bound and form.is_valid():
        try:
            services.conversation_outcome(
                actor=request.user,
                attempt=attempt,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "The outcome of the conversation is recorded.")
            return redirect(_url("journey", organisation, pk=attempt.journey_id))
    return _form_page(
        request,
        organisation,
        title=f"Outcome of the conversation with {attempt.group.name}",
        intro="“Not now” closes this way in kindly; they can come back to it whenever they "
        "are ready.",
        form=form,
        submit="Record the outcome",
        cancel_url=_url("journey", organisation, pk=attempt.journey_id),
        crumbs=_journey_crumbs(attempt.journey, "Conversation outcome"),
        why=selectors.why(organisation_policy(organisation), "PSP-2"),
    )


# PSP-3: the name-check ------------------------------------------------------------------------


@organisation_page
@require_http_methods(FORM)
def declare(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    attempt = selectors.attempt_get(actor=request.user, organisation=organisation, pk=pk)
    _require(
        request,
        "joining.declare_names",
        attempt.journey,
        "Only the peer or the facilitators can write this down.",
    )
    own = standing(request.user, organisation).person
    by_peer = own is not None and own.pk == attempt.journey.person_id
    form = DeclareForm(_data(request))
    if form.is_bound and form.is_valid():
        try:
            services.names_declare(
                actor=request.user, attempt=attempt, names=form.cleaned_data["names"]
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Thank you. The facilitators will be in touch.")
            target = "mine" if by_peer else "journey"
            kwargs = {} if by_peer else {"pk": attempt.journey_id}
            return redirect(_url(target, organisation, **kwargs))
    return _form_page(
        request,
        organisation,
        title="People you know",
        intro="Groups work because peers share with people who are not part of their life or "
        "social circle. Tell us anyone you have, or had, a personal, social or business "
        "relationship with. Nobody's membership is shown here; the facilitators check and "
        "will be in touch.",
        form=form,
        submit="Send to the facilitators",
        cancel_url=_url("mine", organisation)
        if by_peer
        else _url("journey", organisation, pk=attempt.journey_id),
        crumbs=_crumbs(organisation, ("People you know", "")),
        why=selectors.why(organisation_policy(organisation), "PSP-3"),
    )


@organisation_page
@require_http_methods(FORM)
def name_check(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, attempt = _group_attempt(request, org, pk)
    members = current_members(attempt.group)
    people = [m.person for m in members if m.person_id != attempt.journey.person_id]
    form = NameCheckForm(_data(request), members=people)
    if attempt.declared_names:
        from commonground.audit.services import audit_read

        audit_read(
            actor=request.user,
            organisation=organisation,
            instance=attempt,
            fields=["declared_names"],
        )
    matches = selectors.name_matches(attempt.declared_names, members)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "conflict":
                services.conflict_record(
                    actor=request.user,
                    attempt=attempt,
                    member=data["member"],
                    source=data["source"] or "declared",
                    note=data["note"],
                )
                messages.success(
                    request,
                    "The relationship is recorded. Joining waits on the member's agreement.",
                )
            else:
                services.name_check_clear(actor=request.user, attempt=attempt)
                messages.success(request, "The name-check found no conflict.")
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            return redirect(_url("journey", organisation, pk=attempt.journey_id))
    return _page(
        request,
        "name_check.html",
        organisation,
        {
            "title": f"Name-check for {attempt.group.name}",
            "attempt": attempt,
            "declared": selectors.declared_list(attempt.declared_names),
            "matches": matches,
            "conflicts": list(attempt.conflicts.all()),
            "form": form,
            "submit": "Record the check",
            "cancel_url": _url("journey", organisation, pk=attempt.journey_id),
            "why": selectors.why(organisation_policy(organisation), "PSP-3"),
            "breadcrumbs": _journey_crumbs(attempt.journey, "Name-check"),
        },
    )


@organisation_page
@require_http_methods(FORM)
def agree(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    conflict = selectors.conflict_get(actor=request.user, organisation=organisation, pk=pk)
    attempt = conflict.attempt
    _require(
        request,
        "groups.change_members",
        attempt.group,
        "Only the group's facilitators or the admin record a member's agreement.",
    )
    form = AgreeForm(_data(request), initial={"agreed_on": timezone.localdate()})
    if form.is_bound and form.is_valid():
        try:
            services.conflict_agree(
                actor=request.user, conflict=conflict, agreed_on=form.cleaned_data["agreed_on"]
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"{conflict.member.display_name}'s agreement is recorded.")
            return redirect(_url("journey", organisation, pk=attempt.journey_id))
    return _form_page(
        request,
        organisation,
        title=f"{conflict.member.display_name} agrees to {attempt.journey.person.display_name} "
        f"joining {attempt.group.name}",
        intro="Record this only once the member has said so: the group then knowingly accepts "
        "the relationship (PSP-3).",
        form=form,
        submit="Record the agreement",
        cancel_url=_url("journey", organisation, pk=attempt.journey_id),
        crumbs=_journey_crumbs(attempt.journey, "Member's agreement"),
        why=selectors.why(organisation_policy(organisation), "PSP-3"),
    )


# Joining --------------------------------------------------------------------------------------


@organisation_page
@require_http_methods(FORM)
def join(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, found = _managed_journey(request, org, pk)
    groups = _changeable_groups(request, organisation)
    if not groups.exists() and not standing(request.user, organisation).is_admin:
        raise PermissionDenied("Only the group's facilitators or the admin can add someone to it.")
    progress = selectors.progress_get(found, organisation_policy(organisation))
    initial = {"group": progress.attempt.group_id} if progress.attempt else {}
    form = JoinForm(_data(request), groups=groups, initial=initial)
    if form.is_bound and form.is_valid():
        group = form.cleaned_data["group"]
        try:
            services.peer_join(actor=request.user, journey=found, group=group)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"{found.person.display_name} has joined {group.name}.")
            return redirect(_url("journey", organisation, pk=found.pk))
    return _form_page(
        request,
        organisation,
        title=f"{found.person.display_name} joins a group",
        intro="Joining checks every step of the way in that the organisation's policy asks for, "
        "and names any that is missing.",
        form=form,
        submit="Join the group",
        cancel_url=_url("journey", organisation, pk=found.pk),
        crumbs=_journey_crumbs(found, "Join a group"),
    )
