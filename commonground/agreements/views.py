"""Pages for agreements: mine, one agreement with its versions and signatures, and the forms that
change it. Views find the record through the selectors (404 for anyone without need to know)
and call a service for every change; a refusal keeps what was typed and writes nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from commonground.agreements import selectors, services
from commonground.agreements.forms import (
    BreachForm,
    ConfirmForm,
    DisagreementForm,
    EndForm,
    KindForm,
    PartyForm,
    ReviewForm,
    SignForm,
    TermsForm,
)
from commonground.agreements.kinds import KINDS, kind_spec
from commonground.agreements.models import Agreement, AgreementVersion
from commonground.agreements.pdf import agreement_pdf
from commonground.agreements.supporters import SubjectRef
from commonground.audit.models import AuditEntry
from commonground.audit.services import audit_record
from commonground.people.models import Organisation
from commonground.people.selectors import organisation_get
from commonground.web.pages import can, organisation_page, page_renderer

PAGE_SIZE = 50


def _load(request: HttpRequest, org: str, pk: int) -> tuple[Organisation, Agreement]:
    organisation = organisation_get(actor=request.user, slug=org)
    return organisation, selectors.agreement_get(
        actor=request.user, organisation=organisation, pk=pk
    )


def _detail_url(agreement: Agreement) -> str:
    return reverse(
        "agreements:agreement_detail",
        kwargs={"org": agreement.organisation.slug, "pk": agreement.pk},
    )


def _crumbs(organisation: Organisation, *rest: tuple[str, str]) -> list[tuple[str, str]]:
    return [
        (organisation.name, reverse("organisation_home", kwargs={"org": organisation.slug})),
        ("Agreements", reverse("agreements:agreement_list", kwargs={"org": organisation.slug})),
        *rest,
    ]


_page = page_renderer("agreements")


def _form_page(
    request: HttpRequest,
    organisation: Organisation,
    agreement: Agreement,
    *,
    title: str,
    form: Any,
    submit: str,
    crumb: str,
    intro: str = "",
    warning: bool = False,
) -> HttpResponse:
    return _page(
        request,
        "form_page.html",
        organisation,
        {
            "title": title,
            "form": form,
            "submit": submit,
            "cancel_url": _detail_url(agreement),
            "breadcrumbs": _crumbs(
                organisation, (agreement.title, _detail_url(agreement)), (crumb, "")
            ),
            "intro": intro,
            "warning": warning,
        },
    )


# The list ------------------------------------------------------------------------------------


@organisation_page
@require_http_methods(["GET", "HEAD"])
def agreement_list(request: HttpRequest, org: str) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    can_see_all = can(request, "agreements.add_agreement", SubjectRef(organisation.pk))
    everyone = can_see_all and request.GET.get("show") == "all"
    agreements = selectors.my_agreements(
        actor=request.user, organisation=organisation, everyone=everyone
    )
    page_obj = Paginator(agreements, PAGE_SIZE).get_page(request.GET.get("page"))
    return _page(
        request,
        "agreement_list.html",
        organisation,
        {
            "page_obj": page_obj,
            "agreements": page_obj.object_list,
            "everyone": everyone,
            "can_see_all": can_see_all,
            "can_add": can_see_all,
            "querystring_without_page": "show=all&" if everyone else "",
            "breadcrumbs": [*_crumbs(organisation)[:-1], ("Agreements", "")],
        },
    )


# Writing one ---------------------------------------------------------------------------------


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def agreement_create(request: HttpRequest, org: str) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    if not can(request, "agreements.add_agreement", SubjectRef(organisation.pk)):
        raise PermissionDenied("Only the organisation admin can write a new agreement here.")
    crumbs = _crumbs(organisation, ("New agreement", ""))
    kind = request.GET.get("kind", "")
    if kind not in KINDS:
        kind_form = KindForm(request.GET if "kind" in request.GET else None)
        if kind_form.is_bound:
            kind_form.is_valid()
        return _page(
            request, "kind_choice.html", organisation, {"form": kind_form, "breadcrumbs": crumbs}
        )
    spec = kind_spec(kind)
    manual_review = spec.review is None
    form = TermsForm(
        request.POST if request.method == "POST" else None, spec=spec, manual_review=manual_review
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            agreement = services.agreement_create(
                actor=request.user,
                organisation=organisation,
                kind=kind,
                title=data["title"],
                sections=form.sections(),
                starts_on=data.get("starts_on"),
                ends_on=data.get("ends_on"),
                review_on=data.get("review_on"),
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "The draft has been saved. Now add the people it is between.")
            return redirect(_detail_url(agreement))
    return _page(
        request,
        "terms_form.html",
        organisation,
        {
            "form": form,
            "spec": spec,
            "title": f"New {spec.label.lower()}",
            "submit": "Save the draft",
            "cancel_url": reverse("agreements:agreement_list", kwargs={"org": organisation.slug}),
            "breadcrumbs": crumbs,
        },
    )


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def agreement_edit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, agreement = _load(request, org, pk)
    if not can(request, "agreements.manage_agreement", agreement):
        raise PermissionDenied("Only the organisation admin or a supporter can change the terms.")
    spec = agreement.spec
    manual_review = not agreement.review_rule_id
    if request.method == "POST":
        form = TermsForm(request.POST, spec=spec, manual_review=manual_review, editing=True)
        if form.is_valid():
            data = form.cleaned_data
            try:
                version = services.agreement_edit_terms(
                    actor=request.user,
                    agreement=agreement,
                    sections=form.sections(),
                    title=data["title"],
                    starts_on=data.get("starts_on"),
                    ends_on=data.get("ends_on"),
                    review_on=data.get("review_on"),
                    change_note=data.get("change_note") or "",
                )
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request,
                    f"Saved as version {version.number}. Everyone in it signs it again."
                    if version.number
                    > (agreement.current_version.number if agreement.current_version else 0)
                    else "The draft has been saved.",
                )
                return redirect(_detail_url(agreement))
    else:
        record = selectors.agreement_record(
            actor=request.user, agreement=agreement, purpose="Opened the terms to change them"
        )
        initial: dict[str, Any] = {
            "title": agreement.title,
            "starts_on": agreement.starts_on,
            "ends_on": agreement.ends_on,
            "review_on": agreement.review_on,
            **record.current.version.sections(),
        }
        form = TermsForm(initial=initial, spec=spec, manual_review=manual_review, editing=True)
    signed = agreement.state != Agreement.State.DRAFT
    return _page(
        request,
        "terms_form.html",
        organisation,
        {
            "form": form,
            "spec": spec,
            "title": f"Change “{agreement.title}”",
            "submit": "Save the new version" if signed else "Save the draft",
            "intro": "Saving makes a new version. Everyone in it must sign it again before it is agreed; "
            "the signatures on earlier versions stay with them."
            if signed
            else "",
            "cancel_url": _detail_url(agreement),
            "breadcrumbs": _crumbs(
                organisation, (agreement.title, _detail_url(agreement)), ("Change the terms", "")
            ),
        },
    )


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def party_add(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, agreement = _load(request, org, pk)
    if not can(request, "agreements.manage_agreement", agreement):
        raise PermissionDenied("Only the organisation admin or a supporter can add parties.")
    form = PartyForm(request.POST if request.method == "POST" else None, agreement=agreement)
    if form.is_bound and form.is_valid():
        try:
            party = services.agreement_add_party(
                actor=request.user,
                agreement=agreement,
                person=form.cleaned_data["person"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"{party.person.display_name} has been added.")
            return redirect(_detail_url(agreement))
    return _form_page(
        request,
        organisation,
        agreement,
        title="Add someone to the agreement",
        form=form,
        submit="Add them",
        crumb="Add someone",
        intro="Everyone except a supporter signs it; they are told it is waiting for them.",
    )


# One agreement -------------------------------------------------------------------------------


def _detail(
    request: HttpRequest,
    organisation: Organisation,
    agreement: Agreement,
    *,
    sign_form: SignForm | None = None,
    disagreement_form: DisagreementForm | None = None,
    status: int = 200,
) -> HttpResponse:
    record = selectors.agreement_record(actor=request.user, agreement=agreement)
    mine = selectors.own_party(actor=request.user, agreement=agreement)
    number = record.current.version.number
    can_sign = (
        mine is not None
        and can(request, "agreements.sign_agreement", mine)
        and not agreement.is_closed
        and mine.pk not in record.current.signed_party_ids
    )
    can_disagree = mine is not None and can(request, "agreements.note_disagreement", mine)
    manage = can(request, "agreements.manage_agreement", agreement) and not agreement.is_closed
    return _page(
        request,
        "agreement_detail.html",
        organisation,
        {
            "agreement": agreement,
            "record": record,
            "mine": mine,
            "can_sign": can_sign,
            "can_disagree": can_disagree,
            "manage": manage,
            "can_review": manage and agreement.state in ("agreed", "under_review"),
            "sign_form": sign_form or SignForm(initial={"version": number}),
            "disagreement_form": disagreement_form or DisagreementForm(initial={"version": number}),
            "breadcrumbs": _crumbs(organisation, (agreement.title, "")),
        },
        status=status,
    )


@organisation_page
@require_http_methods(["GET", "HEAD"])
def agreement_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, agreement = _load(request, org, pk)
    return _detail(request, organisation, agreement)


def _version(agreement: Agreement, number: int) -> AgreementVersion:
    version = agreement.versions.filter(number=number).first()
    if version is None:
        raise ValidationError(
            {"version": ValidationError("There is no such version.", code="invalid")}
        )
    return version


@organisation_page
@require_POST
def agreement_sign(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, agreement = _load(request, org, pk)
    mine = selectors.own_party(actor=request.user, agreement=agreement)
    if mine is None:
        raise PermissionDenied("Only the parties sign; nobody signs for someone else.")
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            services.agreement_sign(
                actor=request.user,
                party=mine,
                version=_version(agreement, form.cleaned_data["version"]),
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "You have signed it. You can download your copy below.")
            return redirect(_detail_url(agreement))
    return _detail(request, organisation, agreement, sign_form=form)


@organisation_page
@require_POST
def agreement_disagree(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, agreement = _load(request, org, pk)
    mine = selectors.own_party(actor=request.user, agreement=agreement)
    if mine is None:
        raise PermissionDenied("A disagreement is noted by the party themselves.")
    form = DisagreementForm(request.POST)
    if form.is_valid():
        try:
            services.agreement_note_disagreement(
                actor=request.user,
                party=mine,
                version=_version(agreement, form.cleaned_data["version"]),
                text=form.cleaned_data["text"],
                initials=form.cleaned_data["initials"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Your disagreement has been noted with your initials.")
            return redirect(_detail_url(agreement))
    return _detail(request, organisation, agreement, disagreement_form=form)


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def breach_record(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, agreement = _load(request, org, pk)
    if not can(request, "agreements.manage_agreement", agreement):
        raise PermissionDenied("Only the organisation admin or a supporter can record a breach.")
    form = BreachForm(request.POST if request.method == "POST" else None, agreement=agreement)
    if form.is_bound and form.is_valid():
        try:
            services.agreement_record_breach(
                actor=request.user, agreement=agreement, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request, "The breach has been recorded; the agreement is marked broken."
            )
            return redirect(_detail_url(agreement))
    return _form_page(
        request,
        organisation,
        agreement,
        title="Record a breach",
        form=form,
        submit="Record the breach",
        crumb="Record a breach",
        intro="Recording a breach marks the agreement broken.",
        warning=True,
    )


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def review_start(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, agreement = _load(request, org, pk)
    if not can(request, "agreements.manage_agreement", agreement):
        raise PermissionDenied("Only the organisation admin or a supporter can start a review.")
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.agreement_start_review(actor=request.user, agreement=agreement)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "The review has started.")
            return redirect(_detail_url(agreement))
    return _form_page(
        request,
        organisation,
        agreement,
        title="Start the review",
        form=form,
        submit="Start the review",
        crumb="Start the review",
        intro="While it is under review you can change the terms; everyone signs the new version.",
    )


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def review_record(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, agreement = _load(request, org, pk)
    if not can(request, "agreements.manage_agreement", agreement):
        raise PermissionDenied("Only the organisation admin or a supporter can record a review.")
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.agreement_review_record(
                actor=request.user, agreement=agreement, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "The review has been recorded.")
            return redirect(_detail_url(agreement))
    return _form_page(
        request,
        organisation,
        agreement,
        title="Record the review",
        form=form,
        submit="Record the review",
        crumb="Record the review",
    )


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def agreement_end(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, agreement = _load(request, org, pk)
    if not can(request, "agreements.manage_agreement", agreement):
        raise PermissionDenied("Only the organisation admin or a supporter can end an agreement.")
    form = EndForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.agreement_end(actor=request.user, agreement=agreement, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "The agreement has been ended.")
            return redirect(_detail_url(agreement))
    return _form_page(
        request,
        organisation,
        agreement,
        title="End the agreement",
        form=form,
        submit="End the agreement",
        crumb="End it",
        warning=True,
    )


# Copies --------------------------------------------------------------------------------------


@organisation_page
@require_http_methods(["GET", "HEAD"])
def agreement_print(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, agreement = _load(request, org, pk)
    record = selectors.agreement_record(
        actor=request.user, agreement=agreement, purpose="Printable copy"
    )
    return _page(
        request,
        "agreement_print.html",
        organisation,
        {
            "agreement": agreement,
            "record": record,
            "made_at": timezone.now(),
            "breadcrumbs": _crumbs(
                organisation, (agreement.title, _detail_url(agreement)), ("Printable copy", "")
            ),
        },
    )


@organisation_page
@require_http_methods(["GET", "HEAD"])
def agreement_download(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, agreement = _load(request, org, pk)
    if not can(request, "agreements.export_agreement", agreement):
        raise Http404("No such agreement.")
    record = selectors.agreement_record(actor=request.user, agreement=agreement, purpose="PDF copy")
    mine = selectors.own_party(actor=request.user, agreement=agreement)
    copy_for = mine.person.full_name if mine is not None else getattr(request.user, "email", "")
    content = agreement_pdf(record, copy_for=copy_for)
    number = record.current.version.number
    audit_record(
        actor=request.user,
        organisation=organisation,
        action=AuditEntry.Action.EXPORT,
        object_type="agreements.agreement",
        object_id=agreement.pk,
        summary=f"PDF copy of agreement #{agreement.pk} version {number} downloaded",
        changes={"version": number, "format": "pdf"},
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{organisation.slug}-agreement-{agreement.pk}-v{number}.pdf"'
    )
    return response
