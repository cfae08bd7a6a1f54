"""Meeting pages: my meetings, one meeting, scheduling, attendance, notes, calendars.

Each view finds the organisation and meeting through the selectors (a 404 for anyone without
need to know), checks the permission before showing a form, and calls a service for every
change. A service's ValidationError is shown on the form with what was typed; nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from commonground.access.policy import standing
from commonground.meetings import selectors, services
from commonground.meetings.calendar import calendar_bytes
from commonground.meetings.forms import (
    ApologiesOnBehalfForm,
    AttendanceForm,
    CancelForm,
    InviteForm,
    MeetingForm,
    NotesForm,
    OwnApologiesForm,
)
from commonground.meetings.kinds import kind_spec
from commonground.meetings.models import Meeting, Participant
from commonground.meetings.rules import participation
from commonground.meetings.staffing import (
    StaffingProblem,
    applicable_rules,
    meeting_staffing,
    staffing_check,
    warnings,
)
from commonground.people.models import Organisation
from commonground.people.selectors import organisation_get
from commonground.policies.selectors import organisation_policy
from commonground.web.pages import can, organisation_page, page_renderer

PAGE_SIZE = 25


def _meeting(request: HttpRequest, org: str, pk: int) -> tuple[Organisation, Meeting]:
    organisation = organisation_get(actor=request.user, slug=org)
    return organisation, selectors.meeting_get(actor=request.user, organisation=organisation, pk=pk)


def _detail_url(meeting: Meeting) -> str:
    return reverse(
        "meetings:meeting_detail", kwargs={"org": meeting.organisation.slug, "pk": meeting.pk}
    )


def _crumbs(organisation: Organisation, *rest: tuple[str, str]) -> list[tuple[str, str]]:
    return [
        (organisation.name, reverse("organisation_home", kwargs={"org": organisation.slug})),
        ("Meetings", reverse("meetings:meeting_list", kwargs={"org": organisation.slug})),
        *rest,
    ]


_page = page_renderer("meetings")


def _manage(request: HttpRequest, meeting: Meeting, message: str) -> None:
    if not can(request, "meetings.manage_meeting", meeting):
        raise PermissionDenied(message)


def _warn(request: HttpRequest, problems: list[StaffingProblem]) -> None:
    for problem in warnings(problems):
        messages.warning(request, f"{problem.rule_id}: {problem.message}")


# Lists ---------------------------------------------------------------------------------------


@organisation_page
@require_http_methods(["GET", "HEAD"])
def meeting_list(request: HttpRequest, org: str) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    is_admin = standing(request.user, organisation).is_admin
    show = "all" if is_admin and request.GET.get("show") == "all" else "mine"
    if show == "all":
        queryset = selectors.organisation_meetings(actor=request.user, organisation=organisation)
    else:
        queryset = selectors.my_meetings(actor=request.user, organisation=organisation)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    me = standing(request.user, organisation).person
    rows = []
    for meeting in page.object_list:
        own = participation(me, meeting)
        rows.append(
            {
                "meeting": meeting,
                "own": own,
                "show_place": can(request, "meetings.view_place", meeting),
            }
        )
    return _page(
        request,
        "meeting_list.html",
        organisation,
        {
            "rows": rows,
            "page_obj": page,
            "show": show,
            "is_admin": is_admin,
            "can_add": can(request, "meetings.add_meeting", organisation),
            "querystring_without_page": f"show={show}&",
            "breadcrumbs": [*_crumbs(organisation)[:-1], ("Meetings", "")],
        },
    )


# One meeting ---------------------------------------------------------------------------------


def _staffing_context(meeting: Meeting) -> dict[str, Any]:
    in_force = organisation_policy(meeting.organisation)
    return {
        "rules": applicable_rules(in_force=in_force, kind=meeting.kind),
        "problems": meeting_staffing(meeting=meeting, in_force=in_force),
    }


@organisation_page
@require_http_methods(["GET", "HEAD"])
def meeting_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, meeting = _meeting(request, org, pk)
    me = standing(request.user, organisation).person
    own = participation(me, meeting)
    can_manage = can(request, "meetings.manage_meeting", meeting)
    participants = list(meeting.participants.all())
    return _page(
        request,
        "meeting_detail.html",
        organisation,
        {
            "meeting": meeting,
            "own": own,
            "facilitators": [p for p in participants if p.is_facilitator],
            "attendees": [p for p in participants if not p.is_facilitator] if can_manage else [],
            "can": {
                "manage": can_manage,
                "view_place": can(request, "meetings.view_place", meeting),
                "view_notes": can(request, "meetings.view_notes", meeting),
            },
            "scheduled": meeting.status == Meeting.Status.SCHEDULED,
            "staffing": _staffing_context(meeting) if can_manage else None,
            "apologies_form": OwnApologiesForm()
            if own is not None and own.status not in Participant.NOT_THERE
            else None,
            "breadcrumbs": _crumbs(organisation, (meeting.title, "")),
        },
    )


def _form_staffing(
    form: MeetingForm, organisation: Organisation, kind: str, meeting: Meeting | None
) -> list[StaffingProblem] | None:
    """The staffing check for what is typed, before saving (None if the form is not valid)."""
    if not form.is_valid():
        return None
    facilitators = list(form.cleaned_data["facilitators"])
    if meeting is not None:
        away = {
            p.person_id for p in meeting.participants.all() if p.status in Participant.NOT_THERE
        }
        facilitators = [p for p in facilitators if p.pk not in away]
    return staffing_check(
        in_force=organisation_policy(organisation),
        kind=kind,
        on=form.starts_at().date(),
        facilitators=facilitators,
    )


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def meeting_create(request: HttpRequest, org: str) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    if not can(request, "meetings.add_meeting", organisation):
        raise PermissionDenied(
            "Only those who coordinate the organisation's work can schedule meetings."
        )
    form = MeetingForm(
        request.POST if request.method == "POST" else None,
        organisation=organisation,
        initial={"kind": request.GET.get("kind", "")},
    )
    checked: list[StaffingProblem] | None = None
    if form.is_bound and form.is_valid():
        kind = form.cleaned_data["kind"]
        if request.POST.get("action") == "check":
            checked = _form_staffing(form, organisation, kind, None)
        else:
            data = form.cleaned_data
            try:
                meeting = services.meeting_schedule(
                    actor=request.user,
                    organisation=organisation,
                    kind=kind,
                    title=data["title"],
                    starts_at=form.starts_at(),
                    duration=form.duration(),
                    place=data["place"],
                    place_confidential=data["place_confidential"],
                    facilitators=list(data["facilitators"]),
                    lead=data["lead"],
                    attendees=list(data["attendees"]),
                )
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "The meeting is scheduled.")
                _warn(request, _staffing_context(meeting)["problems"])
                return redirect(_detail_url(meeting))
    return _page(
        request,
        "meeting_form.html",
        organisation,
        {
            "title": "Schedule a meeting",
            "form": form,
            "checked": checked,
            "submit": "Schedule the meeting",
            "cancel_url": reverse("meetings:meeting_list", kwargs={"org": organisation.slug}),
            "breadcrumbs": _crumbs(organisation, ("Schedule a meeting", "")),
        },
    )


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def meeting_edit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, meeting = _meeting(request, org, pk)
    _manage(request, meeting, "Only its facilitators or the admin can change a meeting.")
    if meeting.status != Meeting.Status.SCHEDULED:
        raise PermissionDenied("This meeting is no longer scheduled, so it cannot be changed.")
    show_place = can(request, "meetings.view_place", meeting)
    participants = list(meeting.participants.all())
    if request.method == "POST":
        form = MeetingForm(
            request.POST, organisation=organisation, editing=True, show_place=show_place
        )
    else:
        lead = next((p.person for p in participants if p.role == Participant.Role.LEAD), None)
        local = timezone.localtime(meeting.starts_at)
        initial: dict[str, Any] = {
            "title": meeting.title,
            "date": local.date(),
            "time": local.time().replace(second=0, microsecond=0),
            "duration_minutes": meeting.duration_minutes,
            "facilitators": [p.person for p in participants if p.is_facilitator],
            "lead": lead,
        }
        if show_place:
            initial |= {"place": meeting.place, "place_confidential": meeting.place_confidential}
        form = MeetingForm(
            initial=initial, organisation=organisation, editing=True, show_place=show_place
        )
    checked: list[StaffingProblem] | None = None
    if form.is_bound and form.is_valid():
        if request.POST.get("action") == "check":
            checked = _form_staffing(form, organisation, meeting.kind, meeting)
        else:
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    place_values = (
                        {"place": data["place"], "place_confidential": data["place_confidential"]}
                        if show_place
                        else {}
                    )
                    # The facilitators first, then the date: both are checked on the new day.
                    services.meeting_set_facilitators(
                        actor=request.user,
                        meeting=meeting,
                        facilitators=list(data["facilitators"]),
                        lead=data["lead"],
                    )
                    services.meeting_reschedule(
                        actor=request.user,
                        meeting=meeting,
                        title=data["title"],
                        starts_at=form.starts_at(),
                        duration=form.duration(),
                        **place_values,
                    )
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "The meeting has been changed.")
                fresh = selectors.meeting_get(
                    actor=request.user, organisation=organisation, pk=meeting.pk
                )
                _warn(request, _staffing_context(fresh)["problems"])
                return redirect(_detail_url(meeting))
    return _page(
        request,
        "meeting_form.html",
        organisation,
        {
            "title": f"Change {meeting.title}",
            "form": form,
            "checked": checked,
            "meeting": meeting,
            "submit": "Save changes",
            "cancel_url": _detail_url(meeting),
            "breadcrumbs": _crumbs(
                organisation, (meeting.title, _detail_url(meeting)), ("Change", "")
            ),
        },
    )


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def meeting_invite(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, meeting = _meeting(request, org, pk)
    _manage(request, meeting, "Only its facilitators or the admin can invite people.")
    exclude = {p.person_id for p in meeting.participants.all()}
    form = InviteForm(
        request.POST if request.method == "POST" else None,
        organisation=organisation,
        exclude=exclude,
    )
    if form.is_bound and form.is_valid():
        try:
            services.meeting_invite(
                actor=request.user, meeting=meeting, people=list(form.cleaned_data["people"])
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Invitations are on their way.")
            return redirect(_detail_url(meeting))
    return _page(
        request,
        "simple_form.html",
        organisation,
        {
            "title": f"Invite people to {meeting.title}",
            "form": form,
            "submit": "Invite",
            "cancel_url": _detail_url(meeting),
            "breadcrumbs": _crumbs(
                organisation, (meeting.title, _detail_url(meeting)), ("Invite", "")
            ),
        },
    )


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def meeting_apologies(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, meeting = _meeting(request, org, pk)
    me = standing(request.user, organisation).person
    on_behalf = can(request, "meetings.manage_meeting", meeting) and (
        request.GET.get("for") == "other" or "person" in request.POST
    )
    data = request.POST if request.method == "POST" else None
    form: OwnApologiesForm | ApologiesOnBehalfForm
    if on_behalf:
        form = ApologiesOnBehalfForm(data, participants=list(meeting.participants.all()))
    else:
        if participation(me, meeting) is None:
            raise PermissionDenied("Only those taking part can send apologies.")
        form = OwnApologiesForm(data)
    if form.is_bound and form.is_valid():
        values = form.cleaned_data
        person = values.get("person") or me
        if person is None:
            raise PermissionDenied("Only those taking part can send apologies.")
        try:
            services.meeting_record_apologies(
                actor=request.user,
                meeting=meeting,
                person=person,
                reason=values.get("reason", ""),
                received_by=values.get("received_by", ""),
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "The apologies are recorded. Thank you for letting us know.")
            return redirect(_detail_url(meeting))
    return _page(
        request,
        "simple_form.html",
        organisation,
        {
            "title": "Record apologies" if on_behalf else "Send apologies",
            "intro": "Record apologies someone sent by text message, phone or in person (PSP-10)."
            if on_behalf
            else f"Let the facilitators know you cannot come to {meeting.title}.",
            "form": form,
            "submit": "Record apologies" if on_behalf else "Send apologies",
            "cancel_url": _detail_url(meeting),
            "breadcrumbs": _crumbs(
                organisation, (meeting.title, _detail_url(meeting)), ("Apologies", "")
            ),
        },
    )


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def meeting_attendance(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, meeting = _meeting(request, org, pk)
    _manage(request, meeting, "Only its facilitators or the admin can record attendance.")
    participants = list(meeting.participants.all())
    form = AttendanceForm(
        request.POST if request.method == "POST" else None, participants=participants
    )
    if form.is_bound and form.is_valid():
        try:
            services.meeting_record_attendance(
                actor=request.user, meeting=meeting, attendance=form.attendance()
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Attendance is recorded.")
            return redirect(_detail_url(meeting))
    return _page(
        request,
        "simple_form.html",
        organisation,
        {
            "title": f"Who came to {meeting.title}",
            "form": form,
            "submit": "Record attendance",
            "cancel_url": _detail_url(meeting),
            "breadcrumbs": _crumbs(
                organisation, (meeting.title, _detail_url(meeting)), ("Attendance", "")
            ),
        },
    )


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def meeting_notes(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, meeting = _meeting(request, org, pk)
    if not can(request, "meetings.view_notes", meeting):
        raise Http404("No such notes.")
    can_write = (
        can(request, "meetings.manage_meeting", meeting)
        and meeting.status != Meeting.Status.CANCELLED
    )
    sections = selectors.notes_template(meeting=meeting)
    form: NotesForm | None = None
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied("Only its facilitators or the admin can write the notes.")
        form = NotesForm(request.POST, sections=sections)
        if form.is_valid():
            try:
                services.meeting_write_notes(
                    actor=request.user, meeting=meeting, sections=form.values()
                )
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "The notes are saved.")
                return redirect("meetings:meeting_notes", org=organisation.slug, pk=meeting.pk)
    notes = selectors.meeting_notes(actor=request.user, meeting=meeting)
    if form is None and can_write:
        form = NotesForm(initial=notes, sections=sections)
    return _page(
        request,
        "meeting_notes.html",
        organisation,
        {
            "meeting": meeting,
            "form": form,
            "shown": [(s, notes.get(s.key, "")) for s in sections],
            "outcomes": list(meeting.outcomes.all()),
            "shared_with_attendees": kind_spec(meeting.kind).attendees_see_notes,
            "breadcrumbs": _crumbs(
                organisation, (meeting.title, _detail_url(meeting)), ("Notes", "")
            ),
        },
    )


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def meeting_cancel(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, meeting = _meeting(request, org, pk)
    _manage(request, meeting, "Only its facilitators or the admin can cancel a meeting.")
    form = CancelForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.meeting_cancel(
                actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "The meeting is cancelled and those taking part are told.")
            return redirect(_detail_url(meeting))
    return _page(
        request,
        "simple_form.html",
        organisation,
        {
            "title": f"Cancel {meeting.title}",
            "form": form,
            "submit": "Cancel the meeting",
            "warning": True,
            "cancel_url": _detail_url(meeting),
            "breadcrumbs": _crumbs(
                organisation, (meeting.title, _detail_url(meeting)), ("Cancel", "")
            ),
        },
    )


# Calendars -----------------------------------------------------------------------------------


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@organisation_page
@require_http_methods(["GET", "HEAD"])
def meeting_ics(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, meeting = _meeting(request, org, pk)
    body = calendar_bytes(
        [(meeting, can(request, "meetings.view_place", meeting))],
        name=organisation.name,
    )
    return _ics_response(body, f"meeting-{meeting.pk}.ics")


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def calendar_settings(request: HttpRequest, org: str) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    if standing(request.user, organisation).person is None:
        raise Http404("You are not recorded in this organisation.")
    new_url = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            _feed, raw = services.calendar_feed_create(
                actor=request.user, organisation=organisation
            )
            new_url = request.build_absolute_uri(
                reverse("meetings:calendar_feed", kwargs={"org": organisation.slug, "token": raw})
            )
            messages.success(
                request, "Your new calendar address is below. Any older one has stopped working."
            )
        elif action == "revoke":
            feed = selectors.live_feed(actor=request.user, organisation=organisation)
            if feed is not None:
                services.calendar_feed_revoke(actor=request.user, feed=feed)
                messages.success(request, "Your calendar address has stopped working.")
            return redirect("meetings:calendar_settings", org=organisation.slug)
        else:
            return redirect("meetings:calendar_settings", org=organisation.slug)
    return _page(
        request,
        "calendar_settings.html",
        organisation,
        {
            "feed": selectors.live_feed(actor=request.user, organisation=organisation),
            "new_url": new_url,
            "breadcrumbs": _crumbs(organisation, ("Calendar feed", "")),
        },
    )


@require_http_methods(["GET", "HEAD"])
def calendar_feed(request: HttpRequest, org: str, token: str) -> HttpResponse:
    """The private feed: no login, the token is the credential. Revoked or unknown: 404."""
    person = selectors.feed_owner(organisation_slug=org, raw_token=token)
    user = person.user
    meetings = selectors.feed_meetings(person=person)
    body = calendar_bytes(
        [(m, bool(user is not None and user.has_perm("meetings.view_place", m))) for m in meetings],
        name=f"{person.organisation.name}: my meetings",
    )
    response = _ics_response(body, "meetings.ics")
    response["Content-Disposition"] = 'inline; filename="meetings.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response
