"""Demo Community Resolution Meetings for ASH, made through the services: one case whose
meeting gave a member an Action Plan and a Notice to Quit, and one that went on to reinstatement.

The demo's members here have no login, so their Shared Agreement is drafted but never reached
(no Shared Agreement, ASH-7) and one of them stopped engaging."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from commonground.agreements.kinds import Kind, PartyRole
from commonground.agreements.services import agreement_create
from commonground.casework.models import Case, CaseParty, CaseSupporter
from commonground.meetings.services import meeting_record_attendance, meeting_schedule
from commonground.people.models import Organisation, Person, RoleAssignment
from commonground.people.roles import Role
from commonground.people.services import person_create
from commonground.resolution import services
from commonground.resolution.models import CommunityResolutionMeeting, NoticeToQuit


def _holders(organisation: Organisation, role: str) -> list[Person]:
    ids = (
        RoleAssignment.objects.current()
        .filter(organisation=organisation, role=role, person__user__isnull=False)
        .values_list("person_id", flat=True)
    )
    return list(Person.objects.filter(pk__in=ids).order_by("pk"))


def _through_crm(
    organisation: Organisation,
    *,
    admin: Person,
    supporter: Person,
    reference: str,
    title: str,
    names: tuple[str, str],
) -> NoticeToQuit:
    members = [
        person_create(
            actor=admin.user,
            organisation=organisation,
            full_name=name,
            contact_channels=["post"],
            postal_address=f"Flat {n}, Ash House",
        )
        for n, name in enumerate(names, start=3)
    ]
    case = Case.objects.create(
        organisation=organisation, reference=reference, title=title, stage=Case.Stage.REVIEW
    )
    parties = [
        CaseParty.objects.create(case=case, person=members[0], alias="Member A", engaging=False),
        CaseParty.objects.create(case=case, person=members[1], alias="Member B"),
    ]
    CaseSupporter.objects.create(
        case=case,
        person=supporter,
        role=CaseSupporter.Role.FACILITATOR,
        starts_on=timezone.localdate() - dt.timedelta(days=90),
    )
    agreement_create(
        actor=supporter.user,
        organisation=organisation,
        kind=Kind.SHARED_AGREEMENT,
        title=f"{title}: draft agreement",
        sections={"agreements": "Quiet hours from 11pm to 7am."},
        subject=case,
        parties=[(m, PartyRole.PARTY) for m in members],
    )
    actor = supporter.user
    crm = services.crm_call(
        actor=actor,
        case=case,
        stuck_reason="Individual conversations and a Group Meeting have not led to an agreement.",
        harm_reason="Repeated late-night noise is causing serious distress to a neighbour.",
        harm_by=[parties[0]],
    )
    services.crm_set_date(
        actor=actor,
        crm=crm,
        meeting_at=timezone.now() + dt.timedelta(days=40),
        place="The common room",
    )
    texts = {
        "Member A": ("Time to wind down after late shifts.", "Agreed quiet hours after midnight."),
        "Member B": ("Sleep before early starts.", "Quiet hours from 11pm."),
    }
    for crm_party in crm.parties.select_related("case_party"):
        services.crm_record_outreach(actor=actor, party=crm_party, on=timezone.localdate())
        needs, requests = texts[crm_party.alias]
        contribution = services.contribution_save(
            actor=actor, party=crm_party, author=supporter, needs=needs, requests=requests
        )
        services.contribution_place(actor=actor, contribution=contribution, on_agenda=True)
    services.crm_write_summary(
        actor=actor,
        crm=crm,
        support_summary="Two individual conversations each and one Group Meeting.",
        suggested_action_plan="Member A keeps music and visitors quiet after 11pm for two months.",
    )
    services.crm_write_notes(actor=actor, crm=crm, notes="Member B has a health condition.")
    services.agenda_publish(actor=actor, crm=crm)
    # The demo starts after the month's notice: the meeting began an hour ago.
    CommunityResolutionMeeting.objects.filter(pk=crm.pk).update(
        notice_given_at=timezone.now() - dt.timedelta(days=40),
        meeting_at=timezone.now() - dt.timedelta(hours=1),
    )
    a, b = crm.parties.order_by("case_party__alias")
    decision = services.crm_decide(
        actor=admin.user,
        party=a,
        action_plan_needed=True,
        reason="The harm continues and no agreement was reached.",
        actions="No music or visitors after 11pm; meet S&W every fortnight.",
    )
    services.crm_decide(
        actor=admin.user, party=b, action_plan_needed=False, reason="No harm by Member B."
    )
    return decision.notice_to_quit


def load(organisation: Organisation) -> None:
    admins, supporters = (
        _holders(organisation, Role.ORG_ADMIN),
        _holders(organisation, Role.SW_MEMBER),
    )
    if not admins or not supporters:
        return
    admin, supporter = admins[0], supporters[0]
    _through_crm(
        organisation,
        admin=admin,
        supporter=supporter,
        reference="CRM-1",
        title="Late-night noise",
        names=("Declan Forsyth", "Ottilie Brandt"),
    )
    restored = _through_crm(
        organisation,
        admin=admin,
        supporter=supporter,
        reference="CRM-2",
        title="Shared hallway",
        names=("Hamish Carrow", "Leonie Adair"),
    )
    services.check_in_record(
        actor=supporter.user,
        notice=restored,
        held_on=timezone.localdate(),
        note="The Action Plan is kept; the hallway is clear.",
        recommend_restore=True,
    )
    meeting = meeting_schedule(
        actor=admin.user,
        organisation=organisation,
        kind="group_meeting",
        starts_at=timezone.now() - dt.timedelta(minutes=30),
        duration=dt.timedelta(minutes=20),
        facilitators=[admin],
        title="General meeting",
    )
    meeting = meeting_record_attendance(actor=admin.user, meeting=meeting, attendance={})
    services.reinstatement_decide(
        actor=admin.user,
        notice=restored,
        meeting=meeting,
        reason="S&W recommended it and the meeting agreed.",
    )
