"""Pages for Community Resolution Meetings. Views find records through the selectors (404 for
anyone without need to know) and call a service for every change; a refusal keeps what was typed
and writes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from commonground.meetings.models import Meeting
from commonground.people.models import Organisation
from commonground.people.selectors import actor_person, organisation_get
from commonground.policies.values import LONDON
from commonground.resolution import selectors, services
from commonground.resolution.forms import (
    CallForm,
    CheckInForm,
    ContributionForm,
    CourtForm,
    DecisionForm,
    NotesForm,
    NoticeForm,
    OutreachForm,
    ReinstateForm,
    SummaryForm,
)
from commonground.resolution.models import CommunityResolutionMeeting, NoticeToQuit
from commonground.resolution.pdf import notice_to_quit_pdf
from commonground.web.pages import can, organisation_page, page_renderer

CRM = CommunityResolutionMeeting
GET_POST = ["GET", "HEAD", "POST"]


def _crumbs(organisation: Organisation, *rest: tuple[str, str]) -> list[tuple[str, str]]:
    return [
        (organisation.name, reverse("organisation_home", kwargs={"org": organisation.slug})),
        (
            "Community Resolution Meetings",
            reverse("resolution:crm_list", kwargs={"org": organisation.slug}),
        ),
        *rest,
    ]


def _crm_url(crm: CRM) -> str:
    return reverse("resolution:crm_detail", kwargs={"org": crm.organisation.slug, "pk": crm.pk})


def _ntq_url(notice: NoticeToQuit) -> str:
    return reverse(
        "resolution:ntq_detail", kwargs={"org": notice.organisation.slug, "pk": notice.pk}
    )


_page = page_renderer("resolution")


def _load(request: HttpRequest, org: str, pk: int) -> tuple[Organisation, CRM]:
    organisation = organisation_get(actor=request.user, slug=org)
    return organisation, selectors.crm_get(actor=request.user, organisation=organisation, pk=pk)


def _form_page(
    request: HttpRequest,
    organisation: Organisation,
    *,
    form: Any,
    title: str,
    submit: str,
    crumbs: list[tuple[str, str]],
    cancel_url: str,
    save: Callable[[dict[str, Any]], Any],
    done: Callable[[Any], str],
    message: str,
    intro: str = "",
    template: str = "form_page.html",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, message)
            return redirect(done(result))
    return _page(
        request,
        template,
        organisation,
        {
            "form": form,
            "title": title,
            "submit": submit,
            "breadcrumbs": crumbs,
            "cancel_url": cancel_url,
            "intro": intro,
            **(extra or {}),
        },
    )


# The list and one CRM ------------------------------------------------------------------------


@organisation_page
@require_http_methods(["GET", "HEAD"])
def crm_list(request: HttpRequest, org: str) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    found = selectors.crm_list(actor=request.user, organisation=organisation)
    return _page(
        request,
        "crm_list.html",
        organisation,
        {
            "mine": found["mine"],
            "published": found["published"],
            "breadcrumbs": [*_crumbs(organisation)[:-1], ("Community Resolution Meetings", "")],
        },
    )


@organisation_page
@require_http_methods(GET_POST)
def crm_call(request: HttpRequest, org: str, case_pk: int) -> HttpResponse:
    """ASH-7: call a CRM on a case, with the checklist of what it needs."""
    organisation = organisation_get(actor=request.user, slug=org)
    case = selectors.case_get(actor=request.user, organisation=organisation, pk=case_pk)
    if not can(request, "resolution.call_crm", case):
        raise PermissionDenied(
            "Only a supporter of this case or a member of the Support & Wellbeing group can call "
            "a Community Resolution Meeting."
        )
    parties = list(case.parties.select_related("person"))
    form = CallForm(request.POST or None)
    harm_field: Any = form.fields["harm_by"]
    harm_field.choices = [(str(p.pk), p.alias) for p in parties]
    grounds = services.crm_grounds(case)

    def save(data: dict[str, Any]) -> CRM:
        chosen = {int(x) for x in data["harm_by"]}
        return services.crm_call(
            actor=request.user,
            case=case,
            stuck_reason=data["stuck_reason"],
            harm_reason=data["harm_reason"],
            harm_by=[p for p in parties if p.pk in chosen],
        )

    return _form_page(
        request,
        organisation,
        form=form,
        title="Call a Community Resolution Meeting",
        submit="Call the meeting",
        crumbs=_crumbs(
            organisation,
            (f"Case {case.reference}", ""),
        ),
        cancel_url=reverse("resolution:crm_list", kwargs={"org": organisation.slug}),
        save=save,
        done=_crm_url,
        message="The Community Resolution Meeting is called. Next, give every member notice.",
        template="crm_call.html",
        extra={"case": case, "grounds": grounds},
    )


@organisation_page
@require_http_methods(["GET", "HEAD"])
def crm_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, crm = _load(request, org, pk)
    parties = list(crm.parties.select_related("case_party__person", "decision__action_plan"))
    own = actor_person(actor=request.user, organisation=organisation)
    notices = [
        n
        for n in crm.notices_to_quit.select_related("person", "organisation")
        if can(request, "resolution.view_notice_to_quit", n)
    ]
    return _page(
        request,
        "crm_detail.html",
        organisation,
        {
            "crm": crm,
            "parties": parties,
            "own_party": next(
                (p for p in parties if own and p.case_party.person_id == own.pk), None
            ),
            "contributions": selectors.contributions_visible(actor=request.user, crm=crm),
            "notes": selectors.crm_notes(actor=request.user, crm=crm),
            "obligations": selectors.crm_obligations(crm),
            "notices": notices,
            "agenda": crm.agendas.order_by("-number").first(),
            "can": {
                "manage": can(request, "resolution.manage_crm", crm),
                "decide": can(request, "resolution.decide_crm", crm),
                "notes": can(request, "resolution.view_notes", crm),
            },
            "breadcrumbs": _crumbs(organisation, (f"CRM on {crm.case.reference}", "")),
        },
    )


def _require_manage(request: HttpRequest, crm: CRM) -> None:
    if not can(request, "resolution.manage_crm", crm):
        raise PermissionDenied("Only the case's supporters prepare the meeting.")


# ASH-8 ---------------------------------------------------------------------------------------


@organisation_page
@require_http_methods(GET_POST)
def crm_notice(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, crm = _load(request, org, pk)
    _require_manage(request, crm)
    earliest = services.crm_earliest_date(crm)
    initial: dict[str, Any] = {"meeting_on": earliest, "meeting_time": dt.time(19, 0)}
    if crm.meeting_at:
        local = timezone.localtime(crm.meeting_at, LONDON)
        initial = {"meeting_on": local.date(), "meeting_time": local.time(), "place": crm.place}
    form = NoticeForm(request.POST or None, initial=initial)

    def save(data: dict[str, Any]) -> CRM:
        when = dt.datetime.combine(data["meeting_on"], data["meeting_time"], tzinfo=LONDON)
        return services.crm_set_date(
            actor=request.user, crm=crm, meeting_at=when, place=data.get("place", "")
        )

    return _form_page(
        request,
        organisation,
        form=form,
        title="Notice and date of the meeting",
        submit="Give notice",
        crumbs=_crumbs(
            organisation, (f"CRM on {crm.case.reference}", _crm_url(crm)), ("Notice", "")
        ),
        cancel_url=_crm_url(crm),
        save=save,
        done=_crm_url,
        message="Notice has gone to every member involved, by the way each prefers.",
        intro=f"Members involved need at least a month's notice (ASH-8): the earliest date is "
        f"{earliest:%A} {earliest.day} {earliest:%B %Y}. Members without email or text get a "
        "printed letter.",
    )


# ASH-9 ---------------------------------------------------------------------------------------


@organisation_page
@require_http_methods(GET_POST)
def contribution_edit(request: HttpRequest, org: str, pk: int, party_pk: int) -> HttpResponse:
    organisation, crm = _load(request, org, pk)
    party = selectors.crm_party_get(actor=request.user, crm=crm, pk=party_pk)
    own = actor_person(actor=request.user, organisation=organisation)
    is_self = own is not None and own.pk == party.case_party.person_id
    if not (is_self or can(request, "resolution.manage_crm", crm)):
        raise PermissionDenied("Only the member, or the case's supporters, can write this.")
    existing = getattr(party, "contribution", None)
    initial = {"needs": existing.needs, "requests": existing.requests} if existing else {}
    form = ContributionForm(request.POST or None, initial=initial)
    assert own is not None

    def save(data: dict[str, Any]) -> Any:
        return services.contribution_save(
            actor=request.user,
            party=party,
            author=own,
            needs=data["needs"],
            requests=data["requests"],
        )

    label = "Your needs and requests" if is_self else f"Needs and requests of {party.alias}"
    return _form_page(
        request,
        organisation,
        form=form,
        title=label,
        submit="Save",
        crumbs=_crumbs(organisation, (f"CRM on {crm.case.reference}", _crm_url(crm)), (label, "")),
        cancel_url=_crm_url(crm),
        save=save,
        done=lambda _: _crm_url(crm),
        message="Saved. It stays private to its author and the supporters until they place it on "
        "the agenda.",
        intro="Write without naming anyone: the agenda calls each member by a letter (ASH-10).",
    )


@organisation_page
@require_POST
def contribution_place(request: HttpRequest, org: str, pk: int, party_pk: int) -> HttpResponse:
    _, crm = _load(request, org, pk)
    party = selectors.crm_party_get(actor=request.user, crm=crm, pk=party_pk)
    _require_manage(request, crm)
    contribution = getattr(party, "contribution", None)
    if contribution is None:
        raise Http404("No contribution yet.")
    services.contribution_place(
        actor=request.user,
        contribution=contribution,
        on_agenda=request.POST.get("on_agenda") == "yes",
    )
    messages.success(request, "The agenda draft is updated.")
    return redirect(_crm_url(crm))


@organisation_page
@require_http_methods(GET_POST)
def outreach(request: HttpRequest, org: str, pk: int, party_pk: int) -> HttpResponse:
    organisation, crm = _load(request, org, pk)
    party = selectors.crm_party_get(actor=request.user, crm=crm, pk=party_pk)
    _require_manage(request, crm)
    form = OutreachForm(request.POST or None, initial={"on": timezone.localdate()})
    return _form_page(
        request,
        organisation,
        form=form,
        title=f"Outreach to {party.alias}",
        submit="Record outreach",
        crumbs=_crumbs(
            organisation, (f"CRM on {crm.case.reference}", _crm_url(crm)), ("Outreach", "")
        ),
        cancel_url=_crm_url(crm),
        save=lambda d: services.crm_record_outreach(
            actor=request.user, party=party, on=d["on"], note=d["note"]
        ),
        done=lambda _: _crm_url(crm),
        message="Outreach recorded.",
    )


# ASH-11, ASH-12 ------------------------------------------------------------------------------


@organisation_page
@require_http_methods(GET_POST)
def crm_summary(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, crm = _load(request, org, pk)
    _require_manage(request, crm)
    form = SummaryForm(
        request.POST or None,
        initial={
            "support_summary": crm.support_summary,
            "suggested_action_plan": crm.suggested_action_plan,
        },
    )
    return _form_page(
        request,
        organisation,
        form=form,
        title="Support & Wellbeing summary",
        submit="Save the summary",
        crumbs=_crumbs(
            organisation, (f"CRM on {crm.case.reference}", _crm_url(crm)), ("Summary", "")
        ),
        cancel_url=_crm_url(crm),
        save=lambda d: services.crm_write_summary(actor=request.user, crm=crm, **d),
        done=_crm_url,
        message="Summary saved.",
    )


@organisation_page
@require_http_methods(GET_POST)
def crm_notes(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, crm = _load(request, org, pk)
    if not can(request, "resolution.view_notes", crm):
        raise PermissionDenied("Only the case's supporters keep these notes (ASH-12).")
    form = NotesForm(
        request.POST or None, initial={"notes": selectors.crm_notes(actor=request.user, crm=crm)}
    )
    return _form_page(
        request,
        organisation,
        form=form,
        title="Confidential notes",
        submit="Save the notes",
        crumbs=_crumbs(
            organisation, (f"CRM on {crm.case.reference}", _crm_url(crm)), ("Notes", "")
        ),
        cancel_url=_crm_url(crm),
        save=lambda d: services.crm_write_notes(actor=request.user, crm=crm, notes=d["notes"]),
        done=_crm_url,
        message="Notes saved.",
    )


# ASH-10 --------------------------------------------------------------------------------------


@organisation_page
@require_http_methods(GET_POST)
def agenda_draft(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, crm = _load(request, org, pk)
    _require_manage(request, crm)
    error = ""
    if request.method == "POST":
        try:
            services.agenda_publish(actor=request.user, crm=crm)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, "The anonymous agenda is published for the whole community.")
            return redirect(reverse("resolution:agenda", kwargs={"org": org, "pk": crm.pk}))
    return _page(
        request,
        "agenda_draft.html",
        organisation,
        {
            "crm": crm,
            "draft": services.agenda_draft(crm),
            "error": error,
            "breadcrumbs": _crumbs(
                organisation, (f"CRM on {crm.case.reference}", _crm_url(crm)), ("Agenda draft", "")
            ),
        },
    )


@organisation_page
@require_http_methods(["GET", "HEAD"])
def agenda(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    crm, version = selectors.agenda_get(actor=request.user, organisation=organisation, pk=pk)
    return _page(
        request,
        "agenda.html",
        organisation,
        {
            "crm": crm,
            "version": version,
            "sections": version.sections(),
            "breadcrumbs": _crumbs(organisation, ("Agenda", "")),
        },
    )


# ASH-13, ASH-14 ------------------------------------------------------------------------------


@organisation_page
@require_http_methods(GET_POST)
def decide(request: HttpRequest, org: str, pk: int, party_pk: int) -> HttpResponse:
    organisation, crm = _load(request, org, pk)
    party = selectors.crm_party_get(actor=request.user, crm=crm, pk=party_pk)
    if not can(request, "resolution.decide_crm", crm):
        raise PermissionDenied("The organisation admin records the community's decisions.")
    form = DecisionForm(request.POST or None, initial={"action_plan_needed": "no"})
    harm = (
        "Significant harm is recorded for this member."
        if party.significant_harm
        else (
            "No significant harm is recorded for this member, so no Action Plan is possible (ASH-13)."
        )
    )
    return _form_page(
        request,
        organisation,
        form=form,
        title=f"Decision for {party.alias}",
        submit="Record the decision",
        crumbs=_crumbs(
            organisation, (f"CRM on {crm.case.reference}", _crm_url(crm)), ("Decision", "")
        ),
        cancel_url=_crm_url(crm),
        save=lambda d: services.crm_decide(
            actor=request.user,
            party=party,
            action_plan_needed=d["action_plan_needed"],
            reason=d["reason"],
            actions=d["actions"],
        ),
        done=lambda _: _crm_url(crm),
        message="Decision recorded.",
        intro=harm + " An Action Plan covers two months; the member's membership is removed and "
        "an 8-week Notice to Quit issued (ASH-14).",
    )


# Notice to Quit, ASH-15, ASH-16, ASH-17 ------------------------------------------------------


def _notice(request: HttpRequest, org: str, pk: int) -> tuple[Organisation, NoticeToQuit]:
    organisation = organisation_get(actor=request.user, slug=org)
    return organisation, selectors.notice_get(actor=request.user, organisation=organisation, pk=pk)


@organisation_page
@require_http_methods(["GET", "HEAD"])
def ntq_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, notice = _notice(request, org, pk)
    supporter = can(request, "resolution.check_in", notice)
    admin = can(request, "resolution.manage_notice_to_quit", notice)
    return _page(
        request,
        "ntq_detail.html",
        organisation,
        {
            "notice": notice,
            "letter": services.notice_to_quit_letter(notice),
            "check_ins": list(notice.check_ins.all()) if supporter or admin else [],
            "obligations": selectors.notice_obligations(notice) if supporter or admin else [],
            "reinstatement": getattr(notice, "reinstatement", None),
            "can": {"check_in": supporter, "admin": admin},
            "breadcrumbs": _crumbs(
                organisation,
                (f"CRM on {notice.crm.case.reference}", _crm_url(notice.crm)),
                ("Notice to Quit", ""),
            ),
        },
    )


@organisation_page
@require_http_methods(["GET", "HEAD"])
def ntq_pdf(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    _, notice = _notice(request, org, pk)
    response = HttpResponse(
        notice_to_quit_pdf(notice, services.notice_to_quit_letter(notice)),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'attachment; filename="notice-to-quit-{notice.pk}.pdf"'
    return response


@organisation_page
@require_http_methods(GET_POST)
def check_in(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, notice = _notice(request, org, pk)
    if not can(request, "resolution.check_in", notice):
        raise PermissionDenied("Only the case's supporters record check-ins.")
    form = CheckInForm(request.POST or None, initial={"held_on": timezone.localdate()})
    return _form_page(
        request,
        organisation,
        form=form,
        title="Record a check-in",
        submit="Record the check-in",
        crumbs=_crumbs(organisation, ("Notice to Quit", _ntq_url(notice)), ("Check-in", "")),
        cancel_url=_ntq_url(notice),
        save=lambda d: services.check_in_record(actor=request.user, notice=notice, **d),
        done=lambda _: _ntq_url(notice),
        message="Check-in recorded.",
    )


@organisation_page
@require_http_methods(GET_POST)
def reinstate(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, notice = _notice(request, org, pk)
    if not can(request, "resolution.manage_notice_to_quit", notice):
        raise PermissionDenied("The organisation admin records a meeting's decision to reinstate.")
    meetings = list(
        Meeting.objects.filter(organisation=organisation, status=Meeting.Status.HELD).order_by(
            "-starts_at"
        )[:50]
    )
    form = ReinstateForm(request.POST or None)
    meeting_field: Any = form.fields["meeting"]
    meeting_field.choices = [(m.pk, str(m)) for m in meetings]

    def save(data: dict[str, Any]) -> Any:
        meeting = next((m for m in meetings if m.pk == data["meeting"]), None)
        return services.reinstatement_decide(
            actor=request.user, notice=notice, meeting=meeting, reason=data["reason"]
        )

    return _form_page(
        request,
        organisation,
        form=form,
        title="Reinstatement decided at a meeting",
        submit="Reinstate membership",
        crumbs=_crumbs(organisation, ("Notice to Quit", _ntq_url(notice)), ("Reinstatement", "")),
        cancel_url=_ntq_url(notice),
        save=save,
        done=lambda _: _ntq_url(notice),
        message="Membership is reinstated; the court application is no longer needed.",
        intro="Membership is reinstated only by a decision at a meeting that was held (ASH-16).",
    )


@organisation_page
@require_http_methods(GET_POST)
def court(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, notice = _notice(request, org, pk)
    if not can(request, "resolution.manage_notice_to_quit", notice):
        raise PermissionDenied("The organisation admin records the court application.")
    form = CourtForm(request.POST or None)
    return _form_page(
        request,
        organisation,
        form=form,
        title="Court application",
        submit="Record that it has begun",
        crumbs=_crumbs(
            organisation, ("Notice to Quit", _ntq_url(notice)), ("Court application", "")
        ),
        cancel_url=_ntq_url(notice),
        save=lambda d: services.court_application_begin(
            actor=request.user, notice=notice, note=d["note"]
        ),
        done=lambda _: _ntq_url(notice),
        message="The court application is recorded.",
        intro=f"The Notice to Quit ends on {notice.ends_on:%-d %B %Y}. If membership has not been "
        "reinstated by then, the co-op begins an application to court (ASH-17).",
    )
