"""Pages for casework: my cases and the S&W group's list, a request, one case with its timeline
and deadlines, and the forms that move it along. Views find the case through the selectors (404
for anyone without need to know) and call a service for every change; a refusal keeps what was
typed and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from commonground.access.policy import standing
from commonground.casework import forms, selectors, services
from commonground.casework.models import Case, SupportOffer
from commonground.people.models import Organisation, Person
from commonground.people.selectors import organisation_get
from commonground.web.pages import can, organisation_page, page_renderer

PAGE_SIZE = 50
GET_POST = ["GET", "HEAD", "POST"]


def _crumbs(organisation: Organisation, *rest: tuple[str, str]) -> list[tuple[str, str]]:
    return [
        (organisation.name, reverse("organisation_home", kwargs={"org": organisation.slug})),
        ("Cases", reverse("casework:case_list", kwargs={"org": organisation.slug})),
        *rest,
    ]


def _detail_url(case: Case) -> str:
    return reverse("casework:case_detail", kwargs={"org": case.organisation.slug, "pk": case.pk})


_page = page_renderer("casework")


def _work(request: HttpRequest, org: str, pk: int, perm: str, refusal: str) -> Case:
    """The case for a form: 404 without need to know, 403 without the right to do this."""
    organisation = organisation_get(actor=request.user, slug=org)
    case = selectors.case_for_work(actor=request.user, organisation=organisation, pk=pk)
    if not can(request, perm, case):
        raise PermissionDenied(refusal)
    return case


def _form_page(
    request: HttpRequest,
    case: Case,
    *,
    title: str,
    form: Any,
    submit: str,
    intro: str = "",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    organisation = case.organisation
    return _page(
        request,
        "form_page.html",
        organisation,
        {
            "title": title,
            "form": form,
            "submit": submit,
            "intro": intro,
            "case": case,
            "cancel_url": _detail_url(case),
            "breadcrumbs": _crumbs(organisation, (case.reference, _detail_url(case)), (title, "")),
            **(extra or {}),
        },
    )


def _run_form(
    request: HttpRequest,
    case: Case,
    form: Any,
    action: Callable[[dict[str, Any]], Any],
    done: str,
    **page: Any,
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            result = action(form.cleaned_data)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, done)
            return redirect(result if isinstance(result, str) else _detail_url(case))
    return _form_page(request, case, form=form, **page)


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


# Lists and the request ------------------------------------------------------------------------


@organisation_page
@require_http_methods(["GET", "HEAD"])
def case_list(request: HttpRequest, org: str) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    sees_all = can(request, "casework.view_case_list", organisation)
    everyone = sees_all and request.GET.get("show") == "all"
    if everyone:
        cases = selectors.group_cases(actor=request.user, organisation=organisation)
    else:
        cases = selectors.my_cases(actor=request.user, organisation=organisation)
    page_obj = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return _page(
        request,
        "case_list.html",
        organisation,
        {
            "page_obj": page_obj,
            "cases": page_obj.object_list,
            "everyone": everyone,
            "sees_all": sees_all,
            "querystring_without_page": "show=all&" if everyone else "",
            "breadcrumbs": [*_crumbs(organisation)[:-1], ("Cases", "")],
        },
    )


@organisation_page
@require_http_methods(GET_POST)
def case_request(request: HttpRequest, org: str) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    if not can(request, "casework.request_case", organisation):
        raise PermissionDenied("Only members can ask for help here.")
    on_behalf = can(request, "casework.request_on_behalf", organisation)
    own = standing(request.user, organisation).person
    people = Person.objects.filter(organisation=organisation).order_by("full_name", "pk")
    if own is not None and not on_behalf:
        people = people.exclude(pk=own.pk)
    form = forms.RequestForm(_data(request), people=people, on_behalf=on_behalf)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_request(
                actor=request.user,
                organisation=organisation,
                title=data["title"],
                summary=data.get("summary", ""),
                parties=list(data["parties"]),
                requested_by=data.get("requested_by"),
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                f"Your request {case.reference} has reached the Support & Wellbeing group. "
                "Someone from the group will have a first conversation with you soon.",
            )
            return redirect(_detail_url(case))
    title = "Ask for help with a conflict"
    return _page(
        request,
        "form_page.html",
        organisation,
        {
            "title": title,
            "form": form,
            "submit": "Send the request",
            "intro": "The Support & Wellbeing group will have a first conversation with you "
            "within a few days. If anyone is in danger, call 999.",
            "cancel_url": reverse("casework:case_list", kwargs={"org": organisation.slug}),
            "breadcrumbs": _crumbs(organisation, (title, "")),
        },
    )


# One case -------------------------------------------------------------------------------------


@organisation_page
@require_http_methods(["GET", "HEAD"])
def case_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    case = selectors.case_get(actor=request.user, organisation=organisation, pk=pk)
    view = selectors.case_view(actor=request.user, case=case)
    manage = view.level == "full"
    stage = case.stage
    S = Case.Stage
    return _page(
        request,
        "case_detail.html",
        organisation,
        {
            "case": case,
            "view": view,
            "manage": manage,
            "assign": can(request, "casework.assign_supporter", case),
            "declare": can(request, "casework.declare_relationship", case),
            "notes": can(request, "casework.view_notes", case),
            "can_initial": manage and stage == S.REQUESTED,
            "can_path": manage and stage in (S.INITIAL_CONVERSATION, S.SELF_MANAGED),
            "can_individual": manage and stage == S.INDIVIDUAL_CONVERSATIONS,
            "can_group": manage and stage == S.INDIVIDUAL_CONVERSATIONS,
            "can_agreement": manage and stage in (S.GROUP_MEETING, S.REVIEW),
            "can_review": manage and stage in (S.GROUP_MEETING, S.REVIEW) and view.agreements,
            "external_route": case.external_route or services.EXTERNAL_ROUTE,
            "breadcrumbs": _crumbs(organisation, (case.reference, "")),
        },
    )


@organisation_page
@require_http_methods(GET_POST)
def case_screening(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    case = _work(
        request,
        org,
        pk,
        "casework.manage_case",
        "Only the case's supporters or the admin can screen it.",
    )
    initial = {
        "outside_internal_support": case.outside_internal_support,
        "authorities_contacted": case.authorities_contacted,
        "authorities_contacted_by": case.authorities_contacted_by,
        "external_investigation": case.external_investigation,
        "external_route": case.external_route,
    }
    form = forms.ScreeningForm(_data(request), initial=initial)
    return _run_form(
        request,
        case,
        form,
        lambda d: services.case_screen(actor=request.user, case=case, **d),
        "The screening has been recorded.",
        title="Screening (ASH-25)",
        submit="Save the screening",
        intro=services.EXTERNAL_ROUTE,
    )


@organisation_page
@require_http_methods(GET_POST)
def supporter_assign(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    case = selectors.case_get(actor=request.user, organisation=organisation, pk=pk)
    if not can(request, "casework.assign_supporter", case):
        raise PermissionDenied(
            "Only the Support & Wellbeing group or the admin can assign supporters."
        )
    form = forms.AssignForm(_data(request), people=selectors.assignable_people(case=case))
    suggestions = selectors.pair_suggestions(case=case)
    view = selectors.case_view(actor=request.user, case=case)
    return _run_form(
        request,
        case,
        form,
        lambda d: services.supporter_assign(
            actor=request.user,
            case=case,
            person=d["person"],
            role=d["role"],
            ends_on=d.get("ends_on"),
        ),
        "Assigned.",
        title="Assign the pair",
        submit="Assign",
        extra={"suggestions": suggestions, "view": view, "assign_page": True},
    )


@organisation_page
@require_http_methods(GET_POST)
def supporter_end(request: HttpRequest, org: str, pk: int, supporter_pk: int) -> HttpResponse:
    """End someone's support of the case early, with a reason (whoever may manage the pair)."""
    organisation = organisation_get(actor=request.user, slug=org)
    case = selectors.case_get(actor=request.user, organisation=organisation, pk=pk)
    if not can(request, "casework.assign_supporter", case):
        raise PermissionDenied(
            "Only the Support & Wellbeing group or the admin can change supporters."
        )
    supporter = selectors.current_supporter_get(case=case, pk=supporter_pk)
    form = forms.SupporterEndForm(_data(request))
    name = supporter.person.display_name
    return _run_form(
        request,
        case,
        form,
        lambda d: services.supporter_end(
            actor=request.user, supporter=supporter, reason=d["reason"]
        ),
        f"{name} no longer supports this case.",
        title=f"End {name}'s support",
        submit="End their support",
        intro=f"{name} is {supporter.get_role_display().lower()} on this case. Once ended they no "
        "longer see it, and its deadlines go to the rest of the pair (ASH-19).",
    )


@organisation_page
@require_http_methods(GET_POST)
def relationship_declare(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    case = selectors.case_get(actor=request.user, organisation=organisation, pk=pk)
    if not can(request, "casework.declare_relationship", case):
        raise PermissionDenied("Only S&W members declare a close relationship with a party.")
    form = forms.DeclareForm(_data(request))
    return _run_form(
        request,
        case,
        form,
        lambda d: services.relationship_declare(
            actor=request.user, case=case, note=d.get("note", "")
        ),
        "Declared. You will not be assigned to this case.",
        title="Declare a close relationship",
        submit="Declare it",
        intro="If you are close to anyone in this conflict, say so: you will not support this case.",
    )


@organisation_page
@require_http_methods(GET_POST)
def initial_conversation(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    case = _work(
        request,
        org,
        pk,
        "casework.manage_case",
        "Only the case's supporters or the admin can record this.",
    )
    form = forms.HeldForm(_data(request), initial={"held_at": forms.now_local()})
    return _run_form(
        request,
        case,
        form,
        lambda d: services.initial_conversation_record(
            actor=request.user, case=case, held_at=d["held_at"]
        ),
        "The initial conversation has been recorded (ASH-1).",
        title="Record the initial conversation",
        submit="Record it",
    )


@organisation_page
@require_http_methods(GET_POST)
def path_choose(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    case = _work(
        request,
        org,
        pk,
        "casework.manage_case",
        "Only the case's supporters or the admin can choose the path.",
    )
    form = forms.PathForm(_data(request))
    return _run_form(
        request,
        case,
        form,
        lambda d: services.path_choose(actor=request.user, case=case, path=d["path"]),
        "The path has been recorded.",
        title="Choose the path",
        submit="Record the choice",
        intro="A member who feels confident may address the matter themselves: the case stays "
        "open for support and no meetings are due (ASH-2). Otherwise individual conversations "
        "with everyone involved lead to a Group Meeting (ASH-3, ASH-4).",
    )


@organisation_page
@require_http_methods(GET_POST)
def individual_conversation(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    case = _work(
        request,
        org,
        pk,
        "casework.manage_case",
        "Only the case's supporters or the admin can record this.",
    )
    form = forms.IndividualForm(_data(request), case=case, initial={"held_at": forms.now_local()})
    return _run_form(
        request,
        case,
        form,
        lambda d: services.individual_conversation_record(
            actor=request.user, case=case, party=d["party"], held_at=d["held_at"]
        ),
        "The individual conversation has been recorded.",
        title="Record an individual conversation",
        submit="Record it",
    )


@organisation_page
@require_http_methods(GET_POST)
def group_meeting(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    case = _work(
        request,
        org,
        pk,
        "casework.manage_case",
        "Only the case's supporters or the admin can schedule it.",
    )
    form = forms.GroupMeetingForm(_data(request))

    def schedule(d: dict[str, Any]) -> str:
        meeting = services.group_meeting_schedule(
            actor=request.user,
            case=case,
            starts_at=d["starts_at"],
            duration=dt.timedelta(minutes=d["duration_minutes"]),
            place=d.get("place", ""),
        )
        return reverse("meetings:meeting_detail", kwargs={"org": org, "pk": meeting.pk})

    return _run_form(
        request,
        case,
        form,
        schedule,
        "The Group Meeting has been scheduled and everyone invited.",
        title="Schedule the Group Meeting",
        submit="Schedule it",
        intro="Everyone in the conflict comes together, hosted by the pair or an external "
        "facilitator, once each has had an individual conversation (ASH-3, ASH-4).",
    )


@organisation_page
@require_http_methods(GET_POST)
def group_meeting_held(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    case = _work(
        request,
        org,
        pk,
        "casework.manage_case",
        "Only the case's supporters or the admin can record this.",
    )
    form = forms.HeldForm(_data(request), initial={"held_at": forms.now_local()})
    return _run_form(
        request,
        case,
        form,
        lambda d: services.group_meeting_record(
            actor=request.user, case=case, held_at=d["held_at"]
        ),
        "The Group Meeting has been recorded (ASH-4). Now write the Shared Agreements.",
        title="Record the Group Meeting",
        submit="Record it",
    )


@organisation_page
@require_http_methods(GET_POST)
def shared_agreement(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    case = _work(
        request,
        org,
        pk,
        "casework.manage_case",
        "Only the case's supporters or the admin can write it.",
    )
    form = forms.AgreementForm(
        _data(request), initial={"title": f"Shared Agreement for {case.reference}"}
    )

    def draft(d: dict[str, Any]) -> str:
        agreement = services.shared_agreement_draft(
            actor=request.user,
            case=case,
            title=d["title"],
            agreements=d["agreements"],
            needs=d.get("needs", ""),
        )
        return reverse("agreements:agreement_detail", kwargs={"org": org, "pk": agreement.pk})

    return _run_form(
        request,
        case,
        form,
        draft,
        "The Shared Agreement is ready for everyone in the case to sign (ASH-5).",
        title="Write the Shared Agreement",
        submit="Save it for signing",
    )


@organisation_page
@require_http_methods(GET_POST)
def review(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    case = _work(
        request,
        org,
        pk,
        "casework.manage_case",
        "Only the case's supporters or the admin can record this.",
    )
    from commonground.agreements.models import Agreement

    agreements = Agreement.objects.filter(subject_type=services.SUBJECT, subject_id=str(case.pk))
    form = forms.ReviewForm(
        _data(request), agreements=agreements, initial={"held_at": forms.now_local()}
    )
    return _run_form(
        request,
        case,
        form,
        lambda d: services.review_record(
            actor=request.user,
            case=case,
            held_at=d["held_at"],
            agreement=d["agreement"],
            outcome=d["outcome"],
            note=d.get("note", ""),
        ),
        "The review has been recorded (ASH-6).",
        title="Record the review meeting",
        submit="Record it",
        intro="One month after the Group Meeting: are the agreements kept, upgraded or broken? "
        "To upgrade, change the agreement's terms first; everyone signs the new version.",
    )


@organisation_page
@require_http_methods(GET_POST)
def offer_add(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    case = _work(
        request,
        org,
        pk,
        "casework.manage_case",
        "Only the case's supporters or the admin can make offers.",
    )
    form = forms.OfferForm(_data(request), case=case, kinds=services.offer_kinds(case.organisation))
    return _run_form(
        request,
        case,
        form,
        lambda d: services.offer_make(actor=request.user, case=case, **d),
        "The offer has been recorded.",
        title="Offer support",
        submit="Record the offer",
        intro=f"Off-site accommodation is offered for at most "
        f"{services.offsite_limit(case.organisation)} unless an extension is approved (ASH-24).",
    )


@organisation_page
@require_http_methods(GET_POST)
def offer_change(request: HttpRequest, org: str, pk: int, offer_pk: int) -> HttpResponse:
    case = _work(
        request,
        org,
        pk,
        "casework.manage_case",
        "Only the case's supporters or the admin can change offers.",
    )
    offer = SupportOffer.objects.filter(case=case, pk=offer_pk).first()
    if offer is None:
        raise Http404("No such offer.")
    form = forms.OfferChangeForm(
        _data(request), initial={"status": offer.status, "ends_on": offer.ends_on}
    )

    def change(d: dict[str, Any]) -> None:
        if d.get("ends_on") and d["ends_on"] != offer.ends_on:
            services.offer_extend(
                actor=request.user, offer=offer, ends_on=d["ends_on"], reason=d.get("reason", "")
            )
        services.offer_set_status(actor=request.user, offer=offer, status=d["status"])

    return _run_form(
        request,
        case,
        form,
        change,
        "The offer has been updated.",
        title=f"Change the offer: {offer.kind_label}",
        submit="Save",
    )


@organisation_page
@require_http_methods(GET_POST)
def case_notes(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    case = selectors.case_for_work(actor=request.user, organisation=organisation, pk=pk)
    if not can(request, "casework.view_notes", case):
        raise Http404("No such case.")
    form = forms.NoteForm(_data(request), case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.note_write(
                actor=request.user,
                case=case,
                text=form.cleaned_data["text"],
                about=form.cleaned_data.get("about"),
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "The note has been saved.")
            return redirect(reverse("casework:case_notes", kwargs={"org": org, "pk": pk}))
    notes = selectors.case_notes(actor=request.user, case=case)
    title = "Confidential notes"
    return _page(
        request,
        "case_notes.html",
        organisation,
        {
            "case": case,
            "notes": notes,
            "form": form,
            "title": title,
            "breadcrumbs": _crumbs(organisation, (case.reference, _detail_url(case)), (title, "")),
        },
    )
