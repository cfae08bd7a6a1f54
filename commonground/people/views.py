"""Pages for managing an organisation's people.

Each view finds the organisation and record through the selectors (a 404 for anyone without need
to know), checks the permission before showing a form, and calls a service for every change. A
service's ValidationError is shown on the form with what was typed; nothing is written.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from commonground.audit.models import AuditEntry
from commonground.audit.services import audit_record
from commonground.people import selectors, services
from commonground.people.forms import (
    BreakGlassForm,
    ConfirmForm,
    DirectoryFilterForm,
    MembershipChangeForm,
    OwnDetailsForm,
    PersonCreateForm,
    PersonForm,
    QualificationForm,
    ReasonForm,
    RoleAssignForm,
    RoleEndForm,
)
from commonground.people.models import Organisation, Person, RoleAssignment
from commonground.web.pages import can, organisation_page, page_renderer

PAGE_SIZE = 25


def _require(request: HttpRequest, perm: str, obj: Any, message: str) -> None:
    if not can(request, perm, obj):
        raise PermissionDenied(message)


def _organisation(request: HttpRequest, org: str) -> Organisation:
    return selectors.organisation_get(actor=request.user, slug=org)


def _person(request: HttpRequest, org: str, pk: int) -> tuple[Organisation, Person]:
    organisation = _organisation(request, org)
    return organisation, selectors.person_get(actor=request.user, organisation=organisation, pk=pk)


def _crumbs(
    request: HttpRequest,
    organisation: Organisation,
    person: Person | None = None,
    *rest: tuple[str, str],
) -> list[tuple[str, str]]:
    """Breadcrumbs as (label, url) pairs; the page itself comes last, with an empty url."""
    crumbs = [(organisation.name, reverse("organisation_home", kwargs={"org": organisation.slug}))]
    if can(request, "people.view_directory", organisation):
        crumbs.append(("People", reverse("people:person_list", kwargs={"org": organisation.slug})))
    if person is not None:
        crumbs.append((person.display_name, _detail_url(person)))
    crumbs.extend(rest)
    return crumbs


def _detail_url(person: Person) -> str:
    return reverse(
        "people:person_detail", kwargs={"org": person.organisation.slug, "pk": person.pk}
    )


_page = page_renderer("people")


def _form_page(
    request: HttpRequest,
    organisation: Organisation,
    *,
    title: str,
    form: Any,
    submit: str,
    cancel_url: str,
    crumbs: list[tuple[str, str]],
    person: Person | None = None,
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
            "cancel_url": cancel_url,
            "breadcrumbs": crumbs,
            "person": person,
            "intro": intro,
            "warning": warning,
        },
    )


# The directory -------------------------------------------------------------------------------


def _directory(request: HttpRequest, organisation: Organisation) -> tuple[DirectoryFilterForm, Any]:
    form = DirectoryFilterForm(request.GET or None)
    filters = form.filters()
    people = selectors.people_directory(actor=request.user, organisation=organisation, **filters)
    return form, people


@organisation_page
@require_http_methods(["GET", "HEAD"])
def person_list(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _organisation(request, org)
    _require(
        request,
        "people.view_directory",
        organisation,
        "The people directory is for those who coordinate people's work, such as facilitators "
        "and the organisation admin.",
    )
    form, people = _directory(request, organisation)
    page_obj = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return _page(
        request,
        "person_list.html",
        organisation,
        {
            "form": form,
            "page_obj": page_obj,
            "people": page_obj.object_list,
            "querystring_without_page": f"{encoded}&" if encoded else "",
            "querystring": encoded,
            "filtered": any(form.filters().values()),
            "can_add": can(request, "people.add_person", organisation),
            "can_export": can(request, "people.export_people", organisation),
            "breadcrumbs": [*_crumbs(request, organisation)[:-1], ("People", "")],
        },
    )


EXPORT_COLUMNS = (
    "Full name",
    "Preferred name",
    "Pronouns",
    "Current roles",
    "Membership status",
    "Member since",
    "Has a login",
)
# A spreadsheet treats a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> str:
    """A cell a spreadsheet will show as text, never run as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


@organisation_page
@require_http_methods(["GET", "HEAD"])
def people_export(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _organisation(request, org)
    _require(
        request,
        "people.export_people",
        organisation,
        "Only the organisation admin can download the people directory.",
    )
    form, people = _directory(request, organisation)
    rows = list(people)
    audit_record(
        actor=request.user,
        organisation=organisation,
        action=AuditEntry.Action.EXPORT,
        object_type="people.person",
        summary=f"People directory downloaded ({len(rows)} people)",
        changes={"rows": len(rows), "columns": list(EXPORT_COLUMNS), "filters": form.filters()},
    )
    filename = f"{organisation.slug}-people-{timezone.localdate().isoformat()}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(EXPORT_COLUMNS)
    for person in rows:
        writer.writerow(
            [
                csv_safe(cell)
                for cell in (
                    person.full_name,
                    person.preferred_name,
                    person.pronouns,
                    "; ".join(r.get_role_display() for r in person.current_roles),
                    person.get_membership_status_display(),
                    person.membership_since.isoformat() if person.membership_since else "",
                    "Yes" if person.user_id else "No",
                )
            ]
        )
    return response


# One person ----------------------------------------------------------------------------------


@organisation_page
@require_http_methods(["GET", "HEAD"])
def person_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, person = _person(request, org, pk)
    today = timezone.localdate()
    roles = list(selectors.person_roles(actor=request.user, person=person))
    qualifications = list(selectors.person_qualifications(actor=request.user, person=person))
    for qualification in qualifications:
        qualification.expired = (  # type: ignore[attr-defined]
            qualification.expires_on is not None and qualification.expires_on < today
        )
    allowed = {
        "view_contact": can(request, "people.view_contact", person),
        "view_confidential": can(request, "people.view_confidential", person)
        or can(request, "people.break_glass_person", person),
        "edit": can(request, "people.change_person", person)
        or can(request, "people.change_own_details", person),
        "change_membership": can(request, "people.change_membership", person),
        "manage_roles": can(request, "people.manage_roles", person),
        "manage_qualifications": can(request, "people.manage_qualifications", person),
        "invite": can(request, "people.invite_person", person) and person.user_id is None,
    }
    return _page(
        request,
        "person_detail.html",
        organisation,
        {
            "person": person,
            "current_roles": [r for r in roles if r.is_current(today)],
            "upcoming_roles": [r for r in roles if r.starts_on > today],
            "past_roles": [r for r in roles if r.ends_on is not None and r.ends_on < today],
            "qualifications": qualifications,
            "history": list(selectors.person_membership_history(actor=request.user, person=person)),
            "can": allowed,
            "breadcrumbs": _crumbs(request, organisation, None, (person.display_name, "")),
        },
    )


@organisation_page
@require_http_methods(["GET", "HEAD"])
def person_confidential(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, person = _person(request, org, pk)
    crumbs = _crumbs(request, organisation, person, ("Confidential details", ""))
    if can(request, "people.view_confidential", person):
        details = selectors.person_confidential(actor=request.user, person=person)
        return _page(
            request,
            "person_confidential.html",
            organisation,
            {"person": person, "details": details, "breadcrumbs": crumbs},
        )
    if can(request, "people.break_glass_person", person):
        return _page(
            request,
            "person_break_glass.html",
            organisation,
            {"person": person, "form": BreakGlassForm(), "breadcrumbs": crumbs},
        )
    raise Http404("No such record.")


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def person_break_glass(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, person = _person(request, org, pk)
    if can(request, "people.view_confidential", person):
        # They have need to know already; there is no glass to break.
        return redirect("people:person_confidential", org=organisation.slug, pk=person.pk)
    if not can(request, "people.break_glass_person", person):
        raise Http404("No such record.")
    crumbs = _crumbs(request, organisation, person, ("Confidential details", ""))
    form = BreakGlassForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        details = selectors.person_confidential(
            actor=request.user, person=person, reason=form.cleaned_data["reason"], break_glass=True
        )
        # Shown in this response only: seeing them again needs another reason and another entry.
        return _page(
            request,
            "person_confidential.html",
            organisation,
            {"person": person, "details": details, "break_glass": True, "breadcrumbs": crumbs},
        )
    return _page(
        request,
        "person_break_glass.html",
        organisation,
        {"person": person, "form": form, "breadcrumbs": crumbs},
    )


# Adding and changing people ------------------------------------------------------------------


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def person_create(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _organisation(request, org)
    _require(
        request, "people.add_person", organisation, "Only the organisation admin can add people."
    )
    form = PersonCreateForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        values = form.service_values()
        try:
            person = services.person_create(
                actor=request.user,
                organisation=organisation,
                full_name=values.pop("full_name"),
                membership_status=form.cleaned_data["membership_status"],
                membership_since=form.cleaned_data["membership_since"],
                **values,
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"{person.display_name} has been added.")
            return redirect(_detail_url(person))
    return _form_page(
        request,
        organisation,
        title="Add a person",
        form=form,
        submit="Add person",
        cancel_url=reverse("people:person_list", kwargs={"org": organisation.slug}),
        crumbs=_crumbs(request, organisation, None, ("Add a person", "")),
        intro="Not everyone needs a login. You can give them one later from their page.",
    )


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def person_edit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, person = _person(request, org, pk)
    form_class: type[OwnDetailsForm]
    if can(request, "people.change_person", person):
        form_class = PersonForm
    elif can(request, "people.change_own_details", person):
        form_class = OwnDetailsForm
    else:
        raise PermissionDenied("Only the organisation admin can change someone's details.")
    own = form_class is OwnDetailsForm
    if request.method == "POST":
        form = form_class(request.POST, person=person)
        if form.is_valid():
            try:
                services.person_update(actor=request.user, person=person, **form.service_values())
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request,
                    "Your details have been saved." if own else "The details have been saved.",
                )
                return redirect(_detail_url(person))
    else:
        initial = {
            name: getattr(person, name) for name in form_class.allowed_fields() if name != "gender"
        }
        initial.pop("support_needs", None)
        if not own:
            # The form shows the confidential details, so opening it is an audited read.
            details = selectors.person_confidential(
                actor=request.user, person=person, reason="Opened the form to change their details"
            )
            initial["gender"] = details["gender_value"]
            initial["support_needs"] = details["support_needs"]
        form = form_class(initial=initial, person=person)
    title = "Your details" if own else f"Change {person.display_name}’s details"
    return _form_page(
        request,
        organisation,
        title=title,
        form=form,
        submit="Save details",
        cancel_url=_detail_url(person),
        crumbs=_crumbs(request, organisation, person, ("Change details", "")),
        person=person,
        intro=(
            "You can change how you are named and how to reach you. Ask the organisation "
            "admin to change anything else."
            if own
            else ""
        ),
    )


@organisation_page
@require_http_methods(["GET", "HEAD"])
def my_details(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _organisation(request, org)
    person = selectors.actor_person(actor=request.user, organisation=organisation)
    if person is None:
        raise Http404("You are not recorded in this organisation.")
    return redirect("people:person_edit", org=organisation.slug, pk=person.pk)


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def membership_change(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, person = _person(request, org, pk)
    _require(
        request,
        "people.change_membership",
        person,
        "Only the organisation admin can change someone's membership, and never their own.",
    )
    if request.method == "POST":
        form = MembershipChangeForm(request.POST)
        if form.is_valid():
            try:
                services.membership_change(actor=request.user, person=person, **form.cleaned_data)
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "The membership change has been recorded.")
                return redirect(_detail_url(person))
    else:
        form = MembershipChangeForm(initial={"effective_on": timezone.localdate()})
    return _form_page(
        request,
        organisation,
        title=f"Change {person.display_name}’s membership",
        form=form,
        submit="Record the change",
        cancel_url=_detail_url(person),
        crumbs=_crumbs(request, organisation, person, ("Membership", "")),
        person=person,
        intro=f"Their membership is {person.get_membership_status_display().lower()} now.",
    )


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def role_assign(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, person = _person(request, org, pk)
    _require(request, "people.manage_roles", person, "Only the organisation admin can give roles.")
    if request.method == "POST":
        form = RoleAssignForm(request.POST)
        if form.is_valid():
            try:
                assignment = services.role_assign(
                    actor=request.user, person=person, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request, f"{person.display_name} is now {assignment.get_role_display()}."
                )
                return redirect(_detail_url(person))
    else:
        form = RoleAssignForm(initial={"starts_on": timezone.localdate()})
    return _form_page(
        request,
        organisation,
        title=f"Give {person.display_name} a role",
        form=form,
        submit="Give role",
        cancel_url=_detail_url(person),
        crumbs=_crumbs(request, organisation, person, ("Give a role", "")),
        person=person,
    )


def _role(request: HttpRequest, person: Person, role_pk: int) -> RoleAssignment:
    return selectors.role_assignment_get(actor=request.user, person=person, pk=role_pk)


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def role_end(request: HttpRequest, org: str, pk: int, role_pk: int) -> HttpResponse:
    organisation, person = _person(request, org, pk)
    assignment = _role(request, person, role_pk)
    _require(request, "people.manage_roles", person, "Only the organisation admin can end roles.")
    if request.method == "POST":
        form = RoleEndForm(request.POST)
        if form.is_valid():
            try:
                services.role_end(actor=request.user, assignment=assignment, **form.cleaned_data)
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request, f"The role {assignment.get_role_display()} has been ended."
                )
                return redirect(_detail_url(person))
    else:
        form = RoleEndForm(initial={"ends_on": timezone.localdate()})
    role_name = assignment.get_role_display()
    return _form_page(
        request,
        organisation,
        title=f"End {person.display_name}’s role as {role_name}",
        form=form,
        submit="End role",
        cancel_url=_detail_url(person),
        crumbs=_crumbs(request, organisation, person, ("End a role", "")),
        person=person,
        intro=f"They have held it since {_long_date(assignment.starts_on)}.",
    )


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def qualification_add(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, person = _person(request, org, pk)
    _require(
        request,
        "people.manage_qualifications",
        person,
        "Only the organisation admin can record qualifications.",
    )
    form = QualificationForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            qualification = services.qualification_record(
                actor=request.user, person=person, **form.service_values()
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"{qualification.display_title} has been recorded.")
            return redirect(_detail_url(person))
    return _form_page(
        request,
        organisation,
        title=f"Record a qualification for {person.display_name}",
        form=form,
        submit="Record qualification",
        cancel_url=_detail_url(person),
        crumbs=_crumbs(request, organisation, person, ("Record a qualification", "")),
        person=person,
    )


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def qualification_edit(request: HttpRequest, org: str, pk: int, q_pk: int) -> HttpResponse:
    organisation, person = _person(request, org, pk)
    qualification = selectors.qualification_get(actor=request.user, person=person, pk=q_pk)
    _require(
        request,
        "people.manage_qualifications",
        person,
        "Only the organisation admin can change qualifications.",
    )
    if request.method == "POST":
        form = QualificationForm(request.POST, editing=True)
        if form.is_valid():
            try:
                services.qualification_update(
                    actor=request.user, qualification=qualification, **form.service_values()
                )
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "The qualification has been saved.")
                return redirect(_detail_url(person))
    else:
        initial = {
            name: getattr(qualification, name)
            for name in ("kind", "title", "obtained_on", "expires_on", "note")
        }
        form = QualificationForm(initial=initial, editing=True)
    return _form_page(
        request,
        organisation,
        title=f"Change {qualification.display_title}",
        form=form,
        submit="Save qualification",
        cancel_url=_detail_url(person),
        crumbs=_crumbs(request, organisation, person, ("Change a qualification", "")),
        person=person,
    )


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def qualification_remove(request: HttpRequest, org: str, pk: int, q_pk: int) -> HttpResponse:
    organisation, person = _person(request, org, pk)
    qualification = selectors.qualification_get(actor=request.user, person=person, pk=q_pk)
    _require(
        request,
        "people.manage_qualifications",
        person,
        "Only the organisation admin can remove qualifications.",
    )
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        title = qualification.display_title
        try:
            services.qualification_delete(
                actor=request.user, qualification=qualification, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request, f"{title} has been removed from {person.display_name}’s record."
            )
            return redirect(_detail_url(person))
    return _form_page(
        request,
        organisation,
        title=f"Remove {qualification.display_title}",
        form=form,
        submit="Remove qualification",
        cancel_url=_detail_url(person),
        crumbs=_crumbs(request, organisation, person, ("Remove a qualification", "")),
        person=person,
        intro=(
            f"Obtained on {_long_date(qualification.obtained_on)}. The removal and your reason "
            "are kept in the audit log."
        ),
        warning=True,
    )


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def person_invite(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, person = _person(request, org, pk)
    _require(
        request, "people.invite_person", person, "Only the organisation admin can give logins."
    )
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.person_invite(actor=request.user, person=person)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"An invitation to sign in has been sent to {person.email}.")
            return redirect(_detail_url(person))
    return _page(
        request,
        "person_invite.html",
        organisation,
        {
            "person": person,
            "form": form,
            "breadcrumbs": _crumbs(request, organisation, person, ("Give a login", "")),
        },
    )
