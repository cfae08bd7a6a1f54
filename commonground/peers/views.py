"""Pages of the peers module: Guidelines for Behaviour and group guidelines (PSP-5), apologies,
leaving and absences (PSP-10), eligibility (PSP-11), charity membership and donations (PSP-12).

A group's pages answer 404 to anyone who may not know the group (as the groups module does) and
403 to those who know it but may not do this. Views call a service for every change; a refusal
keeps what was typed and writes nothing. GET pages change nothing.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from commonground.access.policy import standing
from commonground.audit.models import AuditEntry
from commonground.audit.services import audit_record
from commonground.groups.models import GroupMember, SupportGroup
from commonground.groups.selectors import (
    current_members,
    group_get,
    group_sessions,
    visible_groups,
)
from commonground.meetings.models import Meeting
from commonground.obligations.models import Obligation
from commonground.peers import forms, selectors, services
from commonground.people.models import Organisation, Person
from commonground.people.selectors import organisation_get
from commonground.people.views import csv_safe
from commonground.policies.registry import rule
from commonground.policies.selectors import PolicyNotAdopted, organisation_policy
from commonground.web.pages import can, organisation_page, page_renderer

_page = page_renderer("peers")
PAGE_SIZE = 50
GET_POST = require_http_methods(["GET", "HEAD", "POST"])
GET_ONLY = require_http_methods(["GET", "HEAD"])


def _org(request: HttpRequest, org: str) -> Organisation:
    return organisation_get(actor=request.user, slug=org)


def _group(request: HttpRequest, org: str, group_id: int) -> tuple[Organisation, SupportGroup]:
    organisation = _org(request, org)
    return organisation, group_get(actor=request.user, organisation=organisation, pk=group_id)


def _require(request: HttpRequest, perm: str, obj: Any, message: str) -> None:
    if not can(request, perm, obj):
        raise PermissionDenied(message)


def _crumbs(organisation: Organisation, *rest: tuple[str, str]) -> list[tuple[str, str]]:
    home = (organisation.name, reverse("organisation_home", kwargs={"org": organisation.slug}))
    peers = (
        "Guidelines and keeping in touch",
        reverse("peers:home", kwargs={"org": organisation.slug}),
    )
    return [home, peers, *rest] if rest else [home, (peers[0], "")]


def _group_crumbs(
    organisation: Organisation, group: SupportGroup, *rest: tuple[str, str]
) -> list[tuple[str, str]]:
    url = reverse("peers:group_guidelines", kwargs={"org": organisation.slug, "group_id": group.pk})
    return _crumbs(organisation, (group.name, url if rest else ""), *rest)


def _form_page(
    request: HttpRequest,
    organisation: Organisation,
    form: Any,
    *,
    title: str,
    submit: str,
    cancel_url: str,
    breadcrumbs: list[tuple[str, str]],
    intro: str = "",
    why: Any = None,
) -> HttpResponse:
    return _page(
        request,
        "form_page.html",
        organisation,
        {
            "form": form,
            "title": title,
            "submit": submit,
            "cancel_url": cancel_url,
            "breadcrumbs": breadcrumbs,
            "intro": intro,
            "why": why,
        },
    )


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _group_url(name: str, organisation: Organisation, group: SupportGroup, **kw: Any) -> str:
    return reverse(f"peers:{name}", kwargs={"org": organisation.slug, "group_id": group.pk, **kw})


# Overview ---------------------------------------------------------------------------------------


@organisation_page
@GET_ONLY
def home(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _org(request, org)
    me = standing(request.user, organisation).person
    groups = list(visible_groups(actor=request.user, organisation=organisation))
    mine = [
        g
        for g in groups
        if me is not None
        and (
            any(m.person_id == me.pk for m in g.current_members)  # type: ignore[attr-defined]
            or any(f.person_id == me.pk for f in g.current_facilitators)  # type: ignore[attr-defined]
        )
    ]
    return _page(
        request,
        "home.html",
        organisation,
        {
            "groups": mine,
            "charity_member": selectors.charity_member(organisation, me),
            "is_admin": can(request, "peers.manage_donations", organisation),
            "checks_eligibility": can(request, "peers.check_eligibility", organisation),
            "breadcrumbs": _crumbs(organisation),
        },
    )


# PSP-5: Guidelines for Behaviour ----------------------------------------------------------------


@organisation_page
@GET_ONLY
def behaviour(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _org(request, org)
    _require(request, "peers.view_behaviour_guidelines", organisation, "Members only.")
    history = list(
        selectors.behaviour_guidelines_history(organisation).select_related("created_by")
    )
    return _page(
        request,
        "behaviour.html",
        organisation,
        {
            "current": history[0] if history else None,
            "history": history[1:],
            "can_edit": can(request, "peers.change_behaviour_guidelines", organisation),
            "rule": rule("PSP-5"),
            "breadcrumbs": _crumbs(organisation, ("Guidelines for Behaviour", "")),
        },
    )


@organisation_page
@GET_POST
def behaviour_edit(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _org(request, org)
    _require(
        request,
        "peers.change_behaviour_guidelines",
        organisation,
        "Only the organisation admin keeps the Guidelines for Behaviour.",
    )
    current = selectors.behaviour_guidelines_current(organisation)
    form = forms.BehaviourForm(_data(request), initial={"text": current.text if current else ""})
    if form.is_bound and form.is_valid():
        try:
            version = services.behaviour_guidelines_set(
                actor=request.user, organisation=organisation, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"Version {version.number} is now in force.")
            return redirect("peers:behaviour", org=organisation.slug)
    return _form_page(
        request,
        organisation,
        form,
        title="Change the Guidelines for Behaviour",
        submit="Save a new version",
        cancel_url=reverse("peers:behaviour", kwargs={"org": organisation.slug}),
        breadcrumbs=_crumbs(organisation, ("Change the Guidelines for Behaviour", "")),
        intro="Every member sees the version in force; earlier versions stay as history.",
    )


# PSP-5: group guidelines ------------------------------------------------------------------------


@organisation_page
@GET_ONLY
def group_guidelines(request: HttpRequest, org: str, group_id: int) -> HttpResponse:
    organisation, group = _group(request, org, group_id)
    _require(
        request,
        "peers.view_group_guidelines",
        group,
        "The group's guidelines are for its members and facilitators.",
    )
    rows = list(selectors.guidelines_for(group))
    reviews = {
        o.key: o
        for o in Obligation.objects.filter(
            subject_type="peers.groupguideline",
            subject_id__in=[str(g.pk) for g in rows],
            rule_id="PSP-5",
            state=Obligation.State.OPEN,
        ).select_related("organisation")
    }
    agreed = [(g, reviews.get(g.review_key)) for g in rows if g.state == "agreed"]
    return _page(
        request,
        "group_guidelines.html",
        organisation,
        {
            "group": group,
            "agreed": agreed,
            "proposed": [g for g in rows if g.state == "proposed"],
            "earlier": [g for g in rows if g.state in ("not_agreed", "retired")],
            "behaviour": selectors.behaviour_guidelines_current(organisation),
            "sees_proposer": can(request, "peers.view_proposer", group),
            "can_propose": can(request, "peers.propose_guideline", group),
            "can_decide": can(request, "peers.decide_guideline", group),
            "can_absences": can(request, "peers.view_absences", group),
            "keeps_in_touch": can(request, "peers.keep_in_touch", group)
            or can(request, "peers.record_for_peer", group),
            "sessions": selectors.upcoming_sessions(group),
            "rule": rule("PSP-5"),
            "breadcrumbs": _group_crumbs(organisation, group),
        },
    )


@organisation_page
@GET_POST
def guideline_propose(request: HttpRequest, org: str, group_id: int) -> HttpResponse:
    organisation, group = _group(request, org, group_id)
    _require(
        request,
        "peers.propose_guideline",
        group,
        "Only the group's members can propose a guideline for it.",
    )
    form = forms.ProposeForm(_data(request))
    if form.is_bound and form.is_valid():
        try:
            services.guideline_propose(actor=request.user, group=group, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Your proposal is with the group's facilitators.")
            return redirect(_group_url("group_guidelines", organisation, group))
    return _form_page(
        request,
        organisation,
        form,
        title=f"Propose a guideline for {group.name}",
        submit="Propose it",
        cancel_url=_group_url("group_guidelines", organisation, group),
        breadcrumbs=_group_crumbs(organisation, group, ("Propose a guideline", "")),
        intro="The group agrees it, or not, at a session; agreed guidelines are reviewed "
        "regularly (PSP-5).",
    )


def _recent_sessions(group: SupportGroup) -> Any:
    return (
        group_sessions(group).exclude(status=Meeting.Status.CANCELLED).order_by("-starts_at")[:12]
    )


def _sessions_qs(group: SupportGroup) -> Any:
    ids = [m.pk for m in _recent_sessions(group)]
    return Meeting.objects.filter(pk__in=ids).order_by("-starts_at")


@organisation_page
@GET_POST
def guideline_decide(request: HttpRequest, org: str, group_id: int, pk: int) -> HttpResponse:
    organisation, group = _group(request, org, group_id)
    _require(
        request,
        "peers.decide_guideline",
        group,
        "Only the group's facilitators record the group's decision.",
    )
    guideline = selectors.guideline_get(group, pk)
    if guideline.state != "proposed":
        raise Http404("This guideline is not waiting for a decision.")
    form = forms.DecideForm(
        _data(request), initial={"decided_on": timezone.localdate()}, sessions=_sessions_qs(group)
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            services.guideline_decide(
                actor=request.user,
                guideline=guideline,
                agreed=data["agreed"] == "yes",
                decided_on=data["decided_on"],
                how_decided=data["how_decided"],
                session=data["session"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "The group's decision is recorded.")
            return redirect(_group_url("group_guidelines", organisation, group))
    return _form_page(
        request,
        organisation,
        form,
        title="Record the group's decision",
        submit="Record the decision",
        cancel_url=_group_url("group_guidelines", organisation, group),
        breadcrumbs=_group_crumbs(organisation, group, ("Record a decision", "")),
        intro=f"Proposed guideline ({guideline.get_topic_display()}): “{guideline.text}”",
    )


@organisation_page
@GET_POST
def guideline_review(request: HttpRequest, org: str, group_id: int, pk: int) -> HttpResponse:
    organisation, group = _group(request, org, group_id)
    _require(
        request,
        "peers.decide_guideline",
        group,
        "Only the group's facilitators record the group's review.",
    )
    guideline = selectors.guideline_get(group, pk)
    if guideline.state != "agreed":
        raise Http404("Only an agreed guideline is reviewed.")
    form = forms.ReviewForm(
        _data(request),
        initial={"decided_on": timezone.localdate(), "text": guideline.text},
        sessions=_sessions_qs(group),
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            services.guideline_review(
                actor=request.user,
                guideline=guideline,
                outcome=data["outcome"],
                reviewed_on=data["decided_on"],
                how_decided=data["how_decided"],
                text=data["text"] if data["outcome"] == "changed" else "",
                session=data["session"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "reviewed_on" in exc.error_dict:
                exc = ValidationError({"decided_on": exc.error_dict["reviewed_on"]})
            form.add_service_error(exc)
        else:
            messages.success(request, "The review is recorded.")
            return redirect(_group_url("group_guidelines", organisation, group))
    return _form_page(
        request,
        organisation,
        form,
        title="Record the group's review of a guideline",
        submit="Record the review",
        cancel_url=_group_url("group_guidelines", organisation, group),
        breadcrumbs=_group_crumbs(organisation, group, ("Review a guideline", "")),
        intro=f"Agreed guideline ({guideline.get_topic_display()}): “{guideline.text}”",
    )


# PSP-10: keeping in touch -----------------------------------------------------------------------


def _members_people(group: SupportGroup) -> list[Person]:
    return [m.person for m in current_members(group)]


@organisation_page
@GET_POST
def apologies(request: HttpRequest, org: str, group_id: int, meeting_id: int) -> HttpResponse:
    organisation, group = _group(request, org, group_id)
    facilitator = can(request, "peers.record_for_peer", group)
    if not facilitator:
        _require(
            request,
            "peers.keep_in_touch",
            group,
            "Only the group's members and facilitators send or record apologies.",
        )
    meeting = group_sessions(group).filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404("No such session.")
    people = (
        [p.person for p in meeting.participants.select_related("person") if p.role == "attendee"]
        if facilitator
        else None
    )
    form = forms.ApologiesForm(_data(request), people=people)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        person = next((p for p in people or [] if str(p.pk) == data.get("person")), None)
        try:
            services.apologies_send(
                actor=request.user,
                group=group,
                meeting=meeting,
                person=person,
                reason=data["reason"],
                received_by=data.get("received_by", ""),
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Apologies recorded. Thank you for letting us know.")
            return redirect(_group_url("group_guidelines", organisation, group))
    when = timezone.localtime(meeting.starts_at)
    return _form_page(
        request,
        organisation,
        form,
        title=f"Apologies for {when:%A %-d %B}" if not facilitator else "Record apologies",
        submit="Send apologies" if not facilitator else "Record apologies",
        cancel_url=_group_url("group_guidelines", organisation, group),
        breadcrumbs=_group_crumbs(organisation, group, ("Apologies", "")),
        intro=f"{group.name}, {when:%A %-d %B %Y at %H:%M}. "
        "PSP-10: please let us know as soon as you know you cannot come.",
    )


@organisation_page
@GET_POST
def leave(request: HttpRequest, org: str, group_id: int) -> HttpResponse:
    organisation, group = _group(request, org, group_id)
    facilitator = can(request, "peers.record_for_peer", group)
    if not facilitator:
        _require(request, "peers.keep_in_touch", group, "Only the group's members can leave it.")
    people = _members_people(group) if facilitator else None
    form = forms.LeaveForm(_data(request), people=people)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        me = standing(request.user, organisation).person
        person_id = int(data["person"]) if facilitator else (me.pk if me else 0)
        member = GroupMember.objects.current().filter(group=group, person_id=person_id).first()
        try:
            if member is None:
                raise ValidationError(
                    {"person": ValidationError("They are not a member.", code="group_member")}
                )
            services.leave_group(
                actor=request.user,
                member=member,
                reason=data["reason"],
                received_by=data.get("received_by", ""),
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Leaving is recorded. Thank you for letting us know.")
            target = "group_guidelines" if facilitator else None
            if target:
                return redirect(_group_url(target, organisation, group))
            return redirect("peers:home", org=organisation.slug)
    return _form_page(
        request,
        organisation,
        form,
        title=f"Leave {group.name}" if not facilitator else "Record that a peer is leaving",
        submit="I am leaving the group" if not facilitator else "Record leaving",
        cancel_url=_group_url("group_guidelines", organisation, group),
        breadcrumbs=_group_crumbs(organisation, group, ("Leaving", "")),
        intro="PSP-10: let us know when you intend to leave. You can come back to peer support "
        "whenever you are ready (PSP-11).",
    )


@organisation_page
@GET_ONLY
def absences(request: HttpRequest, org: str, group_id: int) -> HttpResponse:
    organisation, group = _group(request, org, group_id)
    _require(
        request,
        "peers.view_absences",
        group,
        "Absences are for the group's facilitators and the admin.",
    )
    in_force = organisation_policy(organisation)
    try:
        threshold = in_force.value("PSP-10", "seek_news_after_absences").value
    except PolicyNotAdopted:
        threshold = None
    rows = selectors.absences(group)
    actions = {
        int(o.key.split(":")[1]): o
        for o in Obligation.objects.filter(
            subject_type="groups.supportgroup",
            subject_id=str(group.pk),
            rule_id="PSP-10",
            state=Obligation.State.OPEN,
        ).select_related("organisation")
    }
    return _page(
        request,
        "absences.html",
        organisation,
        {
            "group": group,
            "rows": [(r, actions.get(r.person.pk)) for r in rows],
            "threshold": threshold,
            "can_record": can(request, "peers.record_news", group),
            "rule": rule("PSP-10"),
            "breadcrumbs": _group_crumbs(organisation, group, ("Absences", "")),
        },
    )


@organisation_page
@GET_POST
def news_record(request: HttpRequest, org: str, group_id: int, person_id: int) -> HttpResponse:
    organisation, group = _group(request, org, group_id)
    _require(
        request, "peers.record_news", group, "Only the group's facilitators seek news of a peer."
    )
    member = (
        GroupMember.objects.current()
        .filter(group=group, person_id=person_id)
        .select_related("person")
        .first()
    )
    if member is None:
        raise Http404("Not a member of this group.")
    form = forms.NewsForm(_data(request))
    if form.is_bound and form.is_valid():
        try:
            services.absences_check(group, actor=request.user)
            services.news_record(
                actor=request.user,
                group=group,
                person=member.person,
                outcome=form.cleaned_data["outcome"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Recorded. Only the outcome is kept.")
            return redirect(_group_url("absences", organisation, group))
    return _form_page(
        request,
        organisation,
        form,
        title=f"News of {member.person.display_name}",
        submit="Record",
        cancel_url=_group_url("absences", organisation, group),
        breadcrumbs=_group_crumbs(organisation, group, ("News of a peer", "")),
        intro="Only the outcome is recorded, never what the news was (what is said stays in "
        "the room, PSP-9). “The peer is leaving” ends their membership of the group.",
    )


# PSP-11: eligibility ----------------------------------------------------------------------------


def _peers(organisation: Organisation) -> Any:
    return Person.objects.filter(
        organisation=organisation, group_memberships__ends_on__isnull=True
    ).distinct()


@organisation_page
@GET_ONLY
def eligibility(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _org(request, org)
    _require(
        request,
        "peers.check_eligibility",
        organisation,
        "Eligibility is recorded by facilitators and the admin.",
    )
    people = list(_peers(organisation).order_by("full_name", "pk"))
    latest = selectors.latest_eligibility(organisation, [p.pk for p in people])
    return _page(
        request,
        "eligibility.html",
        organisation,
        {
            "rows": [(p, latest.get(p.pk)) for p in people],
            "rule": rule("PSP-11"),
            "breadcrumbs": _crumbs(organisation, ("Eligibility", "")),
        },
    )


@organisation_page
@GET_POST
def eligibility_record(request: HttpRequest, org: str, person_id: int) -> HttpResponse:
    organisation = _org(request, org)
    _require(
        request,
        "peers.check_eligibility",
        organisation,
        "Eligibility is recorded by facilitators and the admin.",
    )
    person = Person.objects.filter(organisation=organisation, pk=person_id).first()
    if person is None:
        raise Http404("No such person.")
    form = forms.EligibilityForm(_data(request), initial={"checked_on": timezone.localdate()})
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            services.eligibility_record(
                actor=request.user,
                organisation=organisation,
                person=person,
                eligible=data["eligible"] == "yes",
                checked_on=data["checked_on"],
                reason=data["reason"],
            )
        except PermissionDenied as exc:
            form.add_error("eligible", str(exc))
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Eligibility recorded.")
            return redirect("peers:eligibility", org=organisation.slug)
    return _form_page(
        request,
        organisation,
        form,
        title=f"Eligibility of {person.display_name}",
        submit="Record",
        cancel_url=reverse("peers:eligibility", kwargs={"org": organisation.slug}),
        breadcrumbs=_crumbs(organisation, ("Eligibility", "")),
        intro="PSP-11: the peer relationship is open-ended while the peer stays eligible under "
        "the charity's objects. Nothing expires by itself.",
    )


# PSP-12: charity membership and donations -------------------------------------------------------


@organisation_page
@GET_POST
def membership(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _org(request, org)
    _require(request, "peers.join_charity", organisation, "Members only.")
    me = standing(request.user, organisation).person
    in_force = organisation_policy(organisation)
    try:
        fee = in_force.value("PSP-12", "membership_fee_pence").value
    except PolicyNotAdopted:
        fee = None
    form = forms.JoinForm(_data(request))
    if form.is_bound and form.is_valid():
        try:
            services.charity_join(
                actor=request.user,
                organisation=organisation,
                supports_objects=form.cleaned_data["supports_objects"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Welcome: you are a member of the charity.")
            return redirect("peers:membership", org=organisation.slug)
    sees_all = can(request, "peers.view_charity_members", organisation)
    return _page(
        request,
        "membership.html",
        organisation,
        {
            "form": form,
            "member": selectors.charity_member(organisation, me),
            "fee": selectors.pounds(fee) if fee is not None else None,
            "members": list(selectors.charity_members(organisation)) if sees_all else None,
            "rule": rule("PSP-12"),
            "breadcrumbs": _crumbs(organisation, ("Membership of the charity", "")),
        },
    )


def _donations_admin(request: HttpRequest, org: str) -> Organisation:
    organisation = _org(request, org)
    _require(
        request, "peers.manage_donations", organisation, "Donations are for the organisation admin."
    )
    return organisation


@organisation_page
@GET_ONLY
def donations(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _donations_admin(request, org)
    page = Paginator(selectors.donations(organisation), PAGE_SIZE).get_page(request.GET.get("page"))
    return _page(
        request,
        "donations.html",
        organisation,
        {
            "page_obj": page,
            "donations": list(page),
            "months": selectors.donations_by_month(organisation),
            "rule": rule("PSP-12"),
            "breadcrumbs": _crumbs(organisation, ("Donations", "")),
        },
    )


@organisation_page
@GET_POST
def donation_add(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _donations_admin(request, org)
    form = forms.DonationForm(_data(request), initial={"received_on": timezone.localdate()})
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            services.donation_record(
                actor=request.user,
                organisation=organisation,
                amount_pence=int((data["amount"] * 100).to_integral_value()),
                received_on=data["received_on"],
                donor_name=data["donor_name"],
                anonymous=data["anonymous"],
                gift_aid=data["gift_aid"],
                note=data["note"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "amount_pence" in exc.error_dict:
                exc = ValidationError({"amount": exc.error_dict["amount_pence"]})
            form.add_service_error(exc)
        else:
            messages.success(request, "Donation recorded.")
            return redirect("peers:donations", org=organisation.slug)
    return _form_page(
        request,
        organisation,
        form,
        title="Record a donation",
        submit="Record",
        cancel_url=reverse("peers:donations", kwargs={"org": organisation.slug}),
        breadcrumbs=_crumbs(organisation, ("Record a donation", "")),
        intro="Donations are voluntary (PSP-12) and change nothing else: no access, membership "
        "or place in a group depends on them.",
    )


EXPORT_COLUMNS = ("Received on", "Amount (£)", "From", "Anonymous", "Gift Aid", "Note")


@organisation_page
@GET_ONLY
def donations_export(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _donations_admin(request, org)
    rows = list(selectors.donations(organisation))
    audit_record(
        actor=request.user,
        organisation=organisation,
        action=AuditEntry.Action.EXPORT,
        object_type="peers.donation",
        summary=f"Donations downloaded ({len(rows)} donations)",
        changes={"rows": len(rows), "columns": list(EXPORT_COLUMNS)},
    )
    filename = f"{organisation.slug}-donations-{timezone.localdate().isoformat()}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(EXPORT_COLUMNS)
    for d in rows:
        writer.writerow(
            [
                csv_safe(cell)
                for cell in (
                    d.received_on.isoformat(),
                    str(Decimal(d.amount_pence) / 100),
                    "Anonymous" if d.anonymous else d.donor_name,
                    "Yes" if d.anonymous else "No",
                    "Yes" if d.gift_aid else "No",
                    d.note,
                )
            ]
        )
    return response
