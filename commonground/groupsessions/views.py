"""Pages for running a weekly session (PSP-6..9), made for a phone and for paper.

The session page follows the organisation's structure step by step with plain POST forms (no
JavaScript needed); the round timer (static/groupsessions/round-timer.js) only adds a countdown.
The printed plan gives each peer's share of each round. Refusals re-render the session page with
what went wrong, naming the field and the rule; GET pages change nothing.
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
from django.views.decorators.http import require_http_methods, require_POST

from commonground.groups.models import SupportGroup
from commonground.groupsessions import selectors, services, timer
from commonground.groupsessions.forms import ActionForm, ConcernForm
from commonground.groupsessions.models import Round, SessionRun
from commonground.meetings.models import Meeting, Participant
from commonground.people.models import Organisation, Person
from commonground.people.selectors import organisation_get
from commonground.policies.registry import rule
from commonground.policies.selectors import organisation_policy
from commonground.web.pages import MAX_PK, organisation_page, page_renderer

_page = page_renderer("groupsessions")
STATUS_CHOICES = [
    (Participant.Status.ATTENDED, "Here"),
    (Participant.Status.ABSENT, "Absent"),
    (Participant.Status.APOLOGIES, "Apologies"),
]


def _url(name: str, organisation: Organisation, **kwargs: Any) -> str:
    return reverse(f"groupsessions:{name}", kwargs={"org": organisation.slug, **kwargs})


def _crumbs(
    organisation: Organisation, group: SupportGroup | None, *rest: tuple[str, str]
) -> list[tuple[str, str]]:
    crumbs = [(organisation.name, reverse("organisation_home", kwargs={"org": organisation.slug}))]
    if group is not None:
        crumbs.append(
            (
                group.name,
                reverse("groups:group_detail", kwargs={"org": organisation.slug, "pk": group.pk}),
            )
        )
    return [*crumbs, *rest]


def _session(request: HttpRequest, org: str, pk: int) -> tuple[Organisation, Meeting, SupportGroup]:
    organisation = organisation_get(actor=request.user, slug=org)
    meeting, group = selectors.session_get(actor=request.user, organisation=organisation, pk=pk)
    return organisation, meeting, group


def _messages(exc: ValidationError) -> list[str]:
    found = []
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                text = error.message % (error.params or {})
                found.append(f"{field.replace('_', ' ').capitalize()}: {text} ({error.code})")
    else:
        found.extend(exc.messages)
    return found


def _int(value: Any, field: str) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        raise services._error(field, "Choose from the list.", "invalid") from None
    if not 1 <= number <= MAX_PK:
        raise services._error(field, "Choose from the list.", "invalid")
    return number


def _person(meeting: Meeting, value: Any, field: str = "person") -> Person:
    person = Person.objects.filter(organisation=meeting.organisation, pk=_int(value, field)).first()
    if person is None:
        raise services._error(field, "Choose someone from the list.", "invalid_choice")
    return person


# The session page ------------------------------------------------------------------------------


def _steps(run: SessionRun | None, structure: list[str]) -> list[dict[str, Any]]:
    current = run.current if run is not None else -1
    ended = run is not None and run.ended_at is not None
    return [
        {
            "index": i,
            "key": key,
            "label": selectors.step_label(key),
            "state": "done" if ended or i < current else ("current" if i == current else "todo"),
        }
        for i, key in enumerate(structure)
    ]


def _structure(run: SessionRun | None, organisation: Organisation) -> list[str]:
    if run is not None:
        return list(run.structure)
    return list(selectors.structure(organisation_policy(organisation)))


def _panel(key: str, structure: list[str]) -> str:
    if key == "welcome_and_housekeeping":
        return "attendance"
    if key in selectors.offer_keys(structure):
        return "offers"
    if key in selectors.slot_keys(structure):
        return "slot"
    if key == "housekeeping_summary":
        return "housekeeping"
    if key in selectors.round_keys(structure):
        return "round"
    return "plain"


def _default_minutes(meeting: Meeting, run: SessionRun | None, key: str) -> int:
    structure = run.structure if run is not None else list(selectors.DEFAULT_STRUCTURE)
    steps_left = len(structure) - structure.index(key) if key in structure else 1
    seconds = int((meeting.ends_at - timezone.now()).total_seconds())
    return max(1, timer.round_length(seconds, steps_left) // 60)


def _round_context(found: Round | None) -> dict[str, Any] | None:
    if found is None:
        return None
    now = timezone.now()
    state = selectors.round_state(found, now)
    return {"state": state, "now": now}


def _session_response(
    request: HttpRequest,
    organisation: Organisation,
    meeting: Meeting,
    group: SupportGroup,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    run = SessionRun.objects.filter(meeting=meeting).first()
    structure = _structure(run, organisation)
    key = run.current_key if run is not None and run.is_running else ""
    panel = _panel(key, structure) if key else ""
    people = selectors.participants(meeting)
    present = [p.person for p in people if p.status == Participant.Status.ATTENDED]
    offers = selectors.take_time_list(meeting)
    offered = {o.person_id for o in offers}
    rounds = selectors.rounds_of(meeting)
    actions = list(selectors.group_actions(group).filter(meeting=meeting))
    return _page(
        request,
        "session.html",
        organisation,
        {
            "meeting": meeting,
            "group": group,
            "run": run,
            "steps": _steps(run, structure),
            "key": key,
            "label": selectors.step_label(key) if key else "",
            "panel": panel,
            "is_last": run is not None and run.current == len(run.structure) - 1,
            "people": people,
            "status_choices": STATUS_CHOICES,
            "walk_ins": selectors.walk_in_candidates(meeting, group)
            if panel == "attendance"
            else [],
            "present": present,
            "offers": offers,
            "can_offer": [p for p in present if p.pk not in offered],
            "guarantees": selectors.guarantees_due(group, meeting) if panel == "offers" else [],
            "slot_taker": next((o for o in offers if o.slot == key), None),
            "slot_choices": [o for o in offers if not o.slot],
            "has_round": key in selectors.round_keys(structure),
            "round": _round_context(rounds.get(key)),
            "default_minutes": _default_minutes(meeting, run, key) if key else 0,
            "actions": actions,
            "errors": errors or [],
            "rules": {f"psp{n}": rule(f"PSP-{n}") for n in (6, 7, 8)},
            "breadcrumbs": _crumbs(organisation, group, ("Session", "")),
        },
        status=status,
    )


@organisation_page
@require_http_methods(["GET", "HEAD"])
def session(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, meeting, group = _session(request, org, pk)
    return _session_response(request, organisation, meeting, group)


def _post(request: HttpRequest, org: str, pk: int, change: Any, done: str) -> HttpResponse:
    """Run one change from the session page: back to the page, or the page with the refusal."""
    organisation, meeting, group = _session(request, org, pk)
    try:
        change(meeting, group)
    except ValidationError as exc:
        return _session_response(
            request, organisation, meeting, group, errors=_messages(exc), status=400
        )
    if done:
        messages.success(request, done)
    return redirect(_url("session", organisation, pk=meeting.pk) + "#now")


@organisation_page
@require_POST
def session_step(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    action = request.POST.get("action", "")

    def change(meeting: Meeting, group: SupportGroup) -> None:
        if action == "start":
            services.session_start(actor=request.user, meeting=meeting)
        else:
            services.session_move(actor=request.user, meeting=meeting, direction=action)

    return _post(request, org, pk, change, "")


@organisation_page
@require_POST
def session_attendance(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    def change(meeting: Meeting, group: SupportGroup) -> None:
        marks: dict[int, str] = {}
        for name in request.POST:
            if name.startswith("status_"):
                marks[_int(name.removeprefix("status_"), "attendance")] = str(request.POST[name])
        if not marks:
            raise services._error("attendance", "Mark who is here.", "required")
        services.attendance_record(actor=request.user, meeting=meeting, attendance=marks)

    return _post(request, org, pk, change, "Attendance saved.")


@organisation_page
@require_POST
def session_walk_in(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    def change(meeting: Meeting, group: SupportGroup) -> None:
        person = _person(meeting, request.POST.get("person"))
        services.walk_in_add(actor=request.user, meeting=meeting, person=person)

    return _post(request, org, pk, change, "Added to the session as here.")


@organisation_page
@require_POST
def session_take_time(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    def change(meeting: Meeting, group: SupportGroup) -> None:
        person = _person(meeting, request.POST.get("person"))
        if request.POST.get("slot"):
            services.take_time_slot(
                actor=request.user, meeting=meeting, person=person, slot=request.POST["slot"]
            )
        else:
            services.take_time_offer(actor=request.user, meeting=meeting, person=person)

    return _post(request, org, pk, change, "")


@organisation_page
@require_POST
def round_start(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    def change(meeting: Meeting, group: SupportGroup) -> None:
        raw = (request.POST.get("minutes") or "").strip()
        minutes = None
        if raw:
            if not raw.isdigit():
                raise services._error("minutes", "Give the round's length in minutes.", "PSP-7")
            minutes = int(raw[:6])
        services.round_start(
            actor=request.user, meeting=meeting, step=request.POST.get("step", ""), minutes=minutes
        )

    return _post(request, org, pk, change, "")


@organisation_page
@require_POST
def round_turn(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    def change(meeting: Meeting, group: SupportGroup) -> None:
        found = Round.objects.filter(
            meeting=meeting, pk=_int(request.POST.get("round"), "round")
        ).first()
        if found is None:
            raise services._error("round", "There is no such round.", "invalid_choice")
        person_id = _int(request.POST.get("person"), "person")
        if request.POST.get("action") == "pass":
            services.turn_pass(actor=request.user, round=found, person_id=person_id)
        else:
            services.turn_done(actor=request.user, round=found, person_id=person_id)

    return _post(request, org, pk, change, "")


# The printed plan ------------------------------------------------------------------------------


@organisation_page
@require_http_methods(["GET", "HEAD"])
def session_plan(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """Without JavaScript (or on paper): each step's time and each peer's share of each round."""
    organisation, meeting, group = _session(request, org, pk)
    run = SessionRun.objects.filter(meeting=meeting).first()
    structure = _structure(run, organisation)
    people = [
        p.person for p in selectors.participants(meeting) if p.status not in Participant.NOT_THERE
    ]
    rounds = selectors.rounds_of(meeting)
    each = int(meeting.duration.total_seconds()) // max(1, len(structure))
    rows = []
    at = meeting.starts_at
    for key in structure:
        found = rounds.get(key)
        shares: list[tuple[str, int]] = []
        if found is not None:
            state = selectors.round_state(found)
            shares = [(t.person.display_name, s) for t, s in state.rows]
        elif key in selectors.round_keys(structure):
            speakers = people
            shares = list(
                zip(
                    [p.display_name for p in speakers],
                    timer.split(each, len(speakers)),
                    strict=True,
                )
            )
        rows.append(
            {
                "label": selectors.step_label(key),
                "starts": at,
                "seconds": found.total_seconds if found else each,
                "shares": [(name, timer.minutes_text(s)) for name, s in shares],
            }
        )
        at = at + dt.timedelta(seconds=each)
    return _page(
        request,
        "plan.html",
        organisation,
        {
            "meeting": meeting,
            "group": group,
            "rows": rows,
            "each": timer.minutes_text(each),
            "rule7": rule("PSP-7"),
            "breadcrumbs": _crumbs(
                organisation,
                group,
                ("Session", _url("session", organisation, pk=meeting.pk)),
                ("Printed plan", ""),
            ),
        },
    )


# PSP-8: housekeeping actions -------------------------------------------------------------------


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def action_create(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, meeting, group = _session(request, org, pk)
    people = [p.person for p in selectors.participants(meeting)]
    people += [
        m.person
        for m in group.members.current().select_related("person")
        if m.person_id not in {p.pk for p in people}
    ]
    form = ActionForm(request.POST if request.method == "POST" else None, people=people)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            services.action_create(
                actor=request.user,
                meeting=meeting,
                kind=data["kind"],
                owner=data["owner"],
                about=data["about"],
                title=data["title"],
                due_on=data["due_on"],
                next_starts_at=data["next_starts_at"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Housekeeping action recorded.")
            return redirect(_url("session", organisation, pk=meeting.pk) + "#now")
    return _page(
        request,
        "form_page.html",
        organisation,
        {
            "title": "Record a housekeeping action",
            "intro": "PSP-8: the next meeting, a guarantee that a peer may Take Time next "
            "meeting, or a facilitator's promise. Each has an owner and a date, and shows on "
            "the owner's list of things to do.",
            "form": form,
            "submit": "Record the action",
            "cancel_url": _url("session", organisation, pk=meeting.pk),
            "breadcrumbs": _crumbs(
                organisation,
                group,
                ("Session", _url("session", organisation, pk=meeting.pk)),
                ("Housekeeping action", ""),
            ),
        },
        status=400 if form.is_bound else 200,
    )


@organisation_page
@require_http_methods(["GET", "HEAD"])
def group_actions(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """The group's housekeeping actions: every member sees them (PSP-8)."""
    organisation = organisation_get(actor=request.user, slug=org)
    group = selectors.group_for_actions(actor=request.user, organisation=organisation, pk=pk)
    actions = list(selectors.group_actions(group).order_by("done_at", "due_on", "pk"))
    return _page(
        request,
        "actions.html",
        organisation,
        {
            "group": group,
            "open": [a for a in actions if a.done_at is None],
            "done": [a for a in actions if a.done_at is not None][:50],
            "can_mark": {
                a.pk for a in actions if request.user.has_perm("groupsessions.mark_action_done", a)
            },
            "why": rule("PSP-8"),
            "breadcrumbs": _crumbs(organisation, group, ("Housekeeping actions", "")),
        },
    )


@organisation_page
@require_POST
def action_done(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    action = selectors.action_get(actor=request.user, organisation=organisation, pk=pk)
    try:
        services.action_done(actor=request.user, action=action)
    except ValidationError as exc:
        messages.error(request, " ".join(_messages(exc)))
    else:
        messages.success(request, "Marked done.")
    return redirect(_url("group_actions", organisation, pk=action.group_id))


# PSP-9: safeguarding concerns ------------------------------------------------------------------


@organisation_page
@require_http_methods(["GET", "HEAD", "POST"])
def concern_create(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation, meeting, group = _session(request, org, pk)
    people = [p.person for p in selectors.participants(meeting)]
    form = ConcernForm(request.POST if request.method == "POST" else None, people=people)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            found = services.concern_record(actor=request.user, meeting=meeting, **data)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request, "Concern recorded. Only the safeguarding lead and you can read it."
            )
            return redirect(_url("concern_detail", organisation, pk=found.pk))
    return _page(
        request,
        "form_page.html",
        organisation,
        {
            "title": "Record a safeguarding concern",
            "intro": "PSP-9: what is said in the room stays in the room, except under the "
            "Safeguarding Policy. This record is kept apart from the session, encrypted, and "
            "read only by the safeguarding lead and you; every reading is logged.",
            "form": form,
            "submit": "Record the concern",
            "cancel_url": _url("session", organisation, pk=meeting.pk),
            "breadcrumbs": _crumbs(
                organisation,
                group,
                ("Session", _url("session", organisation, pk=meeting.pk)),
                ("Safeguarding concern", ""),
            ),
        },
        status=400 if form.is_bound else 200,
    )


@organisation_page
@require_http_methods(["GET", "HEAD"])
def concern_list(request: HttpRequest, org: str) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    lead = services.is_safeguarding_lead(request.user, organisation)
    rows = list(selectors.concerns_visible(actor=request.user, organisation=organisation)[:200])
    if not lead and not rows and not _runs_any_group(request, organisation):
        raise PermissionDenied(
            "Safeguarding concerns are read by the safeguarding lead and whoever recorded them."
        )
    return _page(
        request,
        "concerns.html",
        organisation,
        {
            "rows": rows,
            "lead": lead,
            "breadcrumbs": _crumbs(organisation, None, ("Safeguarding concerns", "")),
        },
    )


def _runs_any_group(request: HttpRequest, organisation: Organisation) -> bool:
    return any(
        request.user.has_perm("groups.run_session", g)
        for g in SupportGroup.objects.filter(organisation=organisation)[:50]
    )


@organisation_page
@require_http_methods(["GET", "HEAD"])
def concern_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    found = selectors.concern_get(actor=request.user, organisation=organisation, pk=pk)
    return _page(
        request,
        "concern_detail.html",
        organisation,
        {
            "item": found,
            "why": rule("PSP-9"),
            "breadcrumbs": _crumbs(
                organisation,
                None,
                ("Safeguarding concerns", _url("concern_list", organisation)),
                (f"Concern {found.pk}", ""),
            ),
        },
    )
